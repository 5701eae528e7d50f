"""Operators on text and records: mask formats, redact tags, hash, apply rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from complydesk.errors import ConfigError, InvalidInput
from complydesk.pii import Detector, Entity, Label, Registry
from complydesk.pii.crypto import restore
from complydesk.pii.masking import mask_value
from complydesk.pii.operators import (
    HASH_HEX_CHARS,
    Operator,
    apply,
    apply_to_record,
    apply_to_text,
    hash_entities,
    hash_value,
    load_pii_key,
    mask,
    redact,
    redact_value,
    select,
)
from complydesk.pii.recognizers.contact import EMAIL

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
# Exact-output record tests use e-mail only, so recognizers landing later for
# other labels cannot change them; test_detect_end_to_end uses the default.
EMAIL_ONLY = Detector(Registry([EMAIL]))


def ent(text: str, value: str, label: str, start: int | None = None) -> Entity:
    begin = text.index(value) if start is None else start
    return Entity(label, begin, begin + len(value), value, 0.9, "test")


MASK_CASES = [
    (Label.PHONE, "13812345678", "138****5678"),
    (Label.PHONE, "+86 138-1234-5678", "+86 138-****-5678"),
    (Label.PHONE, "0086 13812345678", "0086 138****5678"),
    (Label.PHONE, "+8613812345678", "+86138****5678"),
    (Label.PHONE, "１３８１２３４５６７８", "１３８＊＊＊＊５６７８"),
    (Label.PHONE, "010-12345678", "010-****5678"),
    (Label.PHONE, "95588", "***88"),
    (Label.CN_ID_CARD, "11010119900307123X", "110101********123X"),
    (Label.CN_ID_CARD, "110101199003071234", "110101********1234"),
    (Label.PERSON, "张三", "张*"),
    (Label.PERSON, "张三明", "张*明"),
    (Label.PERSON, "欧阳娜娜", "欧阳**"),
    (Label.PERSON, "欧阳修", "欧阳*"),
    (Label.PERSON, "爱新觉罗", "爱**罗"),
    (Label.PERSON, "阿卜杜·艾力", "阿**·艾*"),
    (Label.PERSON, "John Smith", "J*** S****"),
    (Label.EMAIL, "zhang@example.com", "z***@example.com"),
    (Label.EMAIL, "z@example.com", "***@example.com"),
    (Label.EMAIL, "ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "ｚ＊＊＊＠ｑｑ．ｃｏｍ"),
    (Label.BANK_CARD, "6222 0212 3456 1234", "**** **** **** 1234"),
    (Label.BANK_CARD, "6222021234561234", "************1234"),
    (Label.ADDRESS, "广东省深圳市南山区科技园路1号", "广东省深圳市南山区******"),
    (Label.ADDRESS, "北京市朝阳区建国路88号", "北京市朝阳区******"),
    (Label.ADDRESS, "上海市浦东新区世纪大道100号", "上海市浦东新区********"),
    (Label.ADDRESS, "北京市朝阳区建国路８８号", "北京市朝阳区***＊＊*"),
    (Label.ADDRESS, "建国路88号", "******"),
    (Label.IP_ADDRESS, "192.168.1.20", "192.168.*.*"),
    (Label.IP_ADDRESS, "2001:db8:85a3::1", "2001:db8:****::*"),
    (Label.LICENSE_PLATE, "京A12345", "京A****5"),
    (Label.LICENSE_PLATE, "京A·12345", "京A·****5"),
    (Label.QQ, "123456789", "*****6789"),
    (Label.QQ, "12345", "*****"),
    (Label.WECHAT, "wxid_abc123", "****_**c123"),
    (Label.CN_USCC, "91110000600037341L", "**************341L"),
    (Label.PASSPORT, "E12345678", "*****5678"),
    (Label.HK_MACAU_PERMIT, "C12345678", "*****5678"),
    (Label.TAIWAN_PERMIT, "12345678", "****5678"),
    ("EMPLOYEE_ID", "EMP-123456", "***-**3456"),
]


@pytest.mark.parametrize(("label", "value", "expected"), MASK_CASES)
def test_mask_formats(label: str, value: str, expected: str) -> None:
    assert mask_value(value, label) == expected


@pytest.mark.parametrize(("label", "value", "expected"), MASK_CASES)
def test_mask_in_context_keeps_surrounding_text(
    label: str, value: str, expected: str
) -> None:
    text = f"客户说：{value}，请核实。"
    assert mask(text, [ent(text, value, label)]) == f"客户说：{expected}，请核实。"


ZH_TAGS = {
    Label.PHONE: "[手机号]",
    Label.CN_ID_CARD: "[身份证号]",
    Label.BANK_CARD: "[银行卡号]",
    Label.PERSON: "[姓名]",
    Label.ADDRESS: "[地址]",
    Label.EMAIL: "[邮箱]",
    Label.IP_ADDRESS: "[IP地址]",
    Label.PASSPORT: "[护照号]",
    Label.LICENSE_PLATE: "[车牌号]",
    Label.CN_USCC: "[统一社会信用代码]",
    Label.QQ: "[QQ号]",
    Label.WECHAT: "[微信号]",
    Label.HK_MACAU_PERMIT: "[港澳通行证号]",
    Label.TAIWAN_PERMIT: "[台湾通行证号]",
}


@pytest.mark.parametrize("label", list(Label))
def test_redact_tags_zh_and_en(label: Label) -> None:
    assert redact_value(label) == ZH_TAGS[label]
    assert redact_value(label, lang="en") == f"[{label.value}]"


def test_redact_text_and_unknown_label() -> None:
    text = "电话13812345678，工号EMP-1"
    entities = [ent(text, "13812345678", Label.PHONE), ent(text, "EMP-1", "EMP_ID")]
    assert redact(text, entities) == "电话[手机号]，工号[EMP_ID]"
    assert redact(text, entities, lang="en") == "电话[PHONE]，工号[EMP_ID]"
    with pytest.raises(InvalidInput, match="unknown language"):
        redact(text, entities, lang="fr")


def test_hash_stable_prefixed_and_key_dependent() -> None:
    first = hash_value("13812345678", Label.PHONE, KEY)
    assert first == hash_value("13812345678", Label.PHONE, KEY)
    label, _, digest = first.partition(":")
    assert label == "PHONE" and len(digest) == HASH_HEX_CHARS
    assert int(digest, 16) >= 0
    assert first != hash_value("13812345678", Label.PHONE, OTHER_KEY)
    assert first != hash_value("13812345679", Label.PHONE, KEY)
    # Same digits under another label hash differently (label is bound in).
    assert hash_value("13812345678", Label.QQ, KEY).split(":")[1] != digest


@pytest.mark.parametrize(
    ("label", "a", "b"),
    [
        (Label.PHONE, "13812345678", "+86 138-1234-5678"),
        (Label.PHONE, "13812345678", "１３８ １２３４ ５６７８"),
        (Label.PHONE, "13812345678", "0086-138-1234-5678"),
        (Label.EMAIL, "Zhang.San@Example.COM", "zhang.san@example.com"),
        (Label.EMAIL, "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com"),
        (Label.CN_ID_CARD, "11010119900307123x", "110101 19900307 123X"),
        (Label.BANK_CARD, "6222 0212 3456 1234", "6222-0212-3456-1234"),
        (Label.IP_ADDRESS, "2001:DB8:0:0::1", "2001:db8::1"),
        (Label.PERSON, "John  Smith", "john smith"),
        (Label.LICENSE_PLATE, "京A·12345", "京a12345"),
    ],
)
def test_hash_normalises_formatting_variants(label: str, a: str, b: str) -> None:
    assert hash_value(a, label, KEY) == hash_value(b, label, KEY)


def test_hash_entities_in_text() -> None:
    text = "邮箱 a@b.com 和 A@B.COM"
    entities = [ent(text, "a@b.com", Label.EMAIL), ent(text, "A@B.COM", Label.EMAIL)]
    out = hash_entities(text, entities, KEY)
    tag = hash_value("a@b.com", Label.EMAIL, KEY)
    assert out == f"邮箱 {tag} 和 {tag}"


def test_apply_replaces_from_the_end_with_growing_replacements() -> None:
    text = "张三 13812345678 a@b.com"
    entities = [
        ent(text, "a@b.com", Label.EMAIL),
        ent(text, "张三", Label.PERSON),
        ent(text, "13812345678", Label.PHONE),
    ]
    assert apply(text, entities, "redact") == "[姓名] [手机号] [邮箱]"
    assert apply(text, entities, Operator.MASK) == "张* 138****5678 ***@b.com"


def test_overlaps_are_skipped_deterministically() -> None:
    text = "卡号6222021234561234"
    card = ent(text, "6222021234561234", Label.BANK_CARD)
    inner = Entity(Label.PHONE, 4, 15, text[4:15], 0.99, "x")
    same_start = Entity(Label.QQ, 2, 10, text[2:10], 0.5, "y")
    expected = "卡号[银行卡号]"
    for order in ([card, inner, same_start], [inner, same_start, card]):
        assert redact(text, order) == expected
    assert [e.label for e in select(text, [inner, card, same_start])] == ["BANK_CARD"]


def test_entities_must_match_the_text() -> None:
    with pytest.raises(InvalidInput, match="does not match"):
        mask("abc", [Entity(Label.PERSON, 0, 2, "zz", 1.0, "t")])
    with pytest.raises(InvalidInput, match="outside"):
        mask("abc", [Entity(Label.PERSON, 2, 9, "c", 1.0, "t")])
    with pytest.raises(InvalidInput, match="does not match") as info:
        mask("secret 13812345678", [Entity(Label.PHONE, 7, 18, "x" * 11, 1, "t")])
    assert "13812345678" not in str(info.value)


def test_operator_registry_and_key_requirements() -> None:
    assert [op.value for op in Operator] == [
        "mask",
        "redact",
        "hash",
        "pseudonymize",
        "encrypt",
    ]
    assert Operator.parse(" Hash ") is Operator.HASH
    assert not Operator.MASK.needs_key and Operator.ENCRYPT.needs_key
    with pytest.raises(InvalidInput, match="mask, redact, hash"):
        Operator.parse("shred")
    for name in ("hash", "pseudonymize", "encrypt"):
        with pytest.raises(ConfigError, match="needs the PII key"):
            apply("x", [], name)
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        apply("x", [], "hash", key=b"short")


def test_load_pii_key_creates_a_private_key_file(tmp_path: Path) -> None:
    key = load_pii_key(tmp_path)
    assert len(key) == 32 and load_pii_key(tmp_path) == key
    assert (tmp_path / "pii.key").stat().st_mode & 0o777 == 0o600


def test_detect_end_to_end_with_email() -> None:
    text = "请联系 zhang.san@example.com 处理"
    assert apply_to_text(text, "mask") == "请联系 z***@example.com 处理"
    assert apply_to_text(text, "redact", lang="en") == "请联系 [EMAIL] 处理"
    hashed = apply_to_text(text, "hash", key=KEY)
    assert hashed == f"请联系 {hash_value('zhang.san@example.com', 'EMAIL', KEY)} 处理"
    token_text = apply_to_text(text, "encrypt", key=KEY)
    assert "zhang" not in token_text and restore(token_text, KEY) == text


RECORD = {
    "id": 7,
    "customer": {
        "email": "li.si@example.com",
        "notes": ["回访 li.si@example.com", {"cc": "WANG@example.org"}, None],
        "vip": True,
    },
    "tags": ("a@b.io", 3.5),
    "subject": "无个人信息",
}


def test_apply_to_record_nested_and_copies() -> None:
    out = apply_to_record(RECORD, "redact", detector=EMAIL_ONLY)
    assert out == {
        "id": 7,
        "customer": {
            "email": "[邮箱]",
            "notes": ["回访 [邮箱]", {"cc": "[邮箱]"}, None],
            "vip": True,
        },
        "tags": ("[邮箱]", 3.5),
        "subject": "无个人信息",
    }
    assert RECORD["customer"]["email"] == "li.si@example.com"  # type: ignore[index]
    assert out["customer"] is not RECORD["customer"]


def test_apply_to_record_with_keyed_operators() -> None:
    hashed = apply_to_record(RECORD, Operator.HASH, key=KEY, detector=EMAIL_ONLY)
    assert hashed["customer"]["email"] == hash_value("li.si@example.com", "EMAIL", KEY)
    assert hashed["customer"]["notes"][0].endswith(hashed["customer"]["email"])
    fake = apply_to_record(RECORD, "pseudonymize", key=KEY, detector=EMAIL_ONLY)
    assert fake["customer"]["email"].endswith(
        ("example.com", "example.net", "example.org")
    )
    assert fake == apply_to_record(RECORD, "pseudonymize", key=KEY, detector=EMAIL_ONLY)
    sealed = apply_to_record(RECORD, "encrypt", key=KEY, detector=EMAIL_ONLY)
    assert restore(sealed["customer"]["notes"][0], KEY) == "回访 li.si@example.com"
    with pytest.raises(InvalidInput, match="JSON object"):
        apply_to_record(["not", "a", "dict"], "mask")  # type: ignore[arg-type]
