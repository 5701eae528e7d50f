"""PERSON recognizer: cue-driven names, tight boundaries, common-word negatives."""

from __future__ import annotations

import pytest

from complydesk.pii.detect import Detector
from complydesk.pii.recognizers.person import PersonRecognizer
from complydesk.pii.registry import Registry

DETECT = Detector(Registry([PersonRecognizer()]))
BARE = Detector(Registry([PersonRecognizer(bare_names=True)]))


def names(text: str, detector: Detector = DETECT) -> list[str]:
    return [e.text for e in detector.detect(text) if e.label == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我叫张伟，电话13800000000", ["张伟"]),  # cue 我叫
        ("你好我叫欧阳娜娜的", ["欧阳娜娜"]),  # compound surname, stops at 的
        ("收件人：诸葛亮 电话", ["诸葛亮"]),  # field cue, full-width colon
        ("联系人郭焱  联系电话", ["郭焱"]),
        ("机主姓名：石健.", ["石健"]),
        ("姓名:李建国,地址", ["李建国"]),
        ("好的,秦小姐！请将手机号私信", ["秦"]),  # surname + title
        ("联系张建国先生处理", ["张建国"]),  # surname + given + title
        ("麻烦罗老师帮忙指导", ["罗"]),
        ("区域经理郑翔189-8806-0007", ["郑翔"]),  # title as prefix cue
        ("（专员小芹）", ["小芹"]),  # agent nickname after 专员
        ("我是王小明，想问下", ["王小明"]),
        ("My name is John Smith.", ["John Smith"]),
        ("name: Li Wei", ["Li Wei"]),
        ("我叫张伟😀谢谢", ["张伟"]),  # emoji after the name
        ("我叫ＪＯＨＮ", []),  # full-width Latin after a Chinese cue: not a name
    ],
)
def test_when_cue_then_name_found(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "很高兴为您服务",  # 高兴
        "张开嘴巴",  # 张开
        "我在玩王者荣耀",
        "您好，客服为您服务",
        "我是中国电信广东客服小编",  # company, not a name
        "请提供您的姓名和联系方式",  # 和 is no surname here
        "用户名和密码",
        "我是宁波的",  # a city, not a name
        "电信管理老师说",  # 管理 + 老师
        "体育老师教的",
        "我是小米的",  # brand nickname
        "I am Sorry",
        "@张伟客服 你好",  # inside an @handle
    ],
)
def test_when_common_word_then_no_name(text: str) -> None:
    assert names(text) == []


def test_when_bare_name_without_cue_then_only_in_bare_mode() -> None:
    text = "，王建国、"
    assert names(text) == []
    assert names(text, BARE) == ["王建国"]


def test_when_cue_backed_then_score_high() -> None:
    (entity,) = DETECT.detect("我叫张伟")
    assert entity.score >= 0.85
    assert (entity.start, entity.end) == (2, 4)
