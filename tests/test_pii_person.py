"""PERSON recognizer: cue-driven names, tight boundaries, common-word negatives."""

from __future__ import annotations

import pytest

from complydesk.pii.detect import Detector
from complydesk.pii.recognizers.person import PersonRecognizer
from complydesk.pii.recognizers.person_model import PersonModelRecognizer
from complydesk.pii.registry import Registry

DETECT = Detector(Registry([PersonRecognizer(), PersonModelRecognizer()]))
BARE = Detector(Registry([PersonRecognizer(bare_names=True)]))
CUE_ONLY = Detector(Registry([PersonRecognizer()]))


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


def test_when_bare_name_without_cue_then_model_or_bare_mode_finds_it() -> None:
    # The default registry finds cue-less names with the trained scorer
    # (person_model); the cue recognizer alone does not.
    text = "，王建国、"
    assert names(text, CUE_ONLY) == []
    assert names(text, BARE) == ["王建国"]
    assert names(text) == ["王建国"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新华社记者王建国报道", ["王建国"]),
        ("张伟表示，公司将继续投入", ["张伟"]),
        ("刚才刘德华来了", ["刘德华"]),
        ("总经理陈晓明出席了会议", ["陈晓明"]),
        ("周杰伦的新歌很好听", ["周杰伦"]),
        ("我同事王磊今天请假", ["王磊"]),
    ],
)
def test_when_name_without_cue_then_model_finds_it(
    text: str, expected: list[str]
) -> None:
    assert names(text) == expected
    assert all(0.5 <= e.score <= 0.8 for e in DETECT.detect(text))


@pytest.mark.parametrize(
    "word",
    "张开 高兴 周到 王者 黄金 白色 马上 方便 江湖 和平 向前 明天 安全 林业 金额 "
    "余额 常见 石头 王牌 常用 高明".split(),
)
def test_when_common_word_starts_with_surname_then_model_skips_it(word: str) -> None:
    assert names(f"您好，{word}。") == []
    assert names(f"这个{word}的问题") == []


def test_when_cue_and_model_overlap_then_cue_hit_wins() -> None:
    (entity,) = DETECT.detect("我叫张伟明天到")
    assert entity.score >= 0.85


def test_when_cue_backed_then_score_high() -> None:
    (entity,) = DETECT.detect("我叫张伟")
    assert entity.score >= 0.85
    assert (entity.start, entity.end) == (2, 4)


@pytest.mark.parametrize(
    "text", ["我买的戴森V12吸尘器坏了", "毕博诚传媒有限公司的发票", "李宁牌运动鞋"]
)
def test_when_brand_or_company_then_model_finds_no_person(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("//@王冉:如果我们不能打", "王冉"),
        ("怎么回事？@罗永浩 @锤子科技客服", "罗永浩"),
        ("@彭于晏，谁是你心目中", "彭于晏"),
        ("Ｓｅｅ＠陈士渠：个人认为", "陈士渠"),
        # A name at the start of a longer handle, ending where the handle
        # goes on with Latin letters, digits or a particle.
        ("@冯磊Alex 你好", "冯磊"),
        ("谢谢@刘依依2013 的转发", "刘依依"),
        ("//@孙雅涵的漫画:太好笑了", "孙雅涵"),
    ],
)
def test_when_handle_is_a_real_name_then_person(text: str, name: str) -> None:
    found = [
        (text[e.start : e.end], e.recognizer)
        for e in Detector().detect(text)
        if e.label == "PERSON"
    ]
    assert found == [(name, "person_handle")]


@pytest.mark.parametrize(
    "text",
    [
        "@中国电信济南客服 你好",
        "谢谢@小米手机 的回复",
        "@周黑鸭 官方怎么不回",
        "@高德地图 导航错了",
        "@张伟客服 你好",  # a name running into more Chinese: an account
        "@周生生珠宝客服 在吗",
        "@小米MIUI 更新失败",
        "@华为Mate 黑屏",
        "邮件发到wang.lei@example.com了",
    ],
)
def test_when_handle_is_an_account_or_email_then_no_person(text: str) -> None:
    assert [e for e in Detector().detect(text) if e.label == "PERSON"] == []
