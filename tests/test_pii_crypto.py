"""Encrypted tokens: exact round trips, tamper and wrong-key detection, no leaks."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complydesk.errors import InvalidInput
from complydesk.pii import Entity, Label
from complydesk.pii.crypto import (
    CLOSE,
    OPEN,
    TOKEN,
    TokenError,
    decrypt_token,
    encrypt_value,
    find_tokens,
    restore,
)
from complydesk.pii.operators import encrypt

KEY = bytes(range(32))
OTHER = bytes(range(50, 82))

SAMPLES = {
    Label.PERSON: "欧阳娜娜",
    Label.ADDRESS: "广东省深圳市南山区科技园路１号３栋",
    Label.PHONE: "＋８６ １３８-１２３４-５６７８",
    Label.EMAIL: "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    Label.CN_ID_CARD: "11010119900307123X",
    Label.BANK_CARD: "6222 0212 3456 1234",
    Label.IP_ADDRESS: "2001:db8::1",
    Label.PASSPORT: "E12345678",
    Label.LICENSE_PLATE: "京A·12345",
    Label.CN_USCC: "91110000600037341L",
    Label.QQ: "１２３４５６７８９",
    Label.WECHAT: "wxid_abc123",
    Label.HK_MACAU_PERMIT: "C12345678",
    Label.TAIWAN_PERMIT: "L12345678",
}


@pytest.mark.parametrize("label", list(Label))
def test_round_trip_every_label_in_mixed_text(label: Label) -> None:
    value = SAMPLES[label]
    text = f"客户 Alice 说：{value}。😀 end"
    start = text.index(value)
    entity = Entity(label, start, start + len(value), value, 0.9, "t")
    sealed = encrypt(text, [entity], KEY)
    assert value not in sealed
    (token,) = TOKEN.findall(sealed)
    assert f"{OPEN}enc:{label.value}:" in sealed and sealed.endswith("。😀 end")
    assert token[0] == label.value
    assert restore(sealed, KEY) == text
    assert decrypt_token(sealed[start : sealed.index(CLOSE) + 1], KEY) == (
        label.value,
        value,
    )


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1, max_size=60), prefix=st.text(max_size=20))
def test_round_trip_any_text(value: str, prefix: str) -> None:
    text = prefix + value
    entity = Entity(Label.PERSON, len(prefix), len(text), value, 0.9, "t")
    if OPEN in text:  # look-alike tokens in the input are documented to fail
        return
    assert restore(encrypt(text, [entity], KEY), KEY) == text


def test_many_tokens_and_randomised_nonces() -> None:
    a = encrypt_value("13812345678", Label.PHONE, KEY)
    b = encrypt_value("13812345678", Label.PHONE, KEY)
    assert a != b
    text = f"{a} 和 {b} 以及 {encrypt_value('a@b.cn', Label.EMAIL, KEY)}"
    assert restore(text, KEY) == "13812345678 和 13812345678 以及 a@b.cn"
    assert [label for _, _, label in find_tokens(text)] == ["PHONE", "PHONE", "EMAIL"]
    assert restore("没有令牌", KEY) == "没有令牌"


def _payload(token: str) -> bytes:
    encoded = token.split(":", 2)[2].rstrip(CLOSE)
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def _token(label: str, raw: bytes) -> str:
    encoded = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{OPEN}enc:{label}:{encoded}{CLOSE}"


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_tampered_token_is_rejected_without_leaking(position: int) -> None:
    secret = "11010119900307123X"
    token = encrypt_value(secret, Label.CN_ID_CARD, KEY)
    raw = bytearray(_payload(token))
    raw[position] ^= 0x01
    with pytest.raises(TokenError) as info:
        restore(f"身份证 {_token('CN_ID_CARD', bytes(raw))}", KEY)
    assert secret not in str(info.value)
    assert "offset 4" in str(info.value)
    assert isinstance(info.value, InvalidInput)


def test_label_swap_truncation_and_damage_are_rejected() -> None:
    token = encrypt_value("13812345678", Label.PHONE, KEY)
    with pytest.raises(TokenError, match="tampered"):
        restore(token.replace("PHONE", "QQ"), KEY)
    with pytest.raises(TokenError, match="truncated"):
        restore(_token("PHONE", _payload(token)[:20]), KEY)
    with pytest.raises(TokenError, match="damaged"):
        restore(token[:-1], KEY)
    with pytest.raises(TokenError, match="damaged"):
        restore(f"ok {token} then {OPEN}enc:PHONE:***{CLOSE}", KEY)
    with pytest.raises(TokenError, match="base64url"):
        restore(f"{OPEN}enc:PHONE:A{CLOSE}", KEY)


def test_wrong_key_is_reported_as_such() -> None:
    token = encrypt_value("张三", Label.PERSON, KEY)
    with pytest.raises(TokenError, match="different key") as info:
        restore(token, OTHER)
    assert "张三" not in str(info.value)


def test_invalid_labels_and_keys() -> None:
    with pytest.raises(InvalidInput, match="label"):
        encrypt_value("x", "bad label", KEY)
    with pytest.raises(TokenError):
        decrypt_token("not a token", KEY)
