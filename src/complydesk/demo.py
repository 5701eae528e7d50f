"""Synthetic demo data: staff accounts, customers, tickets and one AI conversation.

Everything here is invented: the demo customers' names, phones and emails are
made up (example.com addresses) and go through the vault like real ones, so
the demo shows masking, blind-index search and audited unmask. Staff passwords
are random per installation and written to `<data dir>/demo-credentials.txt`
(mode 0600), never hard-coded.
Loading is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.assistant.demo import load_ai_demo
from complydesk.audit import AuditEvent, AuditLog
from complydesk.identity import Role, create_user
from complydesk.policy import load_pack
from complydesk.settings import Settings
from complydesk.store.models import Conversation, Customer, Message, Ticket
from complydesk.vault import Vault

DEMO_MARKER = "DEMO-C001"

STAFF = [
    ("admin", Role.ADMIN),
    ("agent", Role.AGENT),
    ("supervisor", Role.SUPERVISOR),
    ("compliance", Role.COMPLIANCE_OFFICER),
    ("auditor", Role.AUDITOR),
]
CUSTOMERS = [
    ("DEMO-C001", "cn", {"name": "林晓雨", "phone": "13800138001"}),
    ("DEMO-C002", "cn", {"name": "赵子墨", "phone": "13900139002"}),
    (
        "DEMO-C003",
        "eu",
        {"name": "Marie Dupont", "email": "marie.dupont@example.com"},
    ),
    (
        "DEMO-C004",
        "us-ca",
        {"name": "Sam Rivera", "phone": "+1 415 555 0134"},
    ),
]
TICKETS = [
    (
        "DEMO-C001",
        "complaint",
        "electronics",
        "submitted",
        "笔记本电脑屏幕闪烁，要求维修方案",
    ),
    ("DEMO-C001", "delivery", "logistics", "in_progress", "订单物流三天未更新"),
    ("DEMO-C002", "return_refund", "electronics", "accepted", "耳机七天无理由退货"),
    (
        "DEMO-C003",
        "repair",
        "electronics",
        "waiting_customer",
        "Tablet does not charge",
    ),
    (
        "DEMO-C004",
        "billing",
        "telecom",
        "resolved",
        "Plan price changed without notice",
    ),
]
CONVERSATION = [
    ("customer", False, "我的耳机想退货，怎么操作？"),
    ("bot", True, "您可以在订单页面申请七天无理由退货，审核通过后我们会通知您寄回。"),
    ("customer", False, "转人工"),
    ("agent", False, "您好，我是客服专员，已为您查看退货申请，我们会尽力为您处理。"),
]


@dataclass(frozen=True)
class DemoResult:
    loaded: bool
    credentials_file: Path | None


def load_demo(
    session: Session, settings: Settings, audit: AuditLog, vault: Vault
) -> DemoResult:
    """Insert the demo data once; return whether anything was loaded."""
    if (
        session.scalar(select(Customer.id).where(Customer.ref == DEMO_MARKER))
        is not None
    ):
        return DemoResult(False, None)
    now = audit.clock()
    passwords = {name: secrets.token_urlsafe(12) for name, _ in STAFF}
    for name, role in STAFF:
        create_user(session, name, role, password=passwords[name], now=now)
    create_user(
        session, "helpdesk-bot", Role.SERVICE, password=None, now=now, is_service=True
    )

    customers = {}
    for ref, jurisdiction, personal in CUSTOMERS:
        key = vault.new_subject()
        customer = Customer(
            ref=ref, jurisdiction=jurisdiction, created_at=now, key_ref=key.key_ref
        )
        vault.put(session, customer, personal, key)
        session.add(customer)
        customers[ref] = customer
    session.flush()
    for index, (ref, purpose, category, status, subject) in enumerate(TICKETS):
        created = now - timedelta(hours=6 * (len(TICKETS) - index))
        session.add(
            Ticket(
                customer_id=customers[ref].id,
                tracking_code=f"T-{secrets.token_hex(5).upper()}",
                purpose=purpose,
                category=category,
                status=status,
                subject=subject,
                created_at=created,
                updated_at=created,
                key_ref=customers[ref].key_ref,
            )
        )
    _add_conversation(session, settings, vault, customers["DEMO-C002"], now)
    load_ai_demo(session, settings, audit, vault, customers["DEMO-C002"], now)
    audit.record(
        session,
        AuditEvent(
            actor="system",
            action="demo.load",
            object_type="dataset",
            object_id="demo",
            outcome="ok",
            details={"customers": len(CUSTOMERS), "tickets": len(TICKETS)},
        ),
    )
    return DemoResult(True, _write_credentials(settings, passwords))


def _add_conversation(
    session: Session,
    settings: Settings,
    vault: Vault,
    customer: Customer,
    now: datetime,
) -> None:
    pack = load_pack(
        customer.jurisdiction or settings.default_pack, settings.policy_dir
    )
    conversation = Conversation(
        customer_id=customer.id, channel="web_chat", started_at=now
    )
    session.add(conversation)
    session.flush()
    turns = [("bot", True, pack.ai_disclosure.wording.value), *CONVERSATION]
    for offset, (sender, ai, body) in enumerate(turns):
        message = Message(
            conversation_id=conversation.id,
            sender=sender,
            ai_generated=ai,
            created_at=now + timedelta(seconds=20 * offset),
            key_ref=customer.key_ref,
        )
        vault.put(session, message, {"body": body})
        session.add(message)


def _write_credentials(settings: Settings, passwords: dict[str, str]) -> Path:
    path = settings.ensure_data_dir() / "demo-credentials.txt"
    lines = [f"{name}\t{role.value}\t{passwords[name]}" for name, role in STAFF]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# complydesk demo accounts: username, role, password\n")
        handle.write("\n".join(lines) + "\n")
    return path
