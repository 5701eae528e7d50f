"""Backends: the FAQ bot, placeholder maps, and a real chat-completions server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from tests.chat_server import ChatServer, chat_server, url_of

from complydesk.assistant.backends import BackendError
from complydesk.assistant.backends.faq import FaqBackend, load_knowledge_base, tokenize
from complydesk.assistant.backends.openai_compat import (
    OpenAICompatBackend,
    TransferRefused,
    transfer_allowed,
)
from complydesk.assistant.backends.placeholders import TokenMaps
from complydesk.assistant.config import Endpoint, RegisteredTransfer
from complydesk.assistant.handoff import Turn
from complydesk.policy import load_pack

PHONE = "13912345678"
EMAIL = "lin.xiaoyu@example.com"
CARD = "6222020200112233445"


@pytest.fixture(scope="module")
def faq() -> FaqBackend:
    return FaqBackend(load_knowledge_base())


def test_faq_answers_in_the_customers_language_or_falls_back(faq: FaqBackend) -> None:
    assert "退货" in tokenize("我想申请七日无理由退货")
    zh = faq.answer("c", "我想申请七天无理由退货", [], lang="zh", jurisdiction="cn")
    assert zh.understood and zh.source == "return_no_reason" and "7天" in zh.text
    en = faq.answer("c", "How long does a refund take?", [], lang="en", jurisdiction="")
    assert en.understood and en.source == "refund_time" and "refund" in en.text
    miss = faq.answer("c", "今天天气怎么样", [], lang="zh", jurisdiction="cn")
    assert not miss.understood and miss.source is None and "转人工" in miss.text


def test_token_maps_are_per_conversation_consistent_and_expire() -> None:
    now = [0.0]
    maps = TokenMaps(ttl_seconds=60, clock=lambda: now[0])
    first = maps.pseudonymize("a", f"电话{PHONE}，邮箱{EMAIL}")
    assert PHONE not in first and EMAIL not in first
    assert "[PHONE_1]" in first and "[EMAIL_1]" in first
    # the same value keeps its token; another conversation has its own map
    assert maps.pseudonymize("a", f"还是{PHONE}") == "还是[PHONE_1]"
    assert maps.restore("b", "[PHONE_1]") == "[PHONE_1]"
    assert maps.restore("a", "打 [PHONE_1] 或 [PHONE_9]") == f"打 {PHONE} 或 [PHONE_9]"
    now[0] = 61.0
    assert maps.restore("a", "[PHONE_1]") == "[PHONE_1]"  # expired: nothing kept
    assert len(maps) == 1


def test_token_maps_are_safe_under_concurrency() -> None:
    maps = TokenMaps()
    errors: list[str] = []

    def worker(index: int) -> None:
        phone = f"1391234{index:04d}"
        for _ in range(20):
            token = maps.pseudonymize(f"c{index % 4}", f"电话{phone}")
            if phone in token or maps.restore(f"c{index % 4}", token) != f"电话{phone}":
                errors.append(phone)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as running:
        yield running


def _backend(
    server: ChatServer, country: str = "cn", **kw: object
) -> OpenAICompatBackend:
    endpoint = Endpoint(
        url=url_of(server), model="qwen2.5-7b-instruct", country=country
    )
    packs = {n: load_pack(n) for n in ("cn", "eu", "us-ca", "baseline")}
    return OpenAICompatBackend(endpoint, TokenMaps(), packs=packs, **kw)  # type: ignore[arg-type]


def test_model_never_receives_personal_data_and_reply_is_restored(
    server: ChatServer,
) -> None:
    backend = _backend(server, api_key="sk-test")
    history = [Turn("customer", f"我叫林晓雨，邮箱{EMAIL}"), Turn("bot", "好的")]
    answer = backend.answer(
        "conv-1",
        f"我的电话是{PHONE}，银行卡{CARD}",
        history,
        lang="zh",
        jurisdiction="cn",
    )
    assert PHONE in answer.text and CARD in answer.text
    assert "[" not in answer.text
    sent = b"".join(server.raw).decode("utf-8")
    for value in (PHONE, CARD, EMAIL, "林晓雨"):
        assert value not in sent
    body = server.received[0]
    assert body["model"] == "qwen2.5-7b-instruct"
    assert body["messages"][0]["role"] == "system"
    assert "[PHONE_1]" in body["messages"][-1]["content"]
    assert server.auth == ["Bearer sk-test"]


def test_endpoint_abroad_is_refused_unless_a_transfer_is_registered(
    server: ChatServer,
) -> None:
    backend = _backend(server, country="us")
    with pytest.raises(TransferRefused):
        backend.answer("c", "你好", [], lang="zh", jurisdiction="cn")
    assert server.received == []  # nothing left before the refusal
    # us-ca data to a US endpoint is domestic; EU data needs a registration too
    assert transfer_allowed(load_pack("us-ca"), "us", ()) == "domestic"
    assert transfer_allowed(load_pack("eu"), "us", ()) is None
    assert transfer_allowed(load_pack("eu"), "de", ()) == "domestic"
    registered = RegisteredTransfer(
        id="scc-2026-01",
        data_jurisdiction="cn",
        to_country="us",
        basis="standard contract",
    )
    allowed = _backend(server, country="us", registered=[registered])
    assert allowed.answer("c", "你好", [], lang="zh", jurisdiction="cn").understood
    assert len(server.received) == 1


def test_endpoint_errors_become_backend_errors(server: ChatServer) -> None:
    with pytest.raises(BackendError, match="HTTP 500"):
        _backend(server).answer("c", "boom", [], lang="zh", jurisdiction="cn")
    dead = Endpoint(
        url="http://127.0.0.1:9/v1", model="m", country="cn", timeout_seconds=2
    )
    backend = OpenAICompatBackend(dead, TokenMaps(), packs={"cn": load_pack("cn")})
    with pytest.raises(BackendError, match="cannot be reached"):
        backend.answer("c", "你好", [], lang="zh", jurisdiction="cn")
