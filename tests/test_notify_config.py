"""Endpoint config validation, signatures, payload guard and retry policy (no DB)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from complydesk.errors import ConfigError, InvalidInput
from complydesk.notify import (
    Endpoint,
    RetryPolicy,
    SignatureError,
    classify,
    encode_payload,
    load_webhooks,
    signature_header,
    verify_signature,
)
from complydesk.settings import load_settings

GOOD = """
endpoints:
  - name: ops
    url: https://hooks.example.com/complydesk
    events: ["ticket.*"]
    secret_env: OPS_HOOK_SECRET
  - name: sms
    url: http://sms-gateway.internal:8080/send
    events: ["dsr.verification_code", "dsr.*.reminder"]
    secret_env: SMS_HOOK_SECRET
    timeout_seconds: 5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "webhooks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads_and_routes_events_by_glob(tmp_path: Path) -> None:
    config = load_webhooks(write(tmp_path, GOOD))
    assert [e.name for e in config.endpoints] == ["ops", "sms"]
    assert [e.name for e in config.for_event("ticket.created")] == ["ops"]
    assert [e.name for e in config.for_event("dsr.verification_code")] == ["sms"]
    assert [e.name for e in config.for_event("dsr.access.reminder")] == ["sms"]
    assert config.for_event("audit.anchored") == []
    assert config.require("sms").timeout_seconds == 5
    assert config.require("ops").timeout_seconds == 10


def test_no_file_and_an_empty_file_mean_no_endpoints(tmp_path: Path) -> None:
    assert not load_webhooks(None)
    assert not load_webhooks(write(tmp_path, ""))
    with pytest.raises(ConfigError, match="no webhook endpoint named ops"):
        load_webhooks(None).require("ops")


ENTRY = (
    "endpoints:\n"
    "  - {name: ops, url: 'https://h/x', events: ['ticket.*'], secret_env: S}\n"
)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            ENTRY.replace("https://h/x", "ftp://h/x"),
            "endpoints[0].url: must be an http",
        ),
        (
            ENTRY.replace("https://h/x", "https:///nohost"),
            "endpoints[0].url: must be an http",
        ),
        (
            ENTRY.replace("https://h/x", "https://bob:hunter2-pw@h/x"),
            "endpoints[0].url: must not embed credentials",
        ),
        (
            ENTRY.replace("https://h/x", "https://h:99999/x"),
            "endpoints[0].url: is not a valid",
        ),
        (
            ENTRY.replace("https://h/x", "https://h/x#frag"),
            "endpoints[0].url: must not have",
        ),
        (ENTRY.replace("name: ops", "name: Ops!"), "endpoints[0].name"),
        (ENTRY.replace("['ticket.*']", "[]"), "endpoints[0].events"),
        (ENTRY.replace("['ticket.*']", "['Ticket/*']"), "endpoints[0].events[0]"),
        (ENTRY.replace("secret_env: S", "secret_env: 'not-env'"), "secret_env"),
        (ENTRY.replace("secret_env: S", "secret: inline"), "endpoints[0].secret"),
        (
            ENTRY.replace("}", ", timeout_seconds: 0}"),
            "endpoints[0].timeout_seconds",
        ),
        (ENTRY + "extra: 1\n", "extra"),
        (
            "endpoints:\n"
            + "  - {name: a, url: 'https://h/x', events: ['x.*'], secret_env: S}\n" * 2,
            "endpoint name a is used twice",
        ),
        ("- just a list\n", "top level must be a mapping"),
        ("endpoints: [\n", "not valid YAML (line 2)"),
    ],
)
def test_a_bad_file_is_named_with_the_key(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_webhooks(path)
    assert needle in info.value.detail
    assert str(path) in info.value.detail
    assert "hunter2-pw" not in info.value.detail


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_webhooks(tmp_path / "nope.yaml")


def test_secrets_come_from_the_environment_only() -> None:
    endpoint = Endpoint(
        name="ops", url="https://h/x", events=["a.*"], secret_env="OPS_SECRET"
    )
    with pytest.raises(ConfigError, match="OPS_SECRET is not set"):
        endpoint.secret({})
    with pytest.raises(ConfigError, match="at least 16") as info:
        endpoint.secret({"OPS_SECRET": "short-one"})
    assert "short-one" not in info.value.detail
    assert endpoint.secret({"OPS_SECRET": "x" * 16}) == b"x" * 16
    assert not endpoint.has_secret({}) and endpoint.has_secret({"OPS_SECRET": "v"})


def test_settings_read_the_webhooks_file_and_interval_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.setenv("COMPLYDESK_WEBHOOKS_FILE", str(path))
    monkeypatch.setenv("COMPLYDESK_NOTIFY_INTERVAL_SECONDS", "2.5")
    settings = load_settings()
    assert settings.webhooks_file == path
    assert settings.notify_interval_seconds == 2.5
    monkeypatch.delenv("COMPLYDESK_NOTIFY_INTERVAL_SECONDS")
    assert load_settings().notify_interval_seconds == 5
    with pytest.raises(ConfigError, match="notify_interval_seconds"):
        load_settings(notify_interval_seconds=0)


SECRET = b"receiver-shared-secret-123"
BODY = b'{"data":{},"event":"ticket.created","id":"d-1"}'


def test_signature_round_trip() -> None:
    now = int(time.time())
    header = signature_header(SECRET, BODY, now)
    assert header.startswith(f"t={now},v1=") and len(header.split("v1=")[1]) == 64
    verify_signature(SECRET, header, BODY)
    verify_signature(SECRET.decode(), header, BODY, now=now + 299)
    # A receiver mid-rotation may be sent several v1 values; any match passes.
    verify_signature(SECRET, f"t={now},v1={'0' * 64},v1={header[-64:]}", BODY)


@pytest.mark.parametrize(
    ("secret", "header", "body", "needle"),
    [
        (SECRET, None, BODY, "missing"),
        (SECRET, "", BODY, "missing"),
        (SECRET, "v1=abc", BODY, "needs t= and v1="),
        (SECRET, "garbage", BODY, "malformed"),
        (SECRET, "SIGNED", BODY + b" ", "does not match"),
        (b"another-secret-entirely", "SIGNED", BODY, "does not match"),
        (SECRET, "STALE", BODY, "outside the allowed window"),
        (SECRET, "t=1,v1=é", BODY, "outside"),
    ],
)
def test_bad_signatures_are_refused(
    secret: bytes, header: str | None, body: bytes, needle: str
) -> None:
    now = int(time.time())
    if header == "SIGNED":
        header = signature_header(SECRET, BODY, now)
    elif header == "STALE":
        header = signature_header(SECRET, BODY, now - 301)
    with pytest.raises(SignatureError, match=needle):
        verify_signature(secret, header, body, now=now)


def test_a_non_ascii_mac_is_refused_not_crashing() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(SECRET, "t=100,v1=é", BODY, now=100)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (301, "dead"),
        (400, "dead"),
        (401, "dead"),
        (404, "dead"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
    ],
)
def test_http_statuses_are_classified(status: int, kind: str) -> None:
    outcome = classify(status)
    assert outcome.kind == kind and outcome.http_status == status


def test_retry_after_seconds_are_read() -> None:
    assert classify(503, "120").retry_after == 120
    assert classify(503, "Wed, 21 Oct 2026 07:28:00 GMT").retry_after is None


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy()
    ceilings = [policy.ceiling(n) for n in range(1, 11)]
    assert ceilings == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert policy.backoff(1, 0.0).total_seconds() == 15
    assert policy.backoff(1, 0.999).total_seconds() == pytest.approx(30, abs=0.1)
    assert policy.backoff(20, 0.5).total_seconds() == 2700
    with pytest.raises(InvalidInput):
        RetryPolicy(max_attempts=0)
    with pytest.raises(InvalidInput):
        RetryPolicy(base_seconds=10, cap_seconds=5)


def test_payload_guard_lets_ids_and_dates_through() -> None:
    payload = {
        "ticket": "T-1234567ABC",
        "due": "2026-03-02",
        "at": "2026-03-02T09:00:00+00:00",
        "count": 12345678,
        "flags": [True, None, 1.5],
        "meta": {"queue": "billing"},
    }
    assert json.loads(encode_payload(payload)) == payload


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"email": "li.wei@example.com"}, "payload field email looks like personal"),
        ({"phone": "+1 (415) 555-0100"}, "payload field phone looks like personal"),
        ({"x": {"id": "110101199003077777"}}, "payload field x.id looks like"),
        ({"list": ["ok", "13800138000"]}, "payload field list[1] looks like"),
        ({"x": float("nan")}, "finite"),
        ({"x": b"bytes"}, "type bytes"),
        ({"x": {"a": {"b": {"c": {"d": 1}}}}}, "nested too deeply"),
        ({"x": "y" * 9000}, "exceeds 8192 bytes"),
        ({"": 1}, "not a short string"),
        ({"x": "nul\x00"}, "NUL"),
    ],
)
def test_payload_guard_refuses_accidents_without_echoing_them(
    payload: dict[str, object], needle: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        encode_payload(payload)
    assert needle in info.value.detail
    for value in ("li.wei", "555-0100", "13800138000", "1101011990"):
        assert value not in info.value.detail


def test_declared_personal_fields_may_carry_contact_data() -> None:
    payload = {"to": "+8613800138000", "code": "482913", "ticket": "T-1"}
    assert json.loads(encode_payload(payload, personal=("to",))) == payload
    with pytest.raises(InvalidInput, match="payload lacks"):
        encode_payload(payload, personal=("phone",))
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        encode_payload(["not", "a", "dict"])  # type: ignore[arg-type]


def test_the_receiver_snippet_in_the_docs_verifies_our_signatures() -> None:
    doc = Path(__file__).parent.parent / "docs" / "notifications.md"
    [snippet] = re.findall(r"```python\n(import hashlib.*?)```", doc.read_text(), re.S)
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    verify = namespace["verify"]
    header = signature_header(SECRET, BODY, int(time.time()))
    assert verify(SECRET.decode(), header, BODY) is True
    assert verify(SECRET.decode(), header, BODY + b"x") is False
    assert verify("another-secret-entirely", header, BODY) is False
    stale = signature_header(SECRET, BODY, int(time.time()) - 600)
    assert verify(SECRET.decode(), stale, BODY) is False
