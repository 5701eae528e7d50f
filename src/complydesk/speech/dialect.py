"""Cantonese, Taiwan/Hong Kong and synonym wording folded to the Mandarin the rules use.

Hong Kong agents write Cantonese function words (我係真人, 唔會加價, 聽日送到,
我哋) and Taiwan agents use their own terms (連結, 簡訊, 工作天). The rule
packs are written in Mandarin; instead of doubling every family, these words
are folded before matching, like width and traditional forms. Every
replacement has the length of what it replaces, so offsets into the reply
stay valid. Context keeps the ordinary Mandarin readings: 關係 keeps 係,
语气词 呢 stays unless a measure word follows (呢個價 -> 这个价).

Runs before the traditional->simplified table (係 must be seen before it
becomes 系, which is also 系统's first character).
"""

from __future__ import annotations

import re

from complydesk.speech.prefilter import headed

# Multi-character terms first (same length each side).
_TERMS: dict[str, str] = {
    "識唔識": "识不识",
    "识唔识": "识不识",
    "唔該": "麻烦",
    "唔该": "麻烦",
    "聽日": "明天",
    "听日": "明天",
    "琴日": "昨天",
    "尋日": "昨天",
    "寻日": "昨天",
    "今日": "今天",
    "連結": "链接",
    "连结": "链接",
    "短訊": "短信",
    "短讯": "短信",
    "簡訊": "短信",
    "简讯": "短信",
    "話俾": "告诉",
    "话俾": "告诉",
    "話畀": "告诉",
    "话畀": "告诉",
    "搞掂": "搞定",
    "唔識": "不会",
    "唔识": "不会",
    # words the families spell one way (咱们 as 我们, 收工 as 下班, an ID
    # number as 身份证号, a report to the platform as a complaint)
    "咱们": "我们",
    "收工": "下班",
    "证件号码": "身份证号",
    "證件號碼": "身份证号",
    "举报": "投诉",
    "舉報": "投诉",
    # certainty words the families spell as 肯定 (铁定批, 必定兑付)
    "铁定": "肯定",
    "鐵定": "肯定",
    "必定": "肯定",
    # round 9: Cantonese certainty and dismissal (跑唔甩 "can't escape", 穩陣 "safe",
    # 咁嘅客 "a customer like this", 唔好 "don't")
    "跑唔甩": "跑不掉",
    "穩陣": "稳妥",
    "稳阵": "稳妥",
    "咁嘅": "这种",
    "唔好意思": "不好意思",
    "唔好": "不要",
    # spoken numerals (俩钟头, 仨月)
    "俩": "两",
    "仨": "三",
    # 整好 "fixed", 聽朝 "tomorrow morning", 上到嚟 "come up (to your place)"
    "整好": "搞定",
    "聽朝": "明早",
    "听朝": "明早",
    "上到嚟": "上门来",
    # round 10: 攞返 "collect back", 後日 "the day after tomorrow", 你話 "you said",
    # 停晒 "cut off entirely", 搞事 "make trouble"
    "攞返": "取回",
    "拿返": "拿回",
    "後日": "后天",
    "你話": "你说",
    "你话": "你说",
    "停晒": "停掉",
    "搞事": "闹事",
    # common input-method typos (same pinyin), folded like dialect words
    "验正码": "验证码",
    "驗正碼": "验证码",
    "秘码": "密码",
    "秘碼": "密码",
    "蜜码": "密码",
}
# Common English misspellings of the certainty words the rules match, each the
# length of its correct form (offsets stay valid): "definately", "gaurantee".
_EN_TYPOS: dict[str, str] = {
    "definately": "definitely",
    "defenitely": "definitely",
    "definatley": "definitely",
    "gaurantee": "guarantee",
    "guarentee": "guarantee",
    "garauntee": "guarantee",
    "promiss": "promise",
    "passwrod": "password",
}
assert all(len(k) == len(v) for k, v in _EN_TYPOS.items())
# Single Cantonese characters with one Mandarin reading.
_CHARS: dict[str, str] = {
    "唔": "不",
    "冇": "没",
    "嘅": "的",
    "哋": "们",
    "俾": "给",
    "畀": "给",
    "喺": "在",
    "咗": "了",
    "嚟": "来",
    "睇": "看",
    "揾": "找",
    "搵": "找",
    "佢": "他",
    "嗰": "那",
    "啲": "些",
    "攞": "拿",
    "嘈": "吵",
}
_MEASURE = "個个隻只張张款單单次份件部種种間间位些啲度排陣阵"
_ALTERNATION = (
    "|".join(re.escape(t) for t in _TERMS)
    + "|["
    + "".join(_CHARS)
    + "]"
    # 係 = 是, except in 關係/联系 and 係數
    + "|(?<![關关聯联維维])係(?![數数統统])"
    # 呢 before a measure word is 这 (呢個價); the particle 呢 stays
    + f"|呢(?=[{_MEASURE}])"
    # 蝕 = 亏 (穩賺唔蝕), not in 腐蝕/侵蝕
    + "|(?<![腐侵])蝕"
    # 機械人 = 机器人; 工作天 = 工作日
    + "|(?<=[機机])械(?=人)"
    # a common typo 在也不 for 再也不 (not 现在也不, 实在也不)
    + "|(?<![现正实存所好还自])在也不"
    # northern 明儿/今儿 = 明天/今天, not 聪明儿童
    + "|(?<![聪精说证透文光发表声阐])(?:明|今)儿(?![童科歌女子])"
    + "|(?<=工作)天"
)
# A look-ahead for the characters a match can start with lets the engine skip
# every other position with one test instead of trying each branch there.
_PATTERN = re.compile(headed(_ALTERNATION))

_SINGLE = {
    "係": "是",
    "呢": "这",
    "蝕": "亏",
    "械": "器",
    "天": "日",
    "明儿": "明天",
    "今儿": "今天",
    "在也不": "再也不",
}


def _replace(match: re.Match[str]) -> str:
    text = match.group()
    return _TERMS.get(text) or _CHARS.get(text) or _SINGLE[text]


# a word start, so "gauranteed" is folded with its suffix
_EN_TYPO = re.compile(
    headed(r"\b(?:" + "|".join(_EN_TYPOS) + ")", re.IGNORECASE), re.IGNORECASE
)


def _replace_typo(match: re.Match[str]) -> str:
    return _EN_TYPOS[match.group().lower()]


def fold_dialect(text: str) -> str:
    """`text` with Cantonese/Taiwan wording in Mandarin form and common typos
    of the rules' words corrected; same length."""
    return _EN_TYPO.sub(_replace_typo, _PATTERN.sub(_replace, text))
