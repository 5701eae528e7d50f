"""Fairness group labels: coded, apart from the customer, gone with the subject.

Both databases. A subject's labels (gender, region, …) are personal data:
the real erasure run deletes them (and a code no one else carries), an
erasure by any other path is caught by the worker job, the fairness audit
still runs on what is left, and the audit chain still verifies. Existing
labels survive the migration that moved them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.audit import verify_chain
from complydesk.fairness.groups import forget_erased_job, labels_of
from complydesk.identity import Role
from complydesk.notify import Outbox
from complydesk.rights import requests as rq
from complydesk.rights.connectors import load_connectors
from complydesk.rights.erasure import run_erasure
from complydesk.store.db import transaction
from complydesk.store.migrate import upgrade
from complydesk.store.models import (
    AiAuditFact,
    AiAuditLabel,
    AiDecision,
    Customer,
)

LATE = {
    "delivered_on": "2024-03-01",
    "category": "electronics",
    "condition": "unopened",
    "amount_cny": 299,
}


def _headers(app: FastAPI, role: Role, name: str) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"}


def _subject(
    client: TestClient, channel: dict[str, str], groups: list[dict[str, str]]
) -> tuple[int, list[int]]:
    made = client.post(
        "/v1/customers", json={"name": "周若琳", "jurisdiction": "cn"}, headers=channel
    )
    assert made.status_code == 201, made.text
    customer = int(made.json()["id"])
    decisions = []
    for group in groups:
        response = client.post(
            "/v1/ai/decisions",
            json={
                "policy": "refund_eligibility",
                "customer_id": customer,
                "inputs": LATE,
                "audit_groups": group,
            },
            headers=channel,
        )
        assert response.status_code == 201, response.text
        decisions.append(int(response.json()["id"]))
    return customer, decisions


def _fairness(client: TestClient, officer: dict[str, str]) -> dict[str, Any]:
    response = client.get("/v1/ai/fairness?by=region,gender", headers=officer)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_erasure_deletes_the_subjects_labels_and_the_audit_still_runs(
    app: FastAPI, client: TestClient
) -> None:
    ctx: AppContext = app.state.ctx
    channel = _headers(app, Role.SERVICE, "widget")
    officer = _headers(app, Role.COMPLIANCE_OFFICER, "officer")
    subject, theirs = _subject(client, channel, [{"region": "isle", "gender": "f"}] * 2)
    _, others = _subject(client, channel, [{"region": "east", "gender": "f"}] * 3)
    before = _fairness(client, officer)
    assert before["decisions"] == 5
    with ctx.sessions() as session:
        assert labels_of(session, theirs[0]) == {"region": "isle", "gender": "f"}
        # Nothing in the audit rows points at the customer.
        columns = {
            c["name"]
            for c in inspect(session.connection()).get_columns("ai_audit_facts")
        }
        assert not columns & {"customer_id", "key_ref", "decided_at"}
        assert "audit_groups" not in {
            c["name"] for c in inspect(session.connection()).get_columns("ai_decisions")
        }

    with transaction(ctx.sessions) as session:
        request = rq.create_request(
            session,
            ctx.vault,
            ctx.audit,
            ctx.settings,
            "test",
            session.get(Customer, subject),
            "erasure",
        )
        rq.mark_verified(session, ctx.audit, "test", request, "manual", "in person")
        request_id = request.id
    result = run_erasure(
        ctx.sessions,
        ctx.vault,
        ctx.audit,
        ctx.settings,
        Outbox.from_settings(ctx.settings, ctx.clock),
        load_connectors(ctx.settings.connectors_file),
        request_id,
        "test",
    )
    assert result.complete

    with ctx.sessions() as session:
        for decision in theirs:
            assert labels_of(session, decision) == {}
            assert session.get(AiAuditFact, decision) is None
            assert session.get(AiDecision, decision) is not None  # the log stays
        assert labels_of(session, others[0]) == {"region": "east", "gender": "f"}
        labels = set(session.scalars(select(AiAuditLabel.label)))
        assert "isle" not in labels  # no one else carries it: it would single out
        assert {"east", "f"} <= labels
        assert verify_chain(session, ctx.audit.key).ok
    after = _fairness(client, officer)
    assert after["decisions"] == 3
    regions = {g["group"] for g in after["sections"][0]["groups"]}
    assert regions == {"east"}


def test_an_erasure_by_any_path_is_caught_by_the_worker_job(
    app: FastAPI, client: TestClient
) -> None:
    ctx: AppContext = app.state.ctx
    channel = _headers(app, Role.SERVICE, "widget")
    officer = _headers(app, Role.COMPLIANCE_OFFICER, "officer")
    subject, theirs = _subject(client, channel, [{"region": "west", "tier": "gold"}])
    _, others = _subject(client, channel, [{"region": "west", "tier": "basic"}])
    erased = client.post(
        f"/v1/customers/{subject}/erase",
        json={"reason": "customer asked by phone"},
        headers=officer,
    )
    assert erased.status_code == 200, erased.text
    outcome = forget_erased_job(ctx)
    assert outcome.startswith("1 ")
    with ctx.sessions() as session:
        assert session.get(AiAuditFact, theirs[0]) is None
        assert labels_of(session, others[0]) == {"region": "west", "tier": "basic"}
        assert "gold" not in set(session.scalars(select(AiAuditLabel.label)))
        assert verify_chain(session, ctx.audit.key).ok
    assert forget_erased_job(ctx).startswith("0 ")  # idempotent
    assert _fairness(client, officer)["decisions"] == 1


def test_labels_must_be_coarse_and_ground_truth_reaches_the_audit_rows(
    app: FastAPI, client: TestClient
) -> None:
    ctx: AppContext = app.state.ctx
    channel = _headers(app, Role.SERVICE, "widget")
    supervisor = _headers(app, Role.SUPERVISOR, "sup")
    customer, (decision,) = _subject(client, channel, [{"region": "north"}])

    def decide(groups: Any) -> tuple[int, str]:
        response = client.post(
            "/v1/ai/decisions",
            json={
                "policy": "refund_eligibility",
                "customer_id": customer,
                "inputs": LATE,
                "audit_groups": groups,
            },
            headers=channel,
        )
        return response.status_code, str(response.json().get("detail", ""))

    status, detail = decide({"region": "13912345678"})
    assert status == 422 and "coarse" in detail and "1391" not in detail
    status, detail = decide({"region": "a@b.cn"})
    assert status == 422
    many = {f"attr_{i}": "x" for i in range(7)}
    assert decide(many)[0] == 201  # region + 7: every slot is taken now
    status, detail = decide({"attr_late": "x"})
    assert status == 422 and "already in use" in detail

    review = client.post(
        f"/v1/ai/decisions/{decision}/reviews", json={}, headers=channel
    ).json()
    done = client.post(
        f"/v1/ai/reviews/{review['id']}/outcome",
        json={"result": "overturned", "note": "courier delay was proven"},
        headers=supervisor,
    )
    assert done.status_code == 200, done.text
    with ctx.sessions() as session:
        fact = session.get(AiAuditFact, decision)
        assert fact is not None and fact.ground_truth is True  # refused, overturned


def test_existing_labels_survive_the_migration_and_its_downgrade(
    empty_db_url: str,
) -> None:
    upgrade(empty_db_url, "0007")
    engine = create_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customers (id, ref, created_at, key_ref) "
                    "VALUES (1, 'C-1', '2026-01-01 00:00:00', 'k1')"
                )
            )
            for i, groups in enumerate(
                ['{"region": "east", "gender": "f"}', '{"region": "west"}', "{}"]
            ):
                conn.execute(
                    text(
                        "INSERT INTO ai_decisions (id, ref, customer_id, policy, "
                        "policy_version, policy_hash, pack, pack_version, outcome, "
                        "favourable, trace, audit_groups, decided_at, decided_by) "
                        "VALUES (:id, :ref, 1, 'refund_eligibility', '1.0.0', 'h', "
                        "'cn', '1', 'eligible', :fav, '[]', :groups, "
                        "'2026-01-01 00:00:00', 't')"
                    ),
                    {"id": i + 1, "ref": f"D-{i}", "fav": i != 1, "groups": groups},
                )
            conn.execute(
                text(
                    "INSERT INTO ai_decision_reviews (id, decision_id, state, "
                    "requested_at, requested_by) "
                    "VALUES (1, 1, 'open', '2026-01-02 00:00:00', 'widget')"
                )
            )
        upgrade(empty_db_url)
        with engine.connect() as conn:  # no table rebuild cascaded the review away
            reviews = conn.execute(text("SELECT count(*) FROM ai_decision_reviews"))
            assert reviews.scalar() == 1
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            assert labels_of(session, 1) == {"region": "east", "gender": "f"}
            assert labels_of(session, 2) == {"region": "west"}
            assert labels_of(session, 3) == {}
            assert len(session.scalars(select(AiAuditFact)).all()) == 3
        from alembic import command

        from complydesk.store.migrate import alembic_config

        command.downgrade(alembic_config(empty_db_url), "0007")
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, audit_groups FROM ai_decisions ORDER BY id")
            ).all()
        import json

        assert [json.loads(g) if isinstance(g, str) else g for _, g in rows] == [
            {"region": "east", "gender": "f"},
            {"region": "west"},
            {},
        ]
    finally:
        engine.dispose()
