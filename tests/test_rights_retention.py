"""Retention schedules from the pack: a dry run first, then shred or anonymise.

Time is a FakeClock moved across the pack's periods (conversations 12
months, tickets 24, inactive profiles 36). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.notify_helpers import FakeClock
from tests.privacy_helpers import (
    MESSAGE_TEXT,
    TICKET_TEXT,
    add_customer,
    add_desk_records,
    auth,
    get,
)

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.audit import AuditLog, load_audit_key, verify_chain
from complydesk.identity import Role
from complydesk.rights import requests as rq
from complydesk.rights import retention
from complydesk.rights.holds import place_hold
from complydesk.settings import Settings
from complydesk.store.db import read_transaction, transaction
from complydesk.store.models import AuditEntry, Message, Ticket
from complydesk.vault import Vault, open_vault

DAY = 86400


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 10, 2, 0, tzinfo=UTC))


@pytest.fixture
def vault(settings: Settings, clock: FakeClock) -> Vault:
    return open_vault(settings, clock)


@pytest.fixture
def audit(settings: Settings, clock: FakeClock) -> AuditLog:
    return AuditLog(load_audit_key(settings), clock)


def _subject(
    sessions: sessionmaker[Session], vault: Vault, audit: AuditLog, phone: str
) -> int:
    customer_id = add_customer(
        sessions, vault, audit, {"name": "王小明", "phone": phone}, "cn"
    )
    with transaction(sessions) as session:
        add_desk_records(session, vault, get(session, customer_id))
    return customer_id


def _items(report: retention.Report) -> dict[str, tuple[int, int]]:
    return {i.category: (i.count, i.held) for i in report.items if i.pack == "cn"}


def _texts(
    sessions: sessionmaker[Session], vault: Vault, customer_id: int
) -> tuple[list[str | None], list[str | None]]:
    with read_transaction(sessions) as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.customer_id == customer_id)
        )
        ticket_texts = [
            vault.reveal(t, ["description"])["description"] for t in tickets
        ]
        messages = session.scalars(
            select(Message).where(Message.key_ref == get(session, customer_id).key_ref)
        )
        bodies = [vault.reveal(m)["body"] for m in messages]
    return ticket_texts, bodies


def test_periods_from_the_pack_anonymise_then_shred_sparing_held_subjects(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    old = _subject(session_factory, vault, audit, "13912345678")
    held = _subject(session_factory, vault, audit, "13912345679")
    with transaction(session_factory) as session:
        place_hold(session, audit, settings, "t", get(session, held), "open_dispute")
    clock.advance(200 * DAY)
    active = _subject(session_factory, vault, audit, "13912345670")

    # 13 months on: only conversations of the first two are past 12 months.
    clock.now = datetime(2027, 2, 11, 2, 0, tzinfo=UTC)
    with read_transaction(session_factory) as session:
        dry = retention.plan(session, settings, clock())
    assert dry.dry_run is True
    assert _items(dry) == {
        "customer_profile": (0, 0),
        "support_tickets": (0, 0),
        "conversations": (2, 2),  # the held subject's 2 messages are spared
        "rights_requests": (0, 0),
    }
    conversations = next(i for i in dry.items if i.category == "conversations")
    assert conversations.period == "12 calendar_months"
    assert "PIPL Art. 19" in conversations.citation
    # The dry run changed nothing.
    assert _texts(session_factory, vault, old)[1] == [MESSAGE_TEXT, "您好，已收到。"]
    applied = retention.apply(session_factory, vault, audit, settings)
    assert applied.total() == 2
    assert _texts(session_factory, vault, old) == ([TICKET_TEXT], [None, None])
    assert _texts(session_factory, vault, held)[1] == [MESSAGE_TEXT, "您好，已收到。"]
    assert _texts(session_factory, vault, active)[1] == [MESSAGE_TEXT, "您好，已收到。"]

    # 25 months: tickets too; 37 months: the inactive profile is shredded.
    clock.now = datetime(2028, 2, 11, 2, 0, tzinfo=UTC)
    retention.apply(session_factory, vault, audit, settings)
    assert _texts(session_factory, vault, old)[0] == [None]
    assert _texts(session_factory, vault, active)[0] == [TICKET_TEXT]
    clock.now = datetime(2029, 2, 11, 2, 0, tzinfo=UTC)
    with read_transaction(session_factory) as session:
        plan = _items(retention.plan(session, settings, clock()))
    assert plan["customer_profile"] == (1, 1)
    retention.apply(session_factory, vault, audit, settings)
    with read_transaction(session_factory) as session:
        assert get(session, old).erased_at is not None
        assert vault.keystore.is_shredded(str(get(session, old).key_ref))
        assert get(session, held).erased_at is None
        assert get(session, active).erased_at is None  # active 7 months later
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rights.retention.apply")
        ).all()
        assert {e.object_id for e in entries} == {
            "conversations",
            "support_tickets",
            "customer_profile",
        }
        assert verify_chain(session, audit.key).ok


def test_closed_requests_lose_the_subjects_words_after_their_period(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    customer_id = add_customer(
        session_factory, vault, audit, {"phone": "13912345678"}, "cn"
    )
    with transaction(session_factory) as session:
        request = rq.create_request(
            session,
            vault,
            audit,
            settings,
            "t",
            get(session, customer_id),
            "access",
            details="please send everything to my new address",
        )
        rq.close_request(session, audit, "t", request, "withdrawn")
        request_id = request.id
    clock.advance(36 * 31 * DAY)
    with transaction(session_factory) as session:  # keep the profile active
        rq.create_request(
            session, vault, audit, settings, "t", get(session, customer_id), "access"
        )
    retention.apply(session_factory, vault, audit, settings)
    with read_transaction(session_factory) as session:
        closed = rq.get_request(session, request_id)
        assert closed.details_sealed is None and closed.details_masked is None
        assert closed.outcome == "withdrawn"  # the record itself stays


def test_retention_over_http_dry_run_for_readers_and_run_for_managers(
    settings: Settings, clock: FakeClock
) -> None:
    app = create_app(settings, clock=clock)
    ctx: AppContext = app.state.ctx
    _subject(ctx.sessions, ctx.vault, ctx.audit, "13912345678")
    clock.advance(400 * DAY)
    with TestClient(app) as client:
        auditor = auth(app, Role.AUDITOR, clock)
        officer = auth(app, Role.COMPLIANCE_OFFICER, clock)
        dry = client.get("/v1/rights/retention", headers=auditor)
        assert dry.status_code == 200, dry.text
        counts = {
            (i["period"].split(":")[0], i["category"]): i["count"]
            for i in dry.json()["items"]
        }
        assert counts[("cn", "conversations")] == 2
        assert (
            client.post("/v1/rights/retention/run", headers=auditor).status_code == 403
        )
        run = client.post("/v1/rights/retention/run", headers=officer)
        assert run.status_code == 200 and run.json()["dry_run"] is False
        again = client.get("/v1/rights/retention", headers=auditor).json()
        assert sum(i["count"] for i in again["items"]) == 0
        with read_transaction(ctx.sessions) as session:
            reports = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "rights.retention.report")
            ).all()
            assert len(reports) == 2
            assert reports[0].details == {"cn.conversations": 2}


def test_recent_activity_in_any_table_keeps_a_profile_alive(
    session_factory: sessionmaker[Session],
    vault: Vault,
    audit: AuditLog,
    settings: Settings,
    clock: FakeClock,
) -> None:
    """Last use is found from the schema: AI chats and ticket replies count too."""
    from datetime import timedelta

    from complydesk.rights.activity import sources
    from complydesk.store.models import (
        AiConversation,
        Conversation,
        TicketMessage,
    )

    found = {s.table.name for s in sources()}
    assert {"ai_conversations", "ai_handoffs", "ticket_messages", "ticket_events"} <= (
        found
    )
    chatty = _subject(session_factory, vault, audit, "13912345671")
    replied = _subject(session_factory, vault, audit, "13912345672")
    idle = _subject(session_factory, vault, audit, "13912345673")
    start = clock()
    recent = datetime(2028, 11, 1, 2, 0, tzinfo=UTC)  # 34 months on
    with transaction(session_factory) as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.customer_id == chatty)
        ).one()
        session.add(  # the assistant kept talking to this subject until recently
            AiConversation(
                conversation_id=conversation.id,
                customer_id=chatty,
                pack="cn",
                pack_version="1",
                pack_hash="0" * 64,
                backend="rules",
                state="bot",
                started_at=start,
                disclosed_at=start,
                last_activity_at=recent,
                nlu_failures=0,
                bot_turns=3,
            )
        )
        ticket = session.scalars(
            select(Ticket).where(Ticket.customer_id == replied)
        ).one()
        reply = TicketMessage(
            ticket_id=ticket.id,
            kind="reply",
            author="agent",
            created_at=recent,
            key_ref=get(session, replied).key_ref,
        )
        vault.put(session, reply, {"body": "已为您安排上门维修。"})
        session.add(reply)
        # A deadline far ahead is a plan, not activity: it must not count.
        idle_ticket = session.scalars(
            select(Ticket).where(Ticket.customer_id == idle)
        ).one()
        idle_ticket.resolution_due_at = start + timedelta(days=3650)
    clock.now = datetime(2029, 2, 11, 2, 0, tzinfo=UTC)  # 37 months after creation
    with read_transaction(session_factory) as session:
        profile = next(
            i
            for i in retention.plan(session, settings, clock()).items
            if i.pack == "cn" and i.category == "customer_profile"
        )
    assert profile.ids == [idle]
    retention.apply(session_factory, vault, audit, settings)
    with read_transaction(session_factory) as session:
        assert get(session, idle).erased_at is not None
        assert get(session, chatty).erased_at is None
        assert get(session, replied).erased_at is None
