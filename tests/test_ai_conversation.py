"""The chat flow through the API, both databases: disclose, answer, hand off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.chat_server import ChatServer, chat_server, url_of
from tests.helpers import add_user_with_token

from complydesk.api import create_app
from complydesk.api.deps import AppContext
from complydesk.errors import ConfigError
from complydesk.identity import Role
from complydesk.policy import load_pack
from complydesk.settings import Settings, load_settings
from complydesk.store.models import AuditEntry, Message

PHONE = "13912345678"


def _headers(app: FastAPI, role: Role, name: str) -> dict[str, str]:
    ctx: AppContext = app.state.ctx
    return {"Authorization": f"Bearer {add_user_with_token(ctx.sessions, name, role)}"}


def _customer(client: TestClient, headers: dict[str, str], pack: str) -> int:
    response = client.post(
        "/v1/customers", json={"name": "林晓雨", "jurisdiction": pack}, headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _audit(app: FastAPI, action: str) -> list[AuditEntry]:
    ctx: AppContext = app.state.ctx
    with ctx.sessions() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        )


def test_disclosure_first_every_ai_message_labelled_and_handoff_flow(
    app: FastAPI, client: TestClient
) -> None:
    channel = _headers(app, Role.SERVICE, "web-widget")
    agent = _headers(app, Role.AGENT, "agent-li")
    customer_id = _customer(client, channel, "cn")

    started = client.post(
        "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
    )
    assert started.status_code == 201, started.text
    chat = started.json()
    cid = chat["conversation_id"]
    first = chat["messages"][0]
    cn = load_pack("cn")
    assert first["body"] == cn.ai_disclosure.wording.value
    assert "AI" in first["body"] and "生成" in first["body"]  # GB 45438-2025 §6
    assert first["ai_generated"] and first["label"] == "AI生成"
    assert first["ai"]["kind"] == "disclosure" and first["ai"]["pack"] == "cn"

    answered = client.post(
        f"/v1/ai/conversations/{cid}/messages",
        json={"text": "我想申请七天无理由退货"},
        headers=channel,
    ).json()
    reply = answered["replies"][0]
    assert answered["handoff"] is None
    assert reply["ai"]["kind"] == "answer" and reply["label"] == "AI生成"
    assert "7天" in reply["body"]

    moved = client.post(
        f"/v1/ai/conversations/{cid}/messages",
        json={"text": f"转人工，我的电话{PHONE}"},
        headers=channel,
    ).json()
    assert moved["handoff"]["reason"] == "explicit_request"
    assert moved["handoff"]["expected_wait_seconds"] == 120  # 240 s / 2 agents
    notice = moved["replies"][0]
    assert (
        notice["ai"]["kind"] == "handoff_notice" and "预计等待约2分钟" in notice["body"]
    )

    queue = client.get("/v1/ai/handoffs", headers=agent).json()
    waiting = next(c for c in queue if c["conversation_id"] == cid)
    transcript = " ".join(m["body"] for m in waiting["messages"])
    assert PHONE not in transcript and "139****5678" in transcript
    assert waiting["state"] == "waiting_human"

    holding = client.post(
        f"/v1/ai/conversations/{cid}/messages",
        json={"text": "还要多久"},
        headers=channel,
    ).json()
    assert holding["replies"][0]["ai"]["kind"] == "handoff_notice"

    # A person's reply is speech-checked too: an absolute promise is blocked
    # and nothing reaches the customer.
    blocked = client.post(
        f"/v1/ai/conversations/{cid}/human-replies",
        json={"text": "我们保证24小时内发货，绝对没问题。"},
        headers=agent,
    )
    assert blocked.status_code == 422, blocked.text
    assert blocked.json()["verdict"] == "block" and blocked.json()["findings"]
    assert [e.outcome for e in _audit(app, "reply.check")] == ["block"]
    assert _audit(app, "ai.handoff.human_reached") == []

    human = client.post(
        f"/v1/ai/conversations/{cid}/human-replies",
        json={"text": "您好，我是客服小李，马上为您处理。"},
        headers=agent,
    )
    assert human.status_code == 200, human.text
    assert human.json()["replies"][0]["ai_generated"] is False
    assert human.json()["handoff"]["time_to_human_seconds"] >= 0
    reached = _audit(app, "ai.handoff.human_reached")
    assert len(reached) == 1 and "time_to_human_seconds" in reached[0].details

    silent = client.post(
        f"/v1/ai/conversations/{cid}/messages", json={"text": "谢谢"}, headers=channel
    ).json()
    assert silent["replies"] == []  # the bot stopped once a human replied
    view = client.get(f"/v1/ai/conversations/{cid}", headers=channel).json()
    assert view["state"] == "human"
    assert [m["sender"] for m in view["messages"]] == [
        "bot",
        "customer",
        "bot",
        "customer",
        "bot",
        "customer",
        "bot",
        "agent",
        "customer",
    ]
    assert all(m["ai"] for m in view["messages"] if m["sender"] == "bot")
    assert all(m["ai"] is None for m in view["messages"] if m["sender"] != "bot")
    for entry in _audit(app, "ai.handoff"):
        assert PHONE not in str(entry.details) and PHONE not in entry.reason


SEED_DISCLOSURE = "您好，我是AI助手，将为您服务。如果您需要人工服务，请说‘转人工’。"


@pytest.mark.parametrize("pack", ["baseline", "cn", "eu", "us-ca"])
def test_each_pack_discloses_its_own_wording_first(
    app: FastAPI, client: TestClient, pack: str
) -> None:
    channel = _headers(app, Role.SERVICE, "web-widget")
    customer_id = _customer(client, channel, pack)
    chat = client.post(
        "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
    ).json()
    first = chat["messages"][0]
    loaded = load_pack(pack)
    assert first["body"] == loaded.ai_disclosure.wording.value
    assert first["ai_generated"] is True
    assert first["label"] == loaded.ai_disclosure.message_label.value
    assert first["ai"]["kind"] == "disclosure" and first["ai"]["pack"] == pack
    if pack == "baseline":
        assert first["body"] == SEED_DISCLOSURE
    if pack == "eu":  # AI Act Art. 50(1): told at the first interaction
        assert "AI" in first["body"] and "not a person" in first["body"]
        assert "50" in loaded.ai_disclosure.wording.citation


def test_three_misunderstandings_hand_off(app: FastAPI, client: TestClient) -> None:
    channel = _headers(app, Role.SERVICE, "web-widget")
    customer_id = _customer(client, channel, "eu")
    cid = client.post(
        "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
    ).json()["conversation_id"]
    results = [
        client.post(
            f"/v1/ai/conversations/{cid}/messages", json={"text": text}, headers=channel
        ).json()
        for text in ("qwerty", "zxcvb", "asdfgh")
    ]
    assert [r["handoff"] for r in results[:2]] == [None, None]
    assert results[2]["handoff"]["reason"] == "nlu_failures"
    kinds = [m["ai"]["kind"] for m in results[2]["replies"]]
    assert kinds == ["fallback", "handoff_notice"]
    assert "human agent" in results[2]["replies"][1]["body"]


def test_handoff_button_is_idempotent_and_input_is_checked(
    app: FastAPI, client: TestClient
) -> None:
    channel = _headers(app, Role.SERVICE, "web-widget")
    customer_id = _customer(client, channel, "cn")
    cid = client.post(
        "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
    ).json()["conversation_id"]
    one = client.post(f"/v1/ai/conversations/{cid}/handoff", headers=channel).json()
    two = client.post(f"/v1/ai/conversations/{cid}/handoff", headers=channel).json()
    assert one["id"] == two["id"] and one["reason"] == "explicit_request"
    assert (
        client.post(
            "/v1/ai/conversations", json={"customer_id": 999}, headers=channel
        ).status_code
        == 404
    )
    bad = client.post(
        "/v1/ai/conversations",
        json={"customer_id": customer_id, "channel": "fax"},
        headers=channel,
    )
    assert bad.status_code == 422 and "channel" in bad.json()["detail"]
    unknown = client.post(
        "/v1/ai/conversations",
        json={"customer_id": customer_id, "pack": "atlantis"},
        headers=channel,
    )
    assert unknown.status_code == 422 and "atlantis" in unknown.json()["detail"]
    empty = client.post(
        f"/v1/ai/conversations/{cid}/messages", json={"text": ""}, headers=channel
    )
    assert empty.status_code == 422
    assert client.get("/v1/ai/conversations/999", headers=channel).status_code == 404


def _model_app(
    settings: Settings,
    tmp_path: Path,
    server: ChatServer,
    endpoint_country: str,
    recipient: str | None = None,
) -> FastAPI:
    config = tmp_path / "ai.yaml"
    config.write_text(
        "backend: openai_compat\nendpoint:\n"
        f"  url: {url_of(server)}\n  model: qwen2.5-7b-instruct\n"
        f"  country: {endpoint_country}\n"
        + (f"  transfer_recipient: {recipient}\n" if recipient else ""),
        "utf-8",
    )
    custom = load_settings(
        database_url=settings.sqlalchemy_url,
        data_dir=settings.data_dir,
        ai_config_file=config,
        country="CN",
    )
    return create_app(custom)


@pytest.fixture
def model_app(
    settings: Settings, tmp_path: Path
) -> Iterator[tuple[FastAPI, ChatServer]]:
    with chat_server() as server:
        yield _model_app(settings, tmp_path, server, "cn"), server


def test_endpoint_abroad_without_a_registered_recipient_hands_off(
    settings: Settings, tmp_path: Path
) -> None:
    with chat_server() as server:
        app = _model_app(settings, tmp_path, server, "us")
        with TestClient(app) as client:
            channel = _headers(app, Role.SERVICE, "web-widget")
            customer_id = _customer(client, channel, "cn")
            cid = client.post(
                "/v1/ai/conversations",
                json={"customer_id": customer_id},
                headers=channel,
            ).json()["conversation_id"]
            turn = client.post(
                f"/v1/ai/conversations/{cid}/messages",
                json={"text": f"我的电话是{PHONE}，订单怎么还没到"},
                headers=channel,
            ).json()
            refused = _audit(app, "ai.transfer.refused")
        assert server.raw == []  # nothing left the country
        assert turn["handoff"]["reason"] == "transfer_refused"
        assert len(refused) == 1 and refused[0].reason == "transfer_recipient_missing"


def test_endpoint_abroad_with_a_registered_valid_transfer_is_called(
    settings: Settings, tmp_path: Path
) -> None:
    """The allowed path: a recipient in the endpoint's country whose mechanisms
    pass lets the call through (still with placeholders); suspend it and the
    next call is refused, so the gate is asked on every call."""
    from tests.transfer_helpers import add_contract, register

    from complydesk.transfer import registry

    with chat_server() as server:
        app = _model_app(settings, tmp_path, server, "sg", recipient="acme-sg")
        ctx: AppContext = app.state.ctx
        register(ctx.sessions, ctx.audit)
        add_contract(ctx.sessions, ctx.audit)
        with TestClient(app) as client:
            channel = _headers(app, Role.SERVICE, "web-widget")
            customer_id = _customer(client, channel, "cn")
            cid = client.post(
                "/v1/ai/conversations",
                json={"customer_id": customer_id},
                headers=channel,
            ).json()["conversation_id"]
            turn = client.post(
                f"/v1/ai/conversations/{cid}/messages",
                json={"text": f"我的电话是{PHONE}，订单怎么还没到"},
                headers=channel,
            ).json()
            assert turn["handoff"] is None, turn
            reply = turn["replies"][0]
            assert reply["ai"]["kind"] == "answer"
            assert reply["ai"]["model"] == "qwen2.5-7b-instruct"
            assert "139****5678" in reply["body"]  # restored, shown masked
            assert len(server.received) == 1  # the call went abroad, as registered
            assert PHONE not in b"".join(server.raw).decode("utf-8")
            assert "[PHONE_1]" in server.received[0]["messages"][-1]["content"]
            assert _audit(app, "ai.transfer.refused") == []

            from complydesk.store.db import transaction

            with transaction(ctx.sessions) as session:
                registry.update_recipient(
                    session,
                    ctx.audit,
                    "test",
                    registry.get_recipient(session, "acme-sg"),
                    {"status": "suspended"},
                    ctx.clock(),
                )
            blocked = client.post(
                f"/v1/ai/conversations/{cid}/messages",
                json={"text": "还有一个问题"},
                headers=channel,
            ).json()
            refused = _audit(app, "ai.transfer.refused")  # before the app closes
        assert len(server.received) == 1  # nothing more left
        assert blocked["handoff"]["reason"] == "transfer_refused"
        assert len(refused) == 1 and refused[0].reason == "transfer_blocked"


def test_model_backend_blocked_human_claim_and_pii_never_leaves(
    model_app: tuple[FastAPI, ChatServer],
) -> None:
    app, server = model_app
    with TestClient(app) as client:
        channel = _headers(app, Role.SERVICE, "web-widget")
        customer_id = _customer(client, channel, "cn")
        cid = client.post(
            "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
        ).json()["conversation_id"]
        said = client.post(
            f"/v1/ai/conversations/{cid}/messages",
            json={"text": f"我的新号码是{PHONE}，请更新"},
            headers=channel,
        ).json()["replies"][0]
        # the reply came back restored, and is shown masked like every message
        assert said["ai"]["model"] == "qwen2.5-7b-instruct"
        assert "139****5678" in said["body"]
        blocked = client.post(
            f"/v1/ai/conversations/{cid}/messages",
            json={"text": "你是真人吗"},
            headers=channel,
        ).json()["replies"][0]
        assert blocked["ai"]["kind"] == "replaced"
        assert "真人客服" not in blocked["body"] and "AI助手" in blocked["body"]
        assert len(_audit(app, "ai.reply.blocked")) == 1
        ctx: AppContext = app.state.ctx
        with ctx.sessions() as session:
            rows = session.scalars(
                select(Message).where(Message.conversation_id == cid)
            )
            bodies = [ctx.vault.reveal(m, ["body"])["body"] for m in rows]
    assert PHONE not in b"".join(server.raw).decode("utf-8")
    assert any(PHONE in (b or "") for b in bodies if b and "收到" in b)


def test_disclosure_cannot_be_switched_off_where_required(
    settings: Settings, tmp_path: Path
) -> None:
    from complydesk.assistant.disclosure import disclosure_for

    with pytest.raises(ConfigError, match="cannot be turned off"):
        disclosure_for(load_pack("eu"), enabled=False)
    config = tmp_path / "ai.yaml"
    config.write_text("disclosure_enabled: false\n", "utf-8")
    custom = load_settings(
        database_url=settings.sqlalchemy_url,
        data_dir=settings.data_dir,
        ai_config_file=config,
    )
    app = create_app(custom)
    with TestClient(app, raise_server_exceptions=False) as client:
        channel = _headers(app, Role.SERVICE, "web-widget")
        customer_id = _customer(client, channel, "eu")
        response = client.post(
            "/v1/ai/conversations", json={"customer_id": customer_id}, headers=channel
        )
    assert response.status_code == 500
    assert "cannot be turned off" in response.json()["detail"]


def test_timeout_trigger_uses_the_conversation_clock(
    app: FastAPI, client: TestClient
) -> None:
    from complydesk.assistant.service import build_assistant
    from complydesk.store.db import transaction

    ctx: AppContext = app.state.ctx
    now = [ctx.clock()]
    assistant = build_assistant(ctx.settings, ctx.vault, ctx.audit, lambda: now[0])
    from complydesk.store.models import Customer

    with transaction(ctx.sessions) as session:
        key = ctx.vault.new_subject()
        customer = Customer(
            ref="C-T1", jurisdiction="cn", created_at=now[0], key_ref=key.key_ref
        )
        session.add(customer)
        session.flush()
        chat = assistant.start(session, customer.id, actor="test")
        now[0] += timedelta(minutes=4)
        turn: Any = assistant.customer_message(
            session, chat.conversation_id, "然后呢？", actor="test"
        )
    assert turn.handoff is not None and turn.handoff.reason == "ai_timeout"
