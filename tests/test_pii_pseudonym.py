"""Pseudonyms: deterministic per key, different across keys, and valid fakes.

Validity is checked here independently of complydesk's own code (MOD 11-2,
Luhn via python-stdnum, USCC via python-stdnum), so a bug in the generator's
check-digit code cannot hide itself.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import uscc

from complydesk.pii import Entity, Label
from complydesk.pii.operators import pseudonymize
from complydesk.pii.pseudonym import REGION_CODES, normalize, pseudonymize_value

KEY = bytes(range(32))
OTHER = bytes(range(100, 132))
keys = st.binary(min_size=32, max_size=32)

MOBILE = re.compile(r"^1(3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}$")
PLATE = re.compile(r"^[\u4e00-\u9fff][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}$")


def mod11_2_ok(number: str) -> bool:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


def id_card_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number) or not mod11_2_ok(number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today() and number[:6] in REGION_CODES


def with_mod11(body: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


phones = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(["138", "150", "186", "199", "177"]),
    st.text("0123456789", min_size=8, max_size=8),
)
id_cards = st.builds(
    lambda region, born, seq: with_mod11(f"{region}{born:%Y%m%d}{seq}"),
    st.sampled_from(["110101", "310115", "440305", "510107", "654321"]),
    st.dates(date(1930, 1, 1), date(2020, 12, 31)),
    st.text("0123456789", min_size=3, max_size=3),
)
cards = st.builds(
    lambda prefix, body: body_with_luhn(prefix + body),
    st.sampled_from(["62", "4", "51", "35"]),
    st.text("0123456789", min_size=12, max_size=15),
)


def body_with_luhn(payload: str) -> str:
    return payload + luhn.calc_check_digit(payload)


usccs = st.builds(
    lambda body: body + uscc.calc_check_digit(body),
    st.builds(
        lambda head, region, org: head + region + org,
        st.sampled_from(["91", "92", "11", "52"]),
        st.sampled_from(["110000", "440300", "310115"]),
        st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
    ),
)


@settings(max_examples=150, deadline=None)
@given(value=phones, key=keys)
def test_phone_fakes_are_valid_mobiles_and_stable(value: str, key: bytes) -> None:
    fake = pseudonymize_value(value, Label.PHONE, key)
    assert MOBILE.match(fake)
    assert fake == pseudonymize_value(value, Label.PHONE, key)
    spaced = f"+86 {value[:3]}-{value[3:7]}-{value[7:]}"
    shaped = pseudonymize_value(spaced, Label.PHONE, key)
    assert shaped == f"+86 {fake[:3]}-{fake[3:7]}-{fake[7:]}"


@settings(max_examples=150, deadline=None)
@given(value=id_cards, key=keys)
def test_id_card_fakes_pass_mod11_2_with_a_real_date(value: str, key: bytes) -> None:
    assert mod11_2_ok(value)
    fake = pseudonymize_value(value, Label.CN_ID_CARD, key)
    assert id_card_ok(fake), fake
    kept = pseudonymize_value(value, Label.CN_ID_CARD, key, preserve_demographics=True)
    assert id_card_ok(kept)
    assert int(kept[16]) % 2 == int(value[16]) % 2  # gender parity
    if int(value[6:10]) < 2020:
        assert kept[6:9] == value[6:9]  # decade of birth


@settings(max_examples=150, deadline=None)
@given(value=cards, key=keys)
def test_bank_card_fakes_keep_length_family_and_luhn(value: str, key: bytes) -> None:
    fake = pseudonymize_value(value, Label.BANK_CARD, key)
    assert luhn.is_valid(fake) and len(fake) == len(value)
    assert fake[:2] == value[:2]
    grouped = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    assert pseudonymize_value(grouped, Label.BANK_CARD, key).replace(" ", "") == fake


@settings(max_examples=150, deadline=None)
@given(value=usccs, key=keys)
def test_uscc_fakes_pass_the_check_digit(value: str, key: bytes) -> None:
    fake = pseudonymize_value(value, Label.CN_USCC, key)
    assert uscc.is_valid(fake) and fake[:2] == value[:2]


@settings(max_examples=100, deadline=None)
@given(
    local=st.from_regex(r"[a-z][a-z0-9._]{0,15}", fullmatch=True),
    domain=st.sampled_from(["qq.com", "163.com", "corp.cn"]),
    key=keys,
)
def test_email_fakes_use_reserved_domains(local: str, domain: str, key: bytes) -> None:
    value = f"{local}@{domain}"
    fake = pseudonymize_value(value, Label.EMAIL, key)
    assert re.fullmatch(r"[a-z]+\.[a-z]+\d{2,4}@example\.(com|net|org)", fake)
    assert pseudonymize_value(value.upper(), Label.EMAIL, key) == fake


@settings(max_examples=100, deadline=None)
@given(value=st.ip_addresses(), key=keys)
def test_ip_fakes_are_documentation_addresses(
    value: ipaddress.IPv4Address | ipaddress.IPv6Address, key: bytes
) -> None:
    fake = ipaddress.ip_address(pseudonymize_value(str(value), Label.IP_ADDRESS, key))
    assert fake.version == value.version
    if fake.version == 4:
        nets = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]
        assert any(fake in ipaddress.ip_network(n) for n in nets)
    else:
        assert fake in ipaddress.ip_network("2001:db8::/32")


@pytest.mark.parametrize(
    ("label", "value", "check"),
    [
        (Label.PERSON, "张三", r"[\u4e00-\u9fff]{2}"),
        (Label.PERSON, "张三明", r"[\u4e00-\u9fff]{3}"),
        (Label.PERSON, "John Smith", r"[A-Z][a-z]+ [A-Z][a-z]+"),
        (Label.ADDRESS, "广东省深圳市南山区科技园路1号", r"广东省深圳市南山区\S+\d+号"),
        (
            Label.ADDRESS,
            "北京市朝阳区建国路88号3栋201室",
            r"北京市朝阳区\S+号\d+栋\d+室",
        ),
        (Label.ADDRESS, "建国路88号", r"\S+[省市]\S+区\S+\d+号"),
        (Label.LICENSE_PLATE, "京A12345", r"京[A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}"),
        (Label.LICENSE_PLATE, "粤BD12345", r"粤[A-HJ-NP-Z]D\d{5}"),
        (Label.LICENSE_PLATE, "京A·12345", r"京[A-HJ-NP-Z]·\d{5}"),
        (Label.QQ, "123456789", r"[1-9]\d{8}"),
        (Label.WECHAT, "wxid_abc123", r"[a-z]{4}_[a-z]{3}\d{3}"),
        (Label.PASSPORT, "E12345678", r"E\d{8}"),
        (Label.PASSPORT, "EA1234567", r"E[A-Z]\d{7}"),
        (Label.HK_MACAU_PERMIT, "C12345678", r"C\d{8}"),
        (Label.TAIWAN_PERMIT, "L12345678", r"L\d{8}"),
        (Label.TAIWAN_PERMIT, "12345678", r"\d{8}"),
        (Label.PHONE, "010-12345678", r"010-[2-8]\d{7}"),
        (Label.PHONE, "１３８１２３４５６７８", r"１[３-９][０-９]{9}"),
        (Label.CN_ID_CARD, "110101900307123", r"\d{15}"),
        ("EMPLOYEE_ID", "EMP-123456", r"[A-Z]{3}-\d{6}"),
    ],
)
def test_format_preserving_fakes(label: str, value: str, check: str) -> None:
    fake = pseudonymize_value(value, label, KEY)
    assert re.fullmatch(check, fake), fake
    assert fake == pseudonymize_value(value, label, KEY)
    assert fake != value
    if label == Label.LICENSE_PLATE:
        assert PLATE.match(fake.replace("·", ""))


@pytest.mark.parametrize(
    ("label", "value"),
    [
        (Label.PHONE, "13812345678"),
        (Label.CN_ID_CARD, "11010119900307123X"),
        (Label.BANK_CARD, "6222021234561234"),
        (Label.EMAIL, "zhang@qq.com"),
        (Label.PERSON, "张三明"),
        (Label.CN_USCC, "91110000600037341L"),
        (Label.QQ, "123456789"),
        (Label.WECHAT, "wxid_abc123"),
    ],
)
def test_different_keys_give_different_fakes(label: str, value: str) -> None:
    assert pseudonymize_value(value, label, KEY) != pseudonymize_value(
        value, label, OTHER
    )


def test_normalize_folds_formatting() -> None:
    assert normalize(Label.PHONE, "+86 138-1234-5678") == "13812345678"
    assert normalize(Label.EMAIL, "Ａ@Ｂ．com") == "a@b.com"
    assert normalize(Label.CN_ID_CARD, "110101 19900307 123x") == "11010119900307123X"
    assert normalize(Label.PERSON, " 张 三 ") == "张三"


def test_pseudonymize_text_consistently_across_mentions() -> None:
    text = "客户13812345678再次来电，回拨 138-1234-5678。"
    entities = [
        Entity(Label.PHONE, 2, 13, "13812345678", 0.9, "t"),
        Entity(Label.PHONE, 21, 34, "138-1234-5678", 0.9, "t"),
    ]
    out = pseudonymize(text, entities, KEY)
    fake = pseudonymize_value("13812345678", Label.PHONE, KEY)
    assert out == f"客户{fake}再次来电，回拨 {fake[:3]}-{fake[3:7]}-{fake[7:]}。"
