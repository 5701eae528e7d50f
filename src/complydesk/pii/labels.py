"""Entity labels: a stable contract (the CLI JSONL output and policies use them)."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    CN_ID_CARD = "CN_ID_CARD"
    BANK_CARD = "BANK_CARD"
    IP_ADDRESS = "IP_ADDRESS"
    PASSPORT = "PASSPORT"
    LICENSE_PLATE = "LICENSE_PLATE"
    CN_USCC = "CN_USCC"
    QQ = "QQ"
    WECHAT = "WECHAT"
    HK_MACAU_PERMIT = "HK_MACAU_PERMIT"
    TAIWAN_PERMIT = "TAIWAN_PERMIT"


# When two findings cover the same span with the same score, the earlier label
# in this order wins: the more specific, validated identifiers first.
PRIORITY: dict[str, int] = {
    label.value: rank
    for rank, label in enumerate(
        [
            Label.CN_ID_CARD,
            Label.CN_USCC,
            Label.BANK_CARD,
            Label.EMAIL,
            Label.PHONE,
            Label.IP_ADDRESS,
            Label.PASSPORT,
            Label.HK_MACAU_PERMIT,
            Label.TAIWAN_PERMIT,
            Label.LICENSE_PLATE,
            Label.QQ,
            Label.WECHAT,
            Label.ADDRESS,
            Label.PERSON,
        ]
    )
}
