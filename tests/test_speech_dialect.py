"""Cantonese/Taiwan folding and the rule families of the fourth rules round.

Each case is a family the packs now cover (or a compliant neighbour they must
leave alone), not a copy of a labelled row: the wording differs from the
evaluation set.
"""

from __future__ import annotations

import pytest

from complydesk.speech.check import normalize
from complydesk.speech.dialect import fold_dialect
from complydesk.speech.reply import check_reply


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("我哋唔會加價", "我们不會加價"),
        ("佢係真人", "他是真人"),
        ("沒關係，系統正常", "沒關係，系統正常"),  # 關係 keeps 係; 系统 untouched
        ("呢個月", "这個月"),
        ("好呢，我睇下", "好呢，我看下"),  # the particle 呢 stays
        ("聽日送到", "明天送到"),
        ("請點擊連結", "請點擊链接"),
        ("簡訊驗證碼", "短信驗證碼"),
        ("三個工作天", "三個工作日"),
        ("唔該晒", "麻烦晒"),
        ("機械人", "機器人"),
    ],
)
def test_dialect_fold(raw: str, folded: str) -> None:
    assert fold_dialect(raw) == folded
    assert len(normalize(raw)) == len(raw)


@pytest.mark.parametrize(
    ("text", "role", "category"),
    [
        ("呢個套餐一世都係呢個價", "agent", "permanent_price"),
        ("我係真人嚟，唔係機械人", "bot", "bot_claims_human"),
        ("請你將短訊驗證碼話俾我知", "agent", "unnecessary_personal_data"),
        (
            "請點選連結，輸入信用卡卡號跟密碼領取補償",
            "agent",
            "unnecessary_personal_data",
        ),
        ("你再嘈就別怪我們不客氣", "agent", "threat_insult"),
        ("月租99元锁死，以后几十年都是这个价", "agent", "permanent_price"),
        ("这笔理财本金我们平台兜着的", "agent", "financial_guarantee"),
        ("作为一名在这家公司干了五年的老员工，我很理解您", "bot", "bot_claims_human"),
        ("我刚跟经理当面问过了，可以退", "bot", "bot_claims_human"),
        ("再这样天天来电，我们只能把您拉进黑名单", "agent", "threat_insult"),
        ("信不信我们直接给您封号", "agent", "threat_insult"),
        ("签合同的时候耳朵干嘛去了", "agent", "threat_insult"),
        ("讲了好几遍了还在问", "agent", "threat_insult"),
        ("动态码发下，我帮你弄", "agent", "unnecessary_personal_data"),
        ("放心，必能修好", "agent", "absolute_promise"),
        ("you're the real problem here", "agent", "threat_insult"),
        ("keep moaning and we'll suspend the account", "agent", "threat_insult"),
        ("r u kidding me? can u not read", "agent", "threat_insult"),
        ("It will never come back after this patch.", "agent", "absolute_promise"),
        ("Your claim is as good as approved.", "agent", "financial_guarantee"),
        ("pls dm ur online banking password", "agent", "unnecessary_personal_data"),
        (
            "I'm chatting with you as a genuine employee of the bank",
            "bot",
            "bot_claims_human",
        ),
    ],
)
def test_new_families_flag(text: str, role: str, category: str) -> None:
    verdict = check_reply(text, role=role, backstop=False)
    assert category in {f.category for f in verdict.findings}, verdict.to_dict()


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("你再刷新试试", "agent"),
        ("您再重新登录一下试试看", "agent"),
        ("唔好意思，你再試下重新登入先", "agent"),
        ("不要这么说自己呀，谁都有不熟悉的时候", "agent"),
        ("别怪自己，这个设置确实不好找", "agent"),
        ("我帮您转给在杭州上班的人工同事，请稍候", "bot"),
        ("系统显示您的关系人信息已更新", "agent"),
        ("验证码发下来了吗？收到的话请在App里输入", "agent"),
        ("初始密码会发到您的手机上，请注意查收", "agent"),
        ("必须先实名认证才能办理", "agent"),
        ("We'll send your new PIN by post within 5 days.", "agent"),
        ("Please read the instructions on the box before charging.", "agent"),
        ("Once approved by the underwriter, the funds are released.", "agent"),
    ],
)
def test_neighbours_pass(text: str, role: str) -> None:
    """The whole reply path, learned backstop included, leaves these alone."""
    verdict = check_reply(text, role=role)
    assert not verdict.findings, verdict.to_dict()
