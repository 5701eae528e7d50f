"""ADDRESS recognizer: gazetteer + street patterns, boundaries, place-name option."""

from __future__ import annotations

import pytest

from complydesk.pii.detect import Detector
from complydesk.pii.gazetteer import divisions
from complydesk.pii.recognizers.address import (
    AddressRecognizer,
)
from complydesk.pii.registry import Registry

DETECT = Detector(Registry([AddressRecognizer()]), threshold=0.0)
PLACES = Detector(Registry([AddressRecognizer(report_places=True)]), threshold=0.0)


def addresses(text: str, detector: Detector = DETECT) -> list[str]:
    return [e.text for e in detector.detect(text) if e.label == "ADDRESS"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("位于济南市新泺大街雅居园小区门对面", ["济南市新泺大街雅居园小区"]),
        ("广州市白云区太和镇谢家庄二队", ["广州市白云区太和镇谢家庄二队"]),
        (
            "地址杭州建德市新安江街道浙西商城C栋1单元501 京东商城买的",
            ["杭州建德市新安江街道浙西商城C栋1单元501"],
        ),
        (
            "北京市西城区牛街西里二区12号楼地下室二层,信号",
            ["北京市西城区牛街西里二区12号楼地下室二层"],
        ),
        ("静安区余姚路487弄70号这里", ["静安区余姚路487弄70号"]),
        ("我家在丰台区丰泽街8号院,请问", ["丰台区丰泽街8号院"]),
        ("新闸路388号电信营业厅", ["新闸路388号"]),  # road + number, stops
        ("老家地址为淄博市朱台镇宁王村.谢谢", ["淄博市朱台镇宁王村"]),
        ("地址：浦东新区张江路１２号", ["浦东新区张江路１２号"]),  # full-width digits
        ("送到广西南宁市青秀区民族大道100号😀", ["广西南宁市青秀区民族大道100号"]),
    ],
)
def test_when_postal_address_then_found(text: str, expected: list[str]) -> None:
    assert addresses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "@中国电信济南客服 你好",  # place name inside an @handle
        "中国联通北京客服",
        "我是宁波的",  # a bare city is not a postal address by default
        "宁波发货",
        "不让电信进小区",
        "回家路上看见饭店着火",
        "路由器坏了",
        "地铁线路已经开通",
        "（***市**区***路**号**层）",  # masked template
        "我喝青岛啤酒",
    ],
)
def test_when_no_postal_address_then_nothing(text: str) -> None:
    assert addresses(text) == []


def test_when_report_places_then_bare_city_found_with_low_score() -> None:
    found = PLACES.detect("我下周去北京出差")
    assert [e.text for e in found] == ["北京"]
    assert found[0].score < 0.5
    assert addresses("我喝青岛啤酒", PLACES) == []


def test_when_gazetteer_complete_then_score_high() -> None:
    (entity,) = DETECT.detect("湖南省长沙市雨花区黎郡新宇康景园8栋1单元9楼")
    assert entity.score >= 0.85


def test_when_short_forms_then_gazetteer_knows_them() -> None:
    anchors, county = divisions()
    assert {"济南", "济南市", "广西", "内蒙古", "延边"} <= set(anchors)
    assert "浦东新区" in anchors and "建德" in county


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("寄到广东省深圳市南山区科技园科苑路1号", "广东省深圳市南山区科技园科苑路1号"),
        (
            "地址：上海市浦东新区张江高科技园区碧波路690号3号楼502室",
            "上海市浦东新区张江高科技园区碧波路690号3号楼502室",
        ),
        ("送到深圳龙岗桂芳园8栋，谢谢", "深圳龙岗桂芳园8栋"),
    ],
)
def test_when_part_ends_one_suffix_short_or_unit_anchors_then_whole_address(
    text: str, address: str
) -> None:
    assert [e.text for e in DETECT.detect(text)] == [address]


@pytest.mark.parametrize("text", ["我在万达广场里面等你", "这条线路由北京市电信负责"])
def test_when_place_word_inside_phrase_then_no_address(text: str) -> None:
    assert [e for e in DETECT.detect(text) if e.score >= 0.5] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我在青岛，快递什么时候到", ["青岛"]),  # where the customer is
        ("我人在深圳,手机没有开机", ["深圳"]),
        ("我家住杭州，麻烦尽快", ["杭州"]),
        ("坐标陕西西安,宽带月租多少", ["陕西西安"]),  # chained divisions
        ("我在北京路123号", ["北京路123号"]),  # a postal address: all of it
        ("男，汉族，辽宁海城人，大学学历", ["辽宁海城"]),  # native place, not 人
        ("籍贯：浙江宁波，中共党员", ["浙江宁波"]),
        ("1954年11月出生在天津，汉族", ["天津"]),
        ("我是上海人", ["上海"]),
        ("ＡＢ我在北京", ["北京"]),  # offsets survive width folding
        ("我在青岛", ["青岛"]),  # end of string
        ("我在青岛😀快递呢", ["青岛"]),  # emoji after
        ("上海人，35岁", ["上海"]),  # start of string
        ("我在 Shenzhen，不，我在深圳", ["深圳"]),  # mixed scripts
    ],
)
def test_when_place_tied_to_person_then_reported(
    text: str, expected: list[str]
) -> None:
    assert addresses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我是上海的客户",  # 我是 + place only with 人 after it
        "从上海仓发货",  # a warehouse, nobody's location
        "快递到深圳了吗",  # the parcel's route
        "我在北京银行办的卡",  # a company
        "我在等你回复",
        "上海人民广场",  # 人 inside a word
        "这个人，",
    ],
)
def test_when_place_not_tied_to_person_then_nothing(text: str) -> None:
    assert addresses(text) == []


def test_personal_place_scores_above_default_threshold() -> None:
    from complydesk.pii import detect

    found = [e for e in detect("我在青岛，快递到了吗") if e.label == "ADDRESS"]
    assert [(e.text, e.score) for e in found] == [("青岛", 0.6)]


def test_personal_place_next_to_a_phone_number_keeps_both() -> None:
    from complydesk.pii import detect

    found = [(e.label, e.text) for e in detect("我在青岛13812345678")]
    assert found == [("ADDRESS", "青岛"), ("PHONE", "13812345678")]


def test_when_personal_places_off_then_cued_place_not_reported() -> None:
    off = Detector(Registry([AddressRecognizer(personal_places=False)]), 0.0)
    assert addresses("我在青岛，籍贯浙江宁波", off) == []
    assert addresses("我住在杭州市西湖区文三路90号", off) == ["杭州市西湖区文三路90号"]


def test_when_places_reported_then_cued_place_reported_once() -> None:
    assert addresses("我住在杭州", PLACES) == ["杭州"]
