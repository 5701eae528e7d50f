"""Explained automated decisions and human review, through the API on both databases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.helpers import add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.assistant.decisions import coerce_inputs, evaluate, load_policy
from complydesk.errors import PolicyError
from complydesk.fairness.groups import labels_of
from complydesk.identity import Role
from complydesk.policy import load_pack
from complydesk.rights.restrictions import NO_AUTOMATED_DECISIONS
from complydesk.store.models import AiDecision, AuditEntry, CustomerRestriction

LATE = {
    "delivered_on": "2024-03-01",
    "requested_on": "2024-03-12",
    "category": "electronics",
    "condition": "unopened",
    "amount_cny": 299,
}
SEED_EXPLANATION = (
    "该商品已超过7天无理由退货期限（签收于2024-03-01），因此无法无理由退货。"
    "您可以申请人工复核。"
)


def test_refund_policy_reads_the_window_from_the_pack() -> None:
    cn, eu = load_pack("cn"), load_pack("eu")
    policy = load_policy("refund_eligibility", cn)
    late = evaluate(policy, cn, coerce_inputs(policy, LATE), date(2024, 3, 12))
    assert late.outcome == "refused" and not late.favourable
    assert late.explanation_zh == SEED_EXPLANATION
    assert late.explanation_en.startswith(
        "The 7-day no-reason return period has passed"
    )
    window = late.trace[0]
    assert window.result == "fail" and window.parameter["days"] == 7
    assert window.parameter["citation"] == "Consumer Protection Law Art. 25"
    assert [s.result for s in late.trace] == ["fail", "pass", "pass", "pass"]
    # the eu pack sets no return period: the policy's own 14 days apply
    policy_eu = load_policy("refund_eligibility", eu)
    ok = evaluate(policy_eu, eu, coerce_inputs(policy_eu, LATE), date(2024, 3, 12))
    assert (
        ok.outcome == "eligible"
        and ok.favourable
        and "人工复核" not in ok.explanation_zh
    )
    big = dict(LATE, requested_on="2024-03-02", amount_cny=8000)
    referred = evaluate(policy, cn, coerce_inputs(policy, big), date(2024, 3, 12))
    assert referred.outcome == "referred" and "5000" in referred.explanation_zh


@pytest.mark.parametrize("name", ["gender", "customer_age", "ethnicity"])
def test_policy_reading_a_protected_attribute_is_refused_at_load(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "biased.yaml"
    path.write_text(
        "policy: biased\nversion: '1.0.0'\ntitle: t\n"
        f"inputs:\n  {name}: {{type: text}}\n"
        f"rules:\n  - {{id: r, check: in, field: {name}, values: [a], on_fail: deny,\n"
        "      explain_fail: {zh: 不行, en: refused}}\n"
        "pass_outcome: allow\noutcomes:\n  allow: {favourable: true}\n"
        "  deny: {favourable: false}\n",
        "utf-8",
    )
    with pytest.raises(PolicyError, match="protected attribute"):
        load_policy(path, load_pack("cn"))


def _token(app: FastAPI, role: Role, name: str) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"}


def test_decision_stored_sealed_explained_and_reviewed(
    app: FastAPI, client: TestClient
) -> None:
    channel = _token(app, Role.SERVICE, "widget")
    supervisor = _token(app, Role.SUPERVISOR, "sup")
    customer = client.post(
        "/v1/customers", json={"name": "赵子墨", "jurisdiction": "cn"}, headers=channel
    ).json()["id"]
    made = client.post(
        "/v1/ai/decisions",
        json={
            "policy": "refund_eligibility",
            "customer_id": customer,
            "inputs": LATE,
            "audit_groups": {"region": "west", "gender": "f"},
        },
        headers=channel,
    )
    assert made.status_code == 201, made.text
    decision = made.json()
    assert decision["outcome"] == "refused" and decision["automated"] is True
    assert decision["explanation"]["zh"] == SEED_EXPLANATION
    assert decision["policy_version"] == "2026.12.0" and decision["pack"] == "cn"
    assert decision["trace"][0]["rule"] == "return_window"
    assert "2024-03-01" in decision["inputs_masked"]

    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        row = session.scalars(
            select(AiDecision).where(AiDecision.id == decision["id"])
        ).one()
        assert row.inputs_sealed is not None and b"2024-03-01" not in row.inputs_sealed
        assert labels_of(session, row.id) == {"region": "west", "gender": "f"}
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ai.decision")
        ).one()
        assert entry.details["result"] == "refused"

    url = f"/v1/ai/decisions/{decision['id']}/reviews"
    first = client.post(url, json={"statement": "快递延误三天才送到"}, headers=channel)
    assert first.status_code == 201 and first.json()["state"] == "open"
    again = client.post(url, json={}, headers=channel)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    listed = client.get("/v1/ai/reviews", headers=supervisor).json()
    assert [r["id"] for r in listed] == [first.json()["id"]]

    outcome_url = f"/v1/ai/reviews/{first.json()['id']}/outcome"
    short = client.post(
        outcome_url, json={"result": "overturned", "note": "ok"}, headers=supervisor
    )
    assert short.status_code == 422
    done = client.post(
        outcome_url,
        json={"result": "overturned", "note": "物流延误，按实际可用日期计算"},
        headers=supervisor,
    )
    assert done.status_code == 200 and done.json()["state"] == "overturned"
    assert done.json()["reviewer"] == "sup"
    retry = client.post(
        outcome_url,
        json={"result": "overturned", "note": "物流延误，按实际可用日期计算"},
        headers=supervisor,
    )
    assert retry.status_code == 200
    clash = client.post(
        outcome_url,
        json={"result": "upheld", "note": "changed my mind"},
        headers=supervisor,
    )
    assert clash.status_code == 409
    shown = client.get(f"/v1/ai/decisions/{decision['id']}", headers=channel).json()
    assert shown["review_state"] == "overturned"
    with ctx.sessions() as session:
        row = session.get(AiDecision, decision["id"])
        assert row is not None and row.ground_truth is True  # should have been approved


def test_decision_input_is_validated_with_reasons(
    app: FastAPI, client: TestClient
) -> None:
    channel = _token(app, Role.SERVICE, "widget")
    customer = client.post(
        "/v1/customers", json={"name": "赵子墨", "jurisdiction": "cn"}, headers=channel
    ).json()["id"]

    def decide(**changes: object) -> tuple[int, str]:
        body: dict[str, object] = {
            "policy": "refund_eligibility",
            "customer_id": customer,
            "inputs": LATE,
        }
        body.update(changes)
        response = client.post("/v1/ai/decisions", json=body, headers=channel)
        return response.status_code, str(response.json().get("detail"))

    status, detail = decide(inputs=dict(LATE, gender="f"))
    assert status == 422 and "gender" in detail and "not declared" in detail
    status, detail = decide(inputs=dict(LATE, delivered_on="yesterday"))
    assert status == 422 and "delivered_on" in detail
    status, detail = decide(inputs=dict(LATE, category="weapons"))
    assert status == 422 and "category" in detail
    status, _ = decide(policy="no_such_policy")
    assert status == 404
    status, detail = decide(audit_groups={"Region!": "x"})
    assert status == 422
    status, _ = decide(customer_id=9999)
    assert status == 404


def test_an_objection_to_automated_decisions_is_honoured(
    app: FastAPI, client: TestClient
) -> None:
    channel = _token(app, Role.SERVICE, "widget")
    customer = client.post(
        "/v1/customers", json={"name": "赵子墨", "jurisdiction": "eu"}, headers=channel
    ).json()["id"]
    body = {"policy": "refund_eligibility", "customer_id": customer, "inputs": LATE}
    ctx: AppContext = app.state.ctx
    with ctx.sessions.begin() as session:
        session.add(
            CustomerRestriction(
                customer_id=customer,
                flag=NO_AUTOMATED_DECISIONS,
                set_at=ctx.clock(),
                set_by="officer",
            )
        )
    refused = client.post("/v1/ai/decisions", json=body, headers=channel)
    assert refused.status_code == 409
    assert "objected to automated decisions" in refused.json()["detail"]
    with ctx.sessions() as session:
        assert session.scalars(select(AiDecision)).all() == []
        restriction = session.scalars(select(CustomerRestriction)).one()
        restriction.lifted_at = ctx.clock()
        session.commit()
    assert (
        client.post("/v1/ai/decisions", json=body, headers=channel).status_code == 201
    )


def test_fairness_route_reports_and_checks_its_query(
    app: FastAPI, client: TestClient
) -> None:
    channel = _token(app, Role.SERVICE, "widget")
    officer = _token(app, Role.COMPLIANCE_OFFICER, "officer")
    customer = client.post(
        "/v1/customers", json={"name": "赵子墨", "jurisdiction": "cn"}, headers=channel
    ).json()["id"]
    for region in ("east", "west"):
        client.post(
            "/v1/ai/decisions",
            json={
                "policy": "refund_eligibility",
                "customer_id": customer,
                "inputs": LATE,
                "audit_groups": {"region": region},
            },
            headers=channel,
        )
    report = client.get("/v1/ai/fairness?by=region", headers=officer)
    assert report.status_code == 200
    data = report.json()
    assert data["decisions"] == 2 and data["alerts"] == []  # groups too small
    assert {g["group"] for g in data["sections"][0]["groups"]} == {"east", "west"}
    assert all(g["small"] for g in data["sections"][0]["groups"])
    bad = client.get("/v1/ai/fairness?by=region;drop", headers=officer)
    assert bad.status_code == 422


def test_cli_decide_dry_run_and_policy_check(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from complydesk.cli import app as cli

    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "ai",
            "decide",
            "refund_eligibility",
            "--pack",
            "cn",
            "--today",
            "2024-03-12",
            "--inputs",
            json.dumps(LATE),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "refused"
    assert data["explanation"]["zh"] == SEED_EXPLANATION
    bad = runner.invoke(cli, ["ai", "decide", "refund_eligibility", "--inputs", "{"])
    assert bad.exit_code == 2 and "JSON" in bad.stderr
    path = tmp_path / "biased.yaml"
    path.write_text(
        "policy: biased\nversion: '1.0.0'\ntitle: t\ninputs:\n  gender: {type: text}\n"
        "rules:\n  - {id: r, check: in, field: gender, values: [a], on_fail: deny,\n"
        "      explain_fail: {zh: 不行, en: refused}}\n"
        "pass_outcome: allow\noutcomes:\n  allow: {favourable: true}\n"
        "  deny: {favourable: false}\n",
        "utf-8",
    )
    refused = runner.invoke(cli, ["ai", "policy-check", str(path)])
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "protected attribute" in refused.stderr
    shipped = runner.invoke(cli, ["ai", "ask", "我想申请七天无理由退货", "--json"])
    assert json.loads(shipped.stdout)["entry"] == "return_no_reason"
