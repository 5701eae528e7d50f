"""The detection core: folding keeps offsets, overlaps resolve alike, YAML config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from complydesk.errors import ConfigError
from complydesk.pii import Detector, Entity, PatternRecognizer, Registry, fold
from complydesk.pii.recognizer import Context
from complydesk.pii.resolve import resolve
from complydesk.pii.text import Doc


def test_fold_keeps_length_and_maps_full_width_to_ascii() -> None:
    text = "电话：１３８－１２３４　５６７８，邮箱Ａ＠ｂ．ｃｎ。"
    folded = fold(text)
    assert len(folded) == len(text)
    assert "138-1234 5678" in folded and "A@b.cn" in folded
    assert folded.endswith("。")


def _e(label: str, start: int, end: int, score: float, name: str = "r") -> Entity:
    return Entity(label, start, end, "x" * (end - start), score, name)


def test_overlaps_keep_higher_score_then_longer_then_priority() -> None:
    a = _e("PHONE", 0, 11, 0.8)
    b = _e("BANK_CARD", 0, 16, 0.8)
    c = _e("QQ", 2, 9, 0.95)
    assert resolve([a, b, c]) == [c]
    assert resolve([a, b]) == [b]
    same = [_e("PERSON", 0, 3, 0.7), _e("ADDRESS", 0, 3, 0.7)]
    assert resolve(same) == resolve(list(reversed(same))) == [same[1]]


def test_resolution_is_order_independent() -> None:
    found = [_e("PHONE", 5, 16, 0.9), _e("QQ", 0, 8, 0.6), _e("EMAIL", 20, 30, 0.9)]
    assert resolve(found) == resolve(found[::-1])
    assert [e.start for e in resolve(found)] == [5, 20]


def test_context_veto_and_boost() -> None:
    recognizer = PatternRecognizer(
        name="num",
        label="BANK_CARD",
        pattern=re.compile(r"\d{6}"),
        score=0.5,
        context=Context(boost=("卡号",), veto=("订单",), window=6),
    )
    detector = Detector(Registry([recognizer]))
    assert detector.detect("卡号123456")[0].score == pytest.approx(0.8)
    assert detector.detect("订单号123456") == []
    assert detector.detect("123456")[0].score == 0.5


def test_offsets_point_into_the_original_text() -> None:
    address = "ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    text = f"请联系{address}。"
    [entity] = Detector().detect(text)
    assert text[entity.start : entity.end] == entity.text == address


def test_email_boundary_does_not_swallow_chinese() -> None:
    [entity] = Detector().detect("我的邮箱是zhang.san@example.com谢谢")
    assert entity.text == "zhang.san@example.com"


def test_yaml_config_adds_disables_and_allowlists(tmp_path: Path) -> None:
    config = tmp_path / "pii.yaml"
    config.write_text(
        "disable: [email]\n"
        "allowlist: ['EMP-000001']\n"
        "add:\n"
        "  - name: employee_id\n"
        "    label: EMPLOYEE_ID\n"
        "    pattern: 'EMP-\\d{6}'\n"
        "    score: 0.7\n"
        "    context: {boost: ['工号'], window: 4}\n",
        encoding="utf-8",
    )
    detector = Detector(Registry.from_yaml(config))
    found = detector.detect("工号EMP-123456, a@b.cn, EMP-000001")
    assert [(e.label, e.text, e.score) for e in found] == [
        ("EMPLOYEE_ID", "EMP-123456", pytest.approx(1.0))
    ]


def test_yaml_config_places_reports_bare_place_names(tmp_path: Path) -> None:
    config = tmp_path / "pii.yaml"
    config.write_text("places: true\n", encoding="utf-8")
    text = "北京今天下雨，我在青岛"
    default = [e.text for e in Detector().detect(text)]
    places = [e.text for e in Detector(Registry.from_yaml(config)).detect(text)]
    assert default == ["青岛"]  # only the place tied to a person
    assert places == ["北京", "青岛"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("disable: [nope]\n", "no recognizer 'nope'"),
        ("add:\n  - {name: x1, label: X1, pattern: '(['}\n", "add.0.pattern"),
        ("add:\n  - {name: x1, label: X1, pattern: 'a', validator: zz}\n", "validator"),
        ("surprise: 1\n", "surprise"),
        ("add: [\n", "not valid YAML"),
    ],
)
def test_bad_yaml_config_names_file_and_key(
    tmp_path: Path, content: str, needle: str
) -> None:
    config = tmp_path / "pii.yaml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Registry.from_yaml(config)
    assert needle in info.value.detail and str(config) in info.value.detail


def test_doc_context_windows() -> None:
    doc = Doc("ＡＢ卡号1234")
    assert doc.before(4, 3) == "b卡号"
    assert doc.after(4, 2) == "12"


@pytest.mark.parametrize(
    "text",
    [
        "型号E12345678",
        "订单 6011000990139424 已发货",
        "这单6581522336481847325到底什么时候到",
    ],
)
def test_default_detector_drops_weak_guesses(text: str) -> None:
    assert Detector().detect(text) == []


def test_bare_card_in_english_text_is_reported() -> None:
    [entity] = Detector().detect("Please refund to 4012888888881881 today")
    assert entity.label == "BANK_CARD"


def test_chinese_punctuation_is_not_folded_but_still_bounds_numbers() -> None:
    text = "座机（021）62345678，手机：13812345678！"
    assert fold(text) == text  # nothing an identifier could contain
    found = [(e.label, e.text) for e in Detector().detect(text)]
    assert found == [("PHONE", "（021）62345678"), ("PHONE", "13812345678")]


_ANCHOR_TEXTS = [
    "收件人：张伟，地址：北京市朝阳区建国路88号3单元501室",
    "车主王建国先生的车停在小区门口",  # 车: a cue and a surname
    "区伟明住在广州市天河区",  # 区: a surname and an address suffix
    "ＭＹ　ＮＡＭＥ　ＩＳ　Ｊｏｈｎ　Ｓｍｉｔｈ，住深圳市南山区科苑路15号",  # folds
    "My name is John Smith, Mr Lee will call",
    "@冯磊Alex 谢谢，我叫李娜",
    "好的谢谢",
]


@pytest.mark.parametrize("text", _ANCHOR_TEXTS)
def test_fused_anchor_scan_gives_what_each_recognizer_finds_alone(text: str) -> None:
    # The Detector finds candidate positions for all anchored recognizers in
    # one pass; each must report exactly what its own find() reports.
    for recognizer in Registry.builtin().recognizers:
        if not getattr(recognizer, "anchors", ()):
            continue
        alone = resolve(recognizer.find(Doc(text)))
        fused = Detector(Registry([recognizer]), threshold=0.0).detect(text)
        assert fused == alone, recognizer.name


def test_ascii_part_of_doc_drops_everything_else_and_sets_the_gates() -> None:
    doc = Doc("我的邮箱ａ＠ｂ．ｃｎ，电话１３８ 1234 5678")
    assert doc.ascii == "a@b.cn138 1234 5678" and doc.has_at and doc.has_latin
    assert doc.has_digit_run
    plain = Doc("好的，谢谢您！")
    assert plain.ascii == "" and not (plain.has_at or plain.has_latin)
    assert not plain.has_digit_run
    # Digits glued across dropped Chinese text are no run in the text itself.
    assert not Doc("12号34栋").has_digit_run


def test_has_ascii_is_implied_by_every_ascii_gate() -> None:
    # The Detector skips all ASCII-gated recognizers on texts without it.
    assert not Doc("好的，谢谢您！").has_ascii
    assert not Doc("好的, 谢谢您?!").has_ascii  # ASCII punctuation only
    for text in ("a", "１", "＠客服", "::", "12号34栋"):
        assert Doc(text).has_ascii, text


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("服务器地址是 :: 吗", "IP_ADDRESS"),  # no letter or digit at all
        ("加我微信：ｗｘｉｄ＿２０２４", "WECHAT"),
        ("@王冉 你好", "PERSON"),
    ],
)
def test_ascii_gated_recognizers_still_run_where_needed(text: str, label: str) -> None:
    assert [e.label for e in Detector().detect(text)] == [label]


def test_anchor_positions_skip_suffix_characters_without_their_partner() -> None:
    from complydesk.pii.anchors import own_positions
    from complydesk.pii.recognizers import address, person

    # 知道 / 同时 / 100元 start no address; 街道 / 胡同 / 单元 may.
    text = "我知道同时付100元，住在东四街道六条胡同3单元"
    at = [i for i in own_positions(address.ANCHORS, text) if text[i] in "道同元"]
    assert [text[i - 1 : i + 1] for i in at] == ["街道", "胡同", "单元"]
    # Cue first characters count only before a cue's second character.
    text = "我们联系客服，联系人：我叫李娜"
    assert [text[i : i + 3] for i in own_positions(person.ANCHORS, text)] == [
        "联系人",
        "我叫李",
    ]


def test_gated_recognizers_run_exactly_where_their_tests_pass() -> None:
    """The Detector's generated plan (detect._compile) calls a custom gate
    and a custom `needs` test, and the finder only where both pass."""
    from complydesk.pii.recognizer import Gated

    ticket = PatternRecognizer(
        name="ticket", label="CN_USCC", pattern=re.compile(r"TK-\d{4}"), score=0.9
    )
    calls: list[str] = []

    def needs(doc: Doc) -> bool:
        calls.append("needs")
        return "TK" in doc.folded

    def gate(doc: Doc) -> bool:
        calls.append("gate")
        return "工单" in doc.folded

    detector = Detector(Registry([Gated(ticket, gate, needs)]))
    assert [e.text for e in detector.detect("工单 TK-1234")] == ["TK-1234"]
    assert calls == ["needs", "gate"]
    calls.clear()
    assert detector.detect("TK-1234") == [] and calls == ["needs", "gate"]
    calls.clear()
    assert detector.detect("工单 1234") == [] and calls == ["needs"]
    assert Detector(Registry([])).detect("工单 TK-1234") == []
