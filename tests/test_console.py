"""Console login with a session cookie, per-role navigation, language switch."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.helpers import PASSWORD, add_user_with_token

from complydesk.api.deps import AppContext
from complydesk.demo import load_demo
from complydesk.identity import Role
from complydesk.store.db import transaction


def _login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    response = client.post(
        "/login", data={"username": username, "password": password, "next": "/"}
    )
    return response.status_code


def test_login_sets_cookie_and_logout_ends_session(
    client: TestClient, app: FastAPI
) -> None:
    add_user_with_token(app.state.ctx.sessions, "ann", Role.AGENT)
    assert client.get("/").status_code == 303
    assert _login(client, "ann") == 303
    home = client.get("/")
    assert home.status_code == 200 and "ann" in home.text
    assert client.post("/logout").status_code == 303
    client.cookies.clear()
    assert client.get("/").status_code == 303


def test_wrong_password_is_401_and_audited(client: TestClient, app: FastAPI) -> None:
    add_user_with_token(app.state.ctx.sessions, "ann", Role.AGENT)
    assert _login(client, "ann", "not the password") == 401
    audit = client  # the audit page needs a reader
    add_user_with_token(app.state.ctx.sessions, "aud", Role.AUDITOR)
    assert _login(audit, "aud") == 303
    page = audit.get("/console/audit")
    assert page.status_code == 200
    assert "session.login" in page.text and "denied" in page.text


def test_agent_sees_tickets_but_not_the_audit_page(
    client: TestClient, app: FastAPI
) -> None:
    ctx: AppContext = app.state.ctx
    with transaction(ctx.sessions) as session:
        load_demo(session, ctx.settings, ctx.audit, ctx.vault)
    add_user_with_token(ctx.sessions, "ann", Role.AGENT)
    _login(client, "ann")
    tickets = client.get("/console/tickets")
    assert tickets.status_code == 200 and "DEMO-C001" in tickets.text
    assert "/console/audit" not in client.get("/").text
    assert client.get("/console/audit").status_code == 403


def test_console_is_chinese_by_default_with_english_switch(
    client: TestClient, app: FastAPI
) -> None:
    assert "登录" in client.get("/login").text
    english = client.get("/login?lang=en")
    assert "Sign in" in english.text
    assert "Sign in" in client.get("/login").text  # remembered in a cookie


def test_login_never_redirects_off_site(client: TestClient, app: FastAPI) -> None:
    add_user_with_token(app.state.ctx.sessions, "ann", Role.AGENT)
    response = client.post(
        "/login",
        data={"username": "ann", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/"
