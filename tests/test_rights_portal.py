"""The public data-request form: zh by default, a code to the contact on file.

A real webhook receiver plays the SMS gateway. The form answers the same
whether or not the identifier matched a customer, so it cannot be used to
find out who is a customer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.notify_helpers import SECRET, SECRET_ENV, FakeClock, Receiver
from tests.privacy_helpers import add_customer, deliver, payloads, write_webhooks

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.settings import Settings
from complydesk.store.db import read_transaction
from complydesk.store.models import OutboxMessage, SubjectRequest

PHONE = "13912345678"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 2, 10, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    started = Receiver(now=lambda: clock().timestamp()).start()
    yield started
    started.stop()


@pytest.fixture
def portal(
    settings: Settings,
    clock: FakeClock,
    receiver: Receiver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FastAPI, TestClient]]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    settings.webhooks_file = write_webhooks(tmp_path / "hooks.yaml", receiver.url)
    application = create_app(settings, clock=clock)
    ctx: AppContext = application.state.ctx
    add_customer(
        ctx.sessions, ctx.vault, ctx.audit, {"phone": PHONE, "name": "王小明"}, "cn"
    )
    with TestClient(application) as client:
        yield application, client


def _ref(html: str) -> str:
    found = re.search(r'name="ref" value="(R-[0-9A-F]{10})"', html)
    assert found, html
    return found.group(1)


def _counts(app: FastAPI) -> tuple[int, int]:
    ctx: AppContext = app.state.ctx
    with read_transaction(ctx.sessions) as session:
        return (
            int(session.scalar(select(func.count(SubjectRequest.id))) or 0),
            int(session.scalar(select(func.count(OutboxMessage.id))) or 0),
        )


def test_the_form_is_chinese_by_default_and_english_on_request(
    portal: tuple[FastAPI, TestClient],
) -> None:
    _, client = portal
    zh = client.get("/privacy")
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and "个人信息权利申请" in zh.text
    assert "仅由自动化决策作出的决定" in zh.text
    en = client.get("/privacy?lang=en")
    assert '<html lang="en">' in en.text and "Your personal data rights" in en.text
    assert "Delete my data (erasure)" in en.text


def test_a_matching_subject_gets_a_code_and_verifies_on_the_page(
    portal: tuple[FastAPI, TestClient],
    receiver: Receiver,
    settings: Settings,
    clock: FakeClock,
) -> None:
    app, client = portal
    ctx: AppContext = app.state.ctx
    sent = client.post(
        "/privacy/requests",
        data={"type": "erasure", "kind": "phone", "identifier": "139 1234 5678"},
    )
    assert sent.status_code == 200, sent.text
    ref = _ref(sent.text)
    assert deliver(settings, ctx.sessions, clock) == 1
    (message,) = payloads(receiver, "dsr.verification_code")
    assert message["to"] == "+8613912345678" and message["lang"] == "zh"
    assert message["request"] == ref
    wrong = "000000" if message["code"] != "000000" else "111111"
    failed = client.post("/privacy/verify", data={"ref": ref, "code": wrong})
    assert failed.status_code == 401 and "验证码错误" in failed.text
    done = client.post(
        "/privacy/verify", data={"ref": ref, "code": message["code"], "lang": "en"}
    )
    assert done.status_code == 200, done.text
    # 15 working days across Spring Festival 2026 (cn pack), shown in Shanghai time.
    assert "2026-03-09 10:00 CST" in done.text
    with read_transaction(ctx.sessions) as session:
        request = session.scalars(select(SubjectRequest)).one()
        assert request.channel == "web" and request.status == "in_progress"
        assert request.created_by == "public"
    # Asking again the same day reuses the request instead of adding one.
    clock.advance(120)
    client.post(
        "/privacy/requests",
        data={"type": "access", "kind": "phone", "identifier": PHONE},
    )
    client.post(
        "/privacy/requests",
        data={"type": "access", "kind": "phone", "identifier": PHONE},
    )
    assert _counts(app)[0] == 2


def test_no_match_reads_the_same_and_stores_nothing(
    portal: tuple[FastAPI, TestClient],
) -> None:
    app, client = portal
    matched = client.post(
        "/privacy/requests",
        data={"type": "access", "kind": "phone", "identifier": PHONE, "lang": "en"},
    )
    unmatched = client.post(
        "/privacy/requests",
        data={
            "type": "access",
            "kind": "phone",
            "identifier": "13800000000",
            "lang": "en",
        },
    )
    assert matched.status_code == unmatched.status_code == 200
    assert matched.text.replace(_ref(matched.text), "R") == unmatched.text.replace(
        _ref(unmatched.text), "R"
    )
    assert _counts(app) == (1, 1)  # only the matching subject's request and code
    decoy = client.post(
        "/privacy/verify", data={"ref": _ref(unmatched.text), "code": "123456"}
    )
    assert decoy.status_code == 401


def test_bad_input_is_refused_with_a_reason_and_no_echo(
    portal: tuple[FastAPI, TestClient],
) -> None:
    app, client = portal
    cases = [
        {"type": "access", "kind": "phone", "identifier": "call me at 555-abc"},
        {"type": "access", "kind": "email", "identifier": "no-at-sign"},
        {"type": "forget", "kind": "phone", "identifier": PHONE},
        {"type": "objection", "kind": "phone", "identifier": PHONE},
        {"type": "access", "kind": "fax", "identifier": PHONE},
    ]
    for data in cases:
        response = client.post("/privacy/requests", data=data)
        assert response.status_code == 422, data
        assert 'role="alert"' in response.text
        assert data["identifier"] not in response.text
    assert _counts(app) == (0, 0)


def test_one_network_address_is_rate_limited_before_any_lookup(
    portal: tuple[FastAPI, TestClient],
) -> None:
    """A flood from one address gets 429 + Retry-After; others are unaffected."""
    from sqlalchemy import func as sql_func

    from complydesk.api.routes.portal import SUBMITS_PER_ADDRESS, VERIFIES_PER_ADDRESS
    from complydesk.store.models import AuditEntry

    app, client = portal
    form = {"type": "access", "kind": "phone", "identifier": "13800000000"}
    limit, _ = SUBMITS_PER_ADDRESS
    for _ in range(limit):
        assert client.post("/privacy/requests", data=form).status_code == 200

    def audited() -> int:
        ctx: AppContext = app.state.ctx
        with read_transaction(ctx.sessions) as session:
            return int(session.scalar(select(sql_func.count(AuditEntry.seq))) or 0)

    before = (_counts(app), audited())
    refused = client.post(
        "/privacy/requests", data={**form, "identifier": PHONE, "lang": "en"}
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.text and PHONE not in refused.text
    assert (_counts(app), audited()) == before  # no lookup, no code, no audit
    with TestClient(app, client=("203.0.113.7", 50000)) as other:
        answered = other.post("/privacy/requests", data={**form, "identifier": PHONE})
        assert answered.status_code == 200
        ref = _ref(answered.text)
        checks, _ = VERIFIES_PER_ADDRESS
        for _ in range(checks):
            wrong = other.post("/privacy/verify", data={"ref": ref, "code": "000000"})
            assert wrong.status_code == 401
        blocked = other.post("/privacy/verify", data={"ref": ref, "code": "000000"})
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert "请求过于频繁" in blocked.text
    assert _counts(app)[0] == 1  # only the other address's request was taken
