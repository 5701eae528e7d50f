"""Every route x every role gets exactly its permitted answer (the matrix is law).

The table below is the specification: adding a route without adding it here
fails `test_every_route_is_in_the_table`; a route whose declared permission
drifts from the table fails `test_routes_declare_the_permission_in_the_table`.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.desk_helpers import desk_request
from tests.helpers import add_user_with_token
from tests.privacy_helpers import (
    MATRIX_IDS,
    matrix_incident,
    matrix_notification,
    seed_privacy_matrix,
)
from tests.test_console_agent import agent_request
from tests.transfer_helpers import (
    seed_transfer_matrix,
    transfer_request,
    transfer_upload,
)

from complydesk.api.deps import AppContext, permission_of
from complydesk.api.routes import ROUTERS
from complydesk.demo import load_demo
from complydesk.identity import Permission, Role, permissions_for
from complydesk.store.db import transaction
from complydesk.store.models import AuditEntry
from complydesk.web import pages

PUBLIC = "public"
AUTHENTICATED = "authenticated"
P = Permission

# (method, path) -> what it needs; True in the third slot marks console pages.
ROUTES: dict[tuple[str, str], tuple[str | Permission, bool]] = {
    ("GET", "/healthz"): (PUBLIC, False),
    ("GET", "/openapi.json"): (PUBLIC, False),
    ("GET", "/docs"): (PUBLIC, False),
    ("GET", "/docs/oauth2-redirect"): (PUBLIC, False),
    ("GET", "/redoc"): (PUBLIC, False),
    ("GET", "/v1/me"): (AUTHENTICATED, False),
    ("GET", "/v1/config"): (P.CONFIG_READ, False),
    ("GET", "/v1/policy/packs"): (P.POLICY_READ, False),
    ("GET", "/v1/policy/packs/{name}"): (P.POLICY_READ, False),
    ("GET", "/v1/audit/entries"): (P.AUDIT_READ, False),
    ("GET", "/v1/audit/verify"): (P.AUDIT_VERIFY, False),
    ("GET", "/v1/users"): (P.USERS_READ, False),
    ("POST", "/v1/users"): (P.USERS_MANAGE, False),
    ("POST", "/v1/users/{username}/tokens"): (P.USERS_MANAGE, False),
    ("POST", "/v1/customers"): (P.CUSTOMERS_WRITE, False),
    ("GET", "/v1/customers/{customer_id}"): (P.CUSTOMERS_READ, False),
    ("PATCH", "/v1/customers/{customer_id}"): (P.CUSTOMERS_WRITE, False),
    ("POST", "/v1/customers/search"): (P.CUSTOMERS_READ, False),
    ("POST", "/v1/customers/{customer_id}/unmask"): (P.PII_UNMASK, False),
    ("POST", "/v1/customers/{customer_id}/erase"): (P.CUSTOMERS_ERASE, False),
    ("GET", "/v1/desk/tickets"): (P.TICKETS_READ, False),
    ("GET", "/v1/desk/tickets/{ticket_id}"): (P.TICKETS_READ, False),
    ("GET", "/v1/desk/conversations/{conversation_id}"): (P.CONVERSATIONS_READ, False),
    ("POST", "/v1/desk/tickets"): (P.TICKETS_WRITE, False),
    ("GET", "/v1/desk/tickets/{ticket_id}/timeline"): (P.TICKETS_READ, False),
    ("POST", "/v1/desk/tickets/{ticket_id}/transitions"): (P.TICKETS_WRITE, False),
    ("POST", "/v1/desk/tickets/{ticket_id}/assign"): (P.TICKETS_ASSIGN, False),
    ("POST", "/v1/desk/tickets/{ticket_id}/escalate"): (P.TICKETS_WRITE, False),
    ("POST", "/v1/desk/tickets/{ticket_id}/notes"): (P.TICKETS_WRITE, False),
    ("POST", "/v1/desk/tickets/{ticket_id}/replies"): (P.TICKETS_WRITE, False),
    ("GET", "/v1/desk/queues"): (P.TICKETS_READ, False),
    ("POST", "/v1/desk/queues"): (P.TICKETS_ASSIGN, False),
    ("GET", "/v1/sla/at-risk"): (P.TICKETS_READ, False),
    ("GET", "/v1/track/{code}"): (PUBLIC, False),
    ("GET", "/v1/public/complaint-handling"): (PUBLIC, False),
    ("POST", "/v1/speech/check"): (P.SPEECH_CHECK, False),
    ("GET", "/login"): (PUBLIC, True),
    ("POST", "/login"): (PUBLIC, True),
    ("POST", "/logout"): (PUBLIC, True),
    ("GET", "/"): (AUTHENTICATED, True),
    ("GET", "/console/tickets"): (P.TICKETS_READ, True),
    ("GET", "/console/policy"): (P.POLICY_READ, True),
    ("GET", "/console/audit"): (P.AUDIT_VERIFY, True),
    ("GET", "/console/compliance"): (P.COMPLIANCE_DASHBOARD, True),
    ("GET", "/chat"): (PUBLIC, True),
    ("POST", "/chat/start"): (PUBLIC, True),
    ("GET", "/chat/conversation"): (PUBLIC, True),
    ("POST", "/chat/messages"): (PUBLIC, True),
    ("POST", "/chat/handoff"): (PUBLIC, True),
    ("GET", "/console/agent/queue"): (P.TICKETS_READ, True),
    ("GET", "/console/agent/tickets/{ticket_id}"): (P.TICKETS_READ, True),
    ("POST", "/console/agent/tickets/{ticket_id}/status"): (P.TICKETS_WRITE, True),
    ("POST", "/console/agent/tickets/{ticket_id}/assign"): (P.TICKETS_ASSIGN, True),
    ("POST", "/console/agent/tickets/{ticket_id}/escalate"): (P.TICKETS_WRITE, True),
    ("POST", "/console/agent/tickets/{ticket_id}/notes"): (P.TICKETS_WRITE, True),
    ("POST", "/console/agent/tickets/{ticket_id}/replies"): (P.TICKETS_WRITE, True),
    ("POST", "/console/agent/tickets/{ticket_id}/check"): (P.SPEECH_CHECK, True),
    ("POST", "/console/agent/tickets/{ticket_id}/reveal"): (P.PII_UNMASK, True),
    ("GET", "/console/handoffs"): (P.AI_HANDOFF, True),
    ("GET", "/console/handoffs/{conversation_id}"): (P.AI_HANDOFF, True),
    ("POST", "/console/handoffs/{conversation_id}/replies"): (P.AI_HANDOFF, True),
    ("POST", "/console/handoffs/{conversation_id}/check"): (P.SPEECH_CHECK, True),
    ("GET", "/track"): (PUBLIC, True),
    ("POST", "/track"): (PUBLIC, True),
    ("GET", "/complaint-handling"): (PUBLIC, True),
    ("GET", "/privacy"): (PUBLIC, True),
    ("POST", "/privacy/requests"): (PUBLIC, True),
    ("POST", "/privacy/verify"): (PUBLIC, True),
    ("POST", "/v1/rights/requests"): (P.RIGHTS_MANAGE, False),
    ("GET", "/v1/rights/requests"): (P.RIGHTS_READ, False),
    ("GET", "/v1/rights/requests/{request_id}"): (P.RIGHTS_READ, False),
    ("POST", "/v1/rights/requests/{request_id}/verification"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/verify"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/extend"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/close"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/restrict"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/rectify"): (P.RIGHTS_MANAGE, False),
    ("GET", "/v1/rights/requests/{request_id}/export"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/requests/{request_id}/erase"): (P.RIGHTS_MANAGE, False),
    ("GET", "/v1/rights/requests/{request_id}/erasure"): (P.RIGHTS_READ, False),
    ("GET", "/v1/rights/requests/{request_id}/receipt"): (P.RIGHTS_READ, False),
    ("POST", "/v1/rights/holds"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/rights/holds/{hold_id}/release"): (P.RIGHTS_MANAGE, False),
    ("GET", "/v1/rights/retention"): (P.RIGHTS_READ, False),
    ("POST", "/v1/rights/retention/run"): (P.RIGHTS_MANAGE, False),
    ("POST", "/v1/breach/incidents"): (P.BREACH_MANAGE, False),
    ("GET", "/v1/breach/incidents"): (P.BREACH_READ, False),
    ("GET", "/v1/breach/incidents/{incident_id}"): (P.BREACH_READ, False),
    ("POST", "/v1/breach/incidents/{incident_id}/notifications"): (
        P.BREACH_MANAGE,
        False,
    ),
    ("GET", "/v1/breach/incidents/{incident_id}/draft"): (P.BREACH_READ, False),
    ("POST", "/v1/breach/incidents/{incident_id}/close"): (P.BREACH_MANAGE, False),
    ("POST", "/v1/ai/conversations"): (P.AI_CONVERSE, False),
    ("GET", "/v1/ai/conversations/{conversation_id}"): (P.AI_CONVERSE, False),
    ("POST", "/v1/ai/conversations/{conversation_id}/messages"): (P.AI_CONVERSE, False),
    ("POST", "/v1/ai/conversations/{conversation_id}/handoff"): (P.AI_CONVERSE, False),
    ("GET", "/v1/ai/handoffs"): (P.AI_HANDOFF, False),
    ("POST", "/v1/ai/conversations/{conversation_id}/human-replies"): (
        P.AI_HANDOFF,
        False,
    ),
    ("POST", "/v1/ai/decisions"): (P.AI_DECIDE, False),
    ("GET", "/v1/ai/decisions/{decision_id}"): (P.AI_DECIDE, False),
    ("POST", "/v1/ai/decisions/{decision_id}/reviews"): (P.AI_DECIDE, False),
    ("GET", "/v1/ai/reviews"): (P.AI_REVIEW, False),
    ("POST", "/v1/ai/reviews/{review_id}/outcome"): (P.AI_REVIEW, False),
    ("GET", "/v1/ai/fairness"): (P.AI_FAIRNESS, False),
    ("GET", "/v1/transfer/recipients"): (P.TRANSFER_READ, False),
    ("POST", "/v1/transfer/recipients"): (P.TRANSFER_MANAGE, False),
    ("GET", "/v1/transfer/recipients/{recipient_ref}"): (P.TRANSFER_READ, False),
    ("PATCH", "/v1/transfer/recipients/{recipient_ref}"): (P.TRANSFER_MANAGE, False),
    ("POST", "/v1/transfer/recipients/{recipient_ref}/mechanisms"): (
        P.TRANSFER_MANAGE,
        False,
    ),
    ("POST", "/v1/transfer/recipients/{recipient_ref}/agreements"): (
        P.TRANSFER_MANAGE,
        False,
    ),
    ("GET", "/v1/transfer/counters"): (P.TRANSFER_READ, False),
    ("GET", "/v1/transfer/assessments"): (P.TRANSFER_READ, False),
    ("GET", "/v1/transfer/assessments/{assessment_ref}"): (P.TRANSFER_READ, False),
    ("POST", "/v1/transfer/assessments"): (P.TRANSFER_MANAGE, False),
    ("POST", "/v1/transfer/assessments/query"): (P.TRANSFER_MANAGE, False),
    ("POST", "/v1/transfer/exports"): (P.TRANSFER_MANAGE, False),
    ("POST", "/v1/transfer/exports/query"): (P.TRANSFER_MANAGE, False),
    ("GET", "/v1/transfer/exports/{assessment_ref}/download"): (
        P.TRANSFER_MANAGE,
        False,
    ),
    ("GET", "/v1/transfer/assessments/{assessment_ref}/report"): (
        P.TRANSFER_READ,
        False,
    ),
}


def _app_routes(app: FastAPI) -> dict[tuple[str, str], Any]:
    """The app's own routes plus those of every router it includes."""
    included = [r for r in app.routes if getattr(r, "path", None) is None]
    assert len(included) == len(ROUTERS) + 1, "a router is mounted outside ROUTERS"
    routes = [r for r in app.routes if getattr(r, "path", None) is not None]
    for router in [*ROUTERS, pages.router]:
        routes.extend(router.routes)
    found = {}
    for route in routes:
        methods = getattr(route, "methods", None) or set()
        for method in methods - {"HEAD"}:
            found[(method, route.path)] = route  # type: ignore[attr-defined]
    return found


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    assert set(_app_routes(app)) == set(ROUTES)


def test_routes_declare_the_permission_in_the_table(app: FastAPI) -> None:
    for key, route in _app_routes(app).items():
        if not isinstance(route, APIRoute):
            continue
        declared = [
            p
            for dep in route.dependant.dependencies
            if (p := permission_of(dep.call)) is not None  # type: ignore[arg-type]
        ]
        need, _ = ROUTES[key]
        expected = [need] if isinstance(need, Permission) else []
        assert declared == expected, key


def _request(
    client: TestClient, method: str, path: str, token: str | None, n: int
) -> int:
    concrete = (
        path.replace("{name}", "baseline")
        .replace("{username}", "agent")
        .replace("{ticket_id}", "1")
        .replace("{conversation_id}", "1")
        .replace("{customer_id}", "1")
        .replace("{request_id}", MATRIX_IDS.get((method, path), "1"))
        .replace("{hold_id}", "1")
        .replace("{incident_id}", MATRIX_IDS.get((method, path), "1"))
        .replace("{decision_id}", "1")
        .replace("{review_id}", "1")
    )
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    if (method, path) == ("POST", "/v1/users"):
        body = {"username": f"new-user-{n}", "role": "agent", "password": "x" * 16}
    elif (method, path) == ("POST", "/v1/users/{username}/tokens"):
        body = {"name": f"token-{n}"}
    elif (method, path) == ("POST", "/v1/customers"):
        body = {"name": "测试客户"}
    elif (method, path) == ("PATCH", "/v1/customers/{customer_id}"):
        body = {"address": "上海市浦东新区世纪大道100号"}
    elif (method, path) == ("POST", "/v1/customers/search"):
        body = {"phone": "13800138001"}
    elif (method, path) == ("POST", "/v1/customers/{customer_id}/unmask"):
        body = {"fields": ["name"], "reason": "access matrix check"}
    elif (method, path) == ("POST", "/v1/customers/{customer_id}/erase"):
        body = {"reason": "access matrix check"}
    elif (method, path) == ("POST", "/v1/speech/check"):
        body = {"text": "我们会尽力为您处理"}
    elif (method, path) == ("POST", "/privacy/requests"):
        data = {"type": "access", "kind": "phone", "identifier": "13800138009"}
    elif (method, path) == ("POST", "/privacy/verify"):
        data = {"ref": "R-0000000000", "code": "123456"}
    elif (method, path) == ("POST", "/v1/rights/requests"):
        body = {"customer_id": 3, "type": "access"}
    elif (method, path) == ("POST", "/v1/breach/incidents"):
        body = matrix_incident()
    elif (method, path) == ("POST", "/v1/breach/incidents/{incident_id}/notifications"):
        body = matrix_notification()
    elif (method, path) == ("GET", "/v1/breach/incidents/{incident_id}/draft"):
        concrete += "?recipient=authority&jurisdiction=cn"
    elif (method, path) == ("POST", "/v1/rights/holds"):
        body = {"customer_id": 2, "exception": "open_dispute"}
    elif (method, path) == ("POST", "/v1/rights/requests/{request_id}/verify"):
        body = {"manual_reason": "access matrix check"}
    elif (method, path) == ("POST", "/v1/rights/requests/{request_id}/extend"):
        body = {"reason": "access matrix check"}
    elif (method, path) == ("POST", "/v1/rights/requests/{request_id}/close"):
        body = {"outcome": "fulfilled"}
    elif (method, path) == ("POST", "/v1/rights/requests/{request_id}/rectify"):
        body = {"fields": {"address": "上海市浦东新区世纪大道100号"}}
    elif (method, path) == ("POST", "/login"):
        data = {"username": "nobody", "password": "wrong-password"}
    elif (method, path) == ("POST", "/v1/ai/conversations"):
        body = {"customer_id": 2}  # customer 1 was erased by an earlier route
    elif path in (
        "/v1/ai/conversations/{conversation_id}/messages",
        "/v1/ai/conversations/{conversation_id}/human-replies",
        "/chat/messages",
    ):
        body = {"text": "怎么申请七天无理由退货？"}
    elif (method, path) == ("POST", "/console/handoffs/{conversation_id}/replies"):
        data = {"text": "您好，我是客服专员，马上为您处理。"}
    elif (method, path) == ("POST", "/console/handoffs/{conversation_id}/check"):
        body = {"text": "您好，我是客服专员，马上为您处理。"}
    elif (method, path) == ("POST", "/v1/ai/decisions"):
        body = {
            "policy": "refund_eligibility",
            "customer_id": 2,
            "inputs": {
                "delivered_on": "2026-01-05",
                "category": "books",
                "condition": "unopened",
                "amount_cny": 39,
            },
        }
    elif (method, path) == ("POST", "/v1/ai/decisions/{decision_id}/reviews"):
        body = {}
    elif (method, path) == ("POST", "/v1/ai/reviews/{review_id}/outcome"):
        body = {"result": "upheld", "note": "access matrix check"}
    elif (method, path) == ("GET", "/v1/ai/fairness"):
        concrete = f"{concrete}?by=region,tier"
    desk = desk_request(client, method, path, n)
    if desk is not None:
        concrete, body, data = desk
    agent = agent_request(method, path)
    if agent is not None:
        concrete, body, data = agent
    transfer = transfer_request(method, path, n)
    if transfer is not None:
        concrete, body = transfer
    upload = transfer_upload(method, path)
    if upload is not None:
        sent = {**headers, **upload[0]}
        answer = client.request(method, concrete, headers=sent, content=upload[1])
        return answer.status_code
    response = client.request(method, concrete, headers=headers, json=body, data=data)
    return response.status_code


def _expected(need: str | Permission, page: bool, role: Role | None) -> set[int]:
    if need == PUBLIC:
        return {200, 303, 401} if page else {200}  # /login POST with bad creds: 401
    if role is None:
        return {303} if page else {401}
    if need == AUTHENTICATED or need in permissions_for(role):
        return {200, 201}
    return {403}


@pytest.fixture
def tokens(app: FastAPI) -> dict[Role, str]:
    ctx: AppContext = app.state.ctx
    with transaction(ctx.sessions) as session:
        load_demo(session, ctx.settings, ctx.audit, ctx.vault)
    seed_privacy_matrix(app)
    seed_transfer_matrix(app)
    return {
        role: add_user_with_token(ctx.sessions, f"r-{role.value}", role)
        for role in Role
    }


def _denials(app: FastAPI) -> int:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        query = select(func.count()).where(AuditEntry.action == "access.denied")
        return int(session.scalar(query) or 0)


def test_every_role_gets_exactly_its_permitted_answers(
    client: TestClient, app: FastAPI, tokens: dict[Role, str]
) -> None:
    failures = []
    counter = 0
    for (method, path), (need, page) in ROUTES.items():
        if path in {"/logout"}:
            continue  # checked below: it ends the session it is called with
        for role in [None, *Role]:
            counter += 1
            before = _denials(app)
            status = _request(
                client, method, path, tokens[role] if role else None, counter
            )
            allowed = _expected(need, page, role)
            if status not in allowed:
                failures.append(f"{method} {path} as {role}: {status}, want {allowed}")
            if status == 403 and _denials(app) != before + 1:
                failures.append(f"{method} {path} as {role}: denial not audited")
    assert not failures, "\n".join(failures)


def test_logout_is_public_and_redirects(client: TestClient) -> None:
    assert client.post("/logout").status_code == 303
