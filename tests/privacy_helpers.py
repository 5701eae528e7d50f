"""Builders for the privacy-operations tests (rights, breach): no fixtures here.

Customers are created through the vault like real ones; notifications go to
a real HTTP receiver (tests/notify_helpers.py) through a webhooks file.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import PASSWORD
from tests.notify_helpers import SECRET_ENV, FakeClock, Receiver

from complydesk.api.deps import AppContext
from complydesk.audit import AuditLog
from complydesk.clock import Clock
from complydesk.desk.customers import create_customer
from complydesk.identity import Role, create_user, issue_token
from complydesk.notify import deliver_round
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.store.models import Customer
from complydesk.vault import Vault


def write_webhooks(path: Path, url: str, events: tuple[str, ...] = ("dsr.*",)) -> Path:
    """A webhooks file with one endpoint (`subject`) for the given events."""
    lines = [
        "endpoints:",
        "  - name: subject",
        f"    url: {url}",
        f"    events: {json.dumps(list(events))}",
        f"    secret_env: {SECRET_ENV}",
        "    timeout_seconds: 2",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_customer(
    sessions: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    values: Mapping[str, str],
    jurisdiction: str | None,
) -> int:
    with transaction(sessions) as session:
        customer = create_customer(
            session, vault, audit, "test", dict(values), jurisdiction
        )
        return customer.id


def get(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    assert customer is not None
    return customer


def deliver(
    settings: Settings, sessions: sessionmaker[Session], clock: FakeClock
) -> int:
    """One delivery round; every queued notification must reach the receiver."""
    report = deliver_round(settings, sessions, clock)
    assert report.retrying == 0 and report.dead == 0, report.summary()
    return report.delivered


def payloads(receiver: Receiver, event: str) -> list[dict[str, Any]]:
    """The `data` of every signed delivery of `event` the receiver got."""
    out = []
    for item in receiver.received:
        assert item.signature_error is None, item.signature_error
        body = json.loads(item.body)
        if body["event"] == event:
            out.append(body["data"])
    return out


_USERS = itertools.count(1)


def auth(app: FastAPI, role: Role, clock: Clock) -> dict[str, str]:
    """A bearer header for a new user of `role`, issued on the app's clock."""
    ctx: AppContext = app.state.ctx
    with transaction(ctx.sessions) as session:
        service = role is Role.SERVICE
        user = create_user(
            session,
            f"u-{role.value.replace('_', '-')}-{next(_USERS)}",
            role,
            password=None if service else PASSWORD,
            now=clock(),
            is_service=service,
        )
        token = issue_token(session, user, "t", now=clock(), ttl=None)
    return {"Authorization": f"Bearer {token}"}


# ---- the access matrix (tests/test_access_matrix.py) -------------------------

# Which seeded object each privacy route acts on, so that the one role allowed
# to change it meets it in the right state (ids are deterministic: the matrix
# seeds a fresh database). Demo customer 1 is erased by an earlier route, so
# these use customers 2 (cn), 3 (eu, e-mail on file) and 4 (us-ca).
MATRIX_IDS: dict[tuple[str, str], str] = {
    ("POST", "/v1/rights/requests/{request_id}/verification"): "1",
    ("POST", "/v1/rights/requests/{request_id}/verify"): "2",
    ("POST", "/v1/rights/requests/{request_id}/extend"): "3",
    ("POST", "/v1/rights/requests/{request_id}/close"): "4",
    ("POST", "/v1/rights/requests/{request_id}/restrict"): "5",
    ("POST", "/v1/rights/requests/{request_id}/rectify"): "6",
    ("GET", "/v1/rights/requests/{request_id}/export"): "7",
    ("POST", "/v1/rights/requests/{request_id}/erase"): "8",
    ("GET", "/v1/rights/requests/{request_id}/erasure"): "8",
    ("GET", "/v1/rights/requests/{request_id}/receipt"): "8",
    ("POST", "/v1/breach/incidents/{incident_id}/close"): "2",
}
MATRIX_REQUESTS = [  # (customer id, type, scope, verified)
    (3, "access", None, False),
    (3, "access", None, False),
    (3, "access", None, True),
    (2, "access", None, True),
    (3, "objection", "automated_decisions", True),
    (2, "rectification", None, True),
    (3, "access", None, True),
    (4, "erasure", None, True),
]


def seed_privacy_matrix(app: FastAPI) -> None:
    """Requests in the states the matrix's privacy routes need, plus webhooks."""
    from complydesk.breach.register import create_incident
    from complydesk.rights import requests as rq
    from complydesk.rights.holds import place_hold

    ctx: AppContext = app.state.ctx
    hooks = ctx.settings.ensure_data_dir() / "matrix-hooks.yaml"
    ctx.settings.webhooks_file = write_webhooks(hooks, "http://127.0.0.1:9/hook")
    with transaction(ctx.sessions) as session:
        for customer_id, type_, scope, verified in MATRIX_REQUESTS:
            request = rq.create_request(
                session,
                ctx.vault,
                ctx.audit,
                ctx.settings,
                "matrix",
                get(session, customer_id),
                type_,
                scope=scope,
            )
            if verified:
                rq.mark_verified(session, ctx.audit, "matrix", request, "manual")
        place_hold(
            session, ctx.audit, ctx.settings, "matrix", get(session, 2), "open_dispute"
        )
        for systems in (["complydesk"], ["crm"]):  # 1: demo subjects; 2: none
            values = matrix_incident()
            create_incident(
                session,
                ctx.audit,
                ctx.settings,
                ctx.vault.detector,
                "matrix",
                **{
                    **values,
                    "systems": systems,
                    "external_estimates": {"crm": {}} if "crm" in systems else {},
                    "detected_at": datetime.fromisoformat(values["detected_at"]),
                    "aware_at": datetime.fromisoformat(values["aware_at"]),
                },
            )


def matrix_incident() -> dict[str, Any]:
    """A breach the demo customers (cn, eu, us-ca) are caught up in."""
    now = datetime.now(UTC)
    return {
        "title": "Matrix check",
        "description": "A test incident for the access matrix.",
        "detected_at": now.isoformat(),  # after the demo customers were made
        "aware_at": now.isoformat(),
        "systems": ["complydesk"],
        "categories": ["customer_profile"],
        "risk": "risk",
        "contact_point": "privacy desk",
    }


def matrix_notification() -> dict[str, Any]:
    return {
        "jurisdiction": "eu",
        "obligation": "breach.authority_deadline",
        "sent_at": datetime.now(UTC).isoformat(),
    }


# ---- a subject spread over the desk's tables ---------------------------------

TICKET_TEXT = "笔记本屏幕闪烁，请回电 13912345678"
MESSAGE_TEXT = "我叫王小明，住在北京市朝阳区建国路88号"
FILENAME = "王小明-发票.pdf"


def add_desk_records(session: Session, vault: Vault, customer: Customer) -> None:
    """A ticket with an attachment and a conversation, sealed under the subject."""
    from complydesk.store.models import Conversation, Message, Ticket
    from complydesk.store.models.desk import Attachment

    now = customer.created_at
    ticket = Ticket(
        customer_id=customer.id,
        tracking_code=f"T-{customer.id:010d}",
        purpose="complaint",
        category="electronics",
        status="submitted",
        subject="Screen flickers",
        created_at=now,
        updated_at=now,
        key_ref=customer.key_ref,
    )
    vault.put(
        session, ticket, {"description": TICKET_TEXT, "contact_phone": "13912345678"}
    )
    session.add(ticket)
    session.flush()
    attachment = Attachment(
        ticket_id=ticket.id,
        content_type="application/pdf",
        size_bytes=1234,
        created_at=now,
        key_ref=customer.key_ref,
    )
    vault.put(session, attachment, {"filename": FILENAME})
    session.add(attachment)
    conversation = Conversation(
        customer_id=customer.id, channel="web_chat", started_at=now
    )
    session.add(conversation)
    session.flush()
    for sender, body in (("customer", MESSAGE_TEXT), ("agent", "您好，已收到。")):
        message = Message(
            conversation_id=conversation.id,
            sender=sender,
            ai_generated=False,
            created_at=now,
            key_ref=customer.key_ref,
        )
        vault.put(session, message, {"body": body})
        session.add(message)
    session.flush()


# ---- an external HTTP system (a loyalty programme) ---------------------------


class JsonService:
    """A signed-JSON endpoint like a CRM's privacy API: checks the signature,
    records each call and answers through `answer(action, body) -> (status, json)`.
    """

    def __init__(self, secret: str, answer: Any) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from complydesk.notify import SIGNATURE_HEADER, verify_signature

        self.calls: list[dict[str, Any]] = []
        self.answer = answer
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                verify_signature(secret, self.headers.get(SIGNATURE_HEADER), body)
                request = json.loads(body)
                service.calls.append(request)
                status, reply = service.answer(request["action"], request)
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller died mid-request (the crash test)
                    return

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/privacy"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# ---- an external SQL database (a CRM) ----------------------------------------


def make_crm(url: str, subject_phone_e164: str, subject_email_bidx: str) -> None:
    """Two CRM tables: one keyed by phone, one by our e-mail blind index."""
    from sqlalchemy import text

    from complydesk.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE crm_contacts (id INTEGER PRIMARY KEY, "
                    "phone_e164 VARCHAR(20), full_name VARCHAR(100), "
                    "tier VARCHAR(10), notes VARCHAR(200))"
                )
            )
            conn.execute(
                text(
                    "CREATE TABLE crm_orders (id INTEGER PRIMARY KEY, "
                    "email_key VARCHAR(16), total INTEGER, placed DATE)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO crm_contacts VALUES "
                    "(1, :mine, '王小明', 'gold', 'prefers calls'), "
                    "(2, '+8613800000000', '李四', 'basic', 'someone else')"
                ),
                {"mine": subject_phone_e164},
            )
            conn.execute(
                text(
                    "INSERT INTO crm_orders VALUES "
                    "(1, :mine, 4999, '2026-01-02'), "
                    "(2, 'ffffffffffffffff', 100, '2026-01-03')"
                ),
                {"mine": subject_email_bidx},
            )
    finally:
        engine.dispose()


def write_connectors(
    directory: Path,
    crm_url: str,
    loyalty_url: str | None,
    *,
    crm_on_erasure: str = "delete",
) -> Path:
    """A connectors file (crm: SQL, loyalty: HTTP) and the CRM's mapping file."""
    (directory / "crm-mapping.yaml").write_text(
        "tables:\n"
        "  - table: crm_contacts\n"
        "    key_column: phone_e164\n"
        "    match: phone\n"
        "    export: [phone_e164, full_name, tier, notes]\n"
        f"    on_erasure: {crm_on_erasure}\n"
        "    anonymise: [full_name, notes]\n"
        "  - table: crm_orders\n"
        "    key_column: email_key\n"
        "    match: email\n"
        "    form: blind_index\n"
        "    export: [total, placed]\n"
        "    on_erasure: keep\n"
        "    keep_reason: invoices are kept for tax law\n",
        encoding="utf-8",
    )
    lines = [
        "connectors:",
        "  - name: crm",
        "    kind: sql",
        "    url_env: TEST_CRM_URL",
        "    mapping: crm-mapping.yaml",
    ]
    if loyalty_url:
        lines += [
            "  - name: loyalty",
            "    kind: http",
            f"    url: {loyalty_url}",
            f"    secret_env: {SECRET_ENV}",
            "    timeout_seconds: 3",
        ]
    path = directory / "connectors.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


DECISION_TEXT = "退款申请未通过：订单已超过七天无理由退货期限"


def add_decision(session: Session, vault: Vault, customer: Customer) -> None:
    """An automated decision about the subject (the assistant's decision log)."""
    from complydesk.store.models.assistant import AiDecision

    decision = AiDecision(
        ref=f"D-{customer.id:010d}",
        customer_id=customer.id,
        policy="refund",
        policy_version="1.0.0",
        policy_hash="0" * 64,
        pack=customer.jurisdiction or "baseline",
        pack_version="2026.11.0",
        outcome="refused",
        favourable=False,
        trace=[{"rule": "return_window", "result": False}],
        audit_groups={},
        decided_at=customer.created_at,
        decided_by="assistant",
        key_ref=customer.key_ref,
    )
    vault.put(
        session,
        decision,
        {"inputs": '{"days_since_delivery": 9}', "explanation_zh": DECISION_TEXT},
    )
    session.add(decision)
    session.flush()
