"""Operators: turn the personal data found in a text (or a record) into
something safer to show, store or share.

* mask         hide most characters, keep the shape (complydesk.pii.masking)
* redact       replace with a type tag, [手机号] or [PHONE]
* hash         keyed HMAC-SHA256, `PHONE:3f2a…`: stable, joinable, one-way
* pseudonymize a keyed, realistic fake of the same type (complydesk.pii.pseudonym)
* encrypt      an AES-GCM token that `restore` turns back (complydesk.pii.crypto)

Entities are applied from the end of the text backwards, so earlier offsets
stay valid. Offsets are code points. Overlapping entities should have been
resolved by detection; if some remain, the one starting first (then the
longest, then by label and recognizer) wins and the others are skipped, the
same way whatever order they came in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from complydesk.errors import ConfigError, InvalidInput
from complydesk.pii.crypto import encrypt_value
from complydesk.pii.detect import Detector, default_detector
from complydesk.pii.entity import Entity
from complydesk.pii.keys import HASH, check_key, derive_key, load_pii_key
from complydesk.pii.labels import Label
from complydesk.pii.masking import mask_value
from complydesk.pii.pseudonym import normalize, pseudonymize_value

__all__ = [
    "HASH_HEX_CHARS",
    "Operator",
    "REDACT_TAGS",
    "apply",
    "apply_to_record",
    "apply_to_text",
    "encrypt",
    "hash_entities",
    "hash_value",
    "load_pii_key",
    "mask",
    "pseudonymize",
    "redact",
    "redact_value",
    "select",
    "transform_value",
]


class Operator(StrEnum):
    """Operator names as the CLI and policies spell them."""

    MASK = "mask"
    REDACT = "redact"
    HASH = "hash"
    PSEUDONYMIZE = "pseudonymize"
    ENCRYPT = "encrypt"

    @property
    def needs_key(self) -> bool:
        return self in (Operator.HASH, Operator.PSEUDONYMIZE, Operator.ENCRYPT)

    @classmethod
    def parse(cls, name: str | Operator) -> Operator:
        try:
            return cls(str(name).strip().lower())
        except ValueError:
            valid = ", ".join(op.value for op in cls)
            raise InvalidInput(f"unknown operator; valid: {valid}") from None


REDACT_TAGS: dict[str, dict[str, str]] = {
    "zh": {
        Label.PHONE: "手机号",
        Label.CN_ID_CARD: "身份证号",
        Label.BANK_CARD: "银行卡号",
        Label.PERSON: "姓名",
        Label.ADDRESS: "地址",
        Label.EMAIL: "邮箱",
        Label.IP_ADDRESS: "IP地址",
        Label.PASSPORT: "护照号",
        Label.LICENSE_PLATE: "车牌号",
        Label.CN_USCC: "统一社会信用代码",
        Label.QQ: "QQ号",
        Label.WECHAT: "微信号",
        Label.HK_MACAU_PERMIT: "港澳通行证号",
        Label.TAIWAN_PERMIT: "台湾通行证号",
    },
    "en": {label.value: label.value for label in Label},
}

# 16 hex characters = 64 bits: collisions stay unlikely (birthday bound ~4e9
# values) while the tag stays short enough to read in a log line.
HASH_HEX_CHARS = 16


def redact_value(label: str, lang: str = "zh") -> str:
    """The tag that replaces a value of type `label` ([手机号] / [PHONE])."""
    try:
        tags = REDACT_TAGS[lang]
    except KeyError:
        raise InvalidInput(
            f"unknown language; valid: {', '.join(REDACT_TAGS)}"
        ) from None
    return f"[{tags.get(label, label)}]"


def hash_value(value: str, label: str, key: bytes, length: int = HASH_HEX_CHARS) -> str:
    """`LABEL:hex`, equal for formatting variants of one value under one key."""
    message = label.encode() + b"\0" + normalize(label, value).encode()
    digest = hmac.new(derive_key(key, HASH), message, hashlib.sha256).hexdigest()
    return f"{label}:{digest[:length]}"


def _require_key(operator: Operator, key: bytes | None) -> bytes:
    if key is None:
        raise ConfigError(f"operator '{operator.value}' needs the PII key")
    return check_key(key)


def transform_value(
    value: str,
    label: str,
    operator: Operator | str,
    *,
    key: bytes | None = None,
    lang: str = "zh",
    preserve_demographics: bool = False,
) -> str:
    """What `operator` turns one value of type `label` into."""
    op = Operator.parse(operator)
    if op is Operator.MASK:
        return mask_value(value, label)
    if op is Operator.REDACT:
        return redact_value(label, lang)
    secret = _require_key(op, key)
    if op is Operator.HASH:
        return hash_value(value, label, secret)
    if op is Operator.PSEUDONYMIZE:
        return pseudonymize_value(
            value, label, secret, preserve_demographics=preserve_demographics
        )
    return encrypt_value(value, label, secret)


def select(text: str, entities: Sequence[Entity]) -> list[Entity]:
    """The entities to apply, in text order: checked against `text`, overlaps
    dropped deterministically (first start, then longest wins)."""
    for i, entity in enumerate(entities):
        if not (0 <= entity.start < entity.end <= len(text)):
            raise InvalidInput(f"entity {i} ({entity.label}) is outside the text")
        if text[entity.start : entity.end] != entity.text:
            raise InvalidInput(
                f"entity {i} ({entity.label}) does not match the text at its offsets"
            )
    ordered = sorted(
        entities, key=lambda e: (e.start, -e.end, e.label, e.recognizer, -e.score)
    )
    kept: list[Entity] = []
    for entity in ordered:
        if not kept or entity.start >= kept[-1].end:
            kept.append(entity)
    return kept


def apply(
    text: str,
    entities: Sequence[Entity],
    operator: Operator | str,
    *,
    key: bytes | None = None,
    lang: str = "zh",
    preserve_demographics: bool = False,
) -> str:
    """`text` with each entity replaced by what `operator` makes of it."""
    op = Operator.parse(operator)
    if op.needs_key:
        key = _require_key(op, key)
    out = text
    for entity in reversed(select(text, entities)):
        new = transform_value(
            entity.text,
            entity.label,
            op,
            key=key,
            lang=lang,
            preserve_demographics=preserve_demographics,
        )
        out = out[: entity.start] + new + out[entity.end :]
    return out


def mask(text: str, entities: Sequence[Entity]) -> str:
    return apply(text, entities, Operator.MASK)


def redact(text: str, entities: Sequence[Entity], lang: str = "zh") -> str:
    return apply(text, entities, Operator.REDACT, lang=lang)


def hash_entities(text: str, entities: Sequence[Entity], key: bytes) -> str:
    return apply(text, entities, Operator.HASH, key=key)


def pseudonymize(
    text: str,
    entities: Sequence[Entity],
    key: bytes,
    *,
    preserve_demographics: bool = False,
) -> str:
    return apply(
        text,
        entities,
        Operator.PSEUDONYMIZE,
        key=key,
        preserve_demographics=preserve_demographics,
    )


def encrypt(text: str, entities: Sequence[Entity], key: bytes) -> str:
    return apply(text, entities, Operator.ENCRYPT, key=key)


def apply_to_text(
    text: str,
    operator: Operator | str,
    *,
    key: bytes | None = None,
    detector: Detector | None = None,
    lang: str = "zh",
) -> str:
    """Detect, then apply: the one-call form the CLI and API use."""
    found = (detector or default_detector()).detect(text)
    return apply(text, found, operator, key=key, lang=lang)


def apply_to_record(
    record: dict[str, Any],
    operator: Operator | str,
    *,
    key: bytes | None = None,
    detector: Detector | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """A new record with every string value (nested dicts/lists included)
    processed; keys and non-string values are copied unchanged."""
    op = Operator.parse(operator)
    if op.needs_key:
        key = _require_key(op, key)
    det = detector or default_detector()

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return apply(value, det.detect(value), op, key=key, lang=lang)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(walk(v) for v in value)
        return value

    if not isinstance(record, dict):
        raise InvalidInput("a record must be a JSON object")
    result: dict[str, Any] = walk(record)
    return result
