"""Shared helpers for the number-shaped recognizers (phones, cards, IDs).

Real helpdesk text is full of digit runs that are *not* personal data: order
and waybill numbers, amounts, dates, hotlines. The word lists and checks here
are shared so that every recognizer rejects them the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The gate for number-shaped recognizers, re-exported: it is defined with the
# other Doc tests in complydesk.pii.recognizer.
from complydesk.pii.recognizer import has_digit_run as has_digit_run
from complydesk.pii.text import Doc

# Words that say the number next to them is a business reference, not a person.
REFERENCE_WORDS: tuple[str, ...] = (
    "订单",
    "单号",
    "快递",
    "运单",
    "物流",
    "工单",
    "发票",
    "流水号",
    "交易号",
    "编号",
    "合同号",
    "报障号",
    "受理号",
    "单据",
    "退款单",
    "order",
    "tracking",
    "invoice",
    "参考号",
    "序列号",
    "串号",
    "imei",
    "这单",
    "该单",
    "ref:",
    "ref no",
    "ref#",
    "reference",
    "txn",
)

CARD_WORDS: tuple[str, ...] = (
    "卡号",
    "银行卡",
    "储蓄卡",
    "信用卡",
    "借记卡",
    "银联",
    "card",
    "账号",
    "帐号",
    "账户",
    "帐户",
    "尾号",
    "开户",
    "收款",
    "打款",
    "退到",
    "转账",
    "汇款",
    "工行",
    "建行",
    "农行",
    "中行",
    "招行",
    "银行",
    "visa",
    "mastercard",
    "amex",
)


# "卡号" also precedes numbers of cards that are not payment cards.
NON_PAYMENT_CARD_WORDS: tuple[str, ...] = (
    "会员",
    "积分",
    "购物卡",
    "礼品卡",
    "储值卡",
    "油卡",
    "公交卡",
    "交通卡",
    "饭卡",
    "校园卡",
    "流量卡",
    "电话卡",
    "sim卡",
    "上网卡",
    "充值卡",
    "卡密",
    "membership",
    "loyalty",
    "gift card",
)


def has_word(text: str, words: Iterable[str]) -> bool:
    return any(word in text for word in words)


def before(doc: Doc, start: int, window: int) -> str:
    return doc.before(start, window)


def after(doc: Doc, end: int, window: int) -> str:
    return doc.after(end, window)


def glued_to_number(folded: str, start: int, end: int) -> bool:
    """True when the span is part of a longer token such as 855005361-2014-…

    A digit or ASCII letter right before/after, or a digit one separator away
    ("-", ".", "/", "_"), means the span is a piece of something bigger.
    """
    if start > 0:
        prev = folded[start - 1]
        if prev.isascii() and prev.isalnum():
            return True
        if prev in "-./_" and start > 1 and folded[start - 2].isdigit():
            return True
    if end < len(folded):
        nxt = folded[end]
        if nxt.isascii() and nxt.isalnum():
            return True
        if nxt in "-./_" and end + 1 < len(folded) and folded[end + 1].isdigit():
            return True
    return False


def digits(value: str) -> str:
    """Only the digits (and a trailing X of an ID) of a grouped number."""
    return "".join(ch for ch in value if ch.isalnum())


_RUN6 = re.compile(r"[0-9]{6}")
_RUN7 = re.compile(r"[0-9]{7}")


def has_run6(doc: Doc) -> bool:
    """Six digits in a row in the ASCII part (ID numbers, USCCs have them)."""
    return _RUN6.search(doc.ascii) is not None


def has_run7(doc: Doc) -> bool:
    """Seven digits in a row in the ASCII part (passports, permits)."""
    return _RUN7.search(doc.ascii) is not None
