"""Builders for the transfer tests: a registered recipient and small datasets.

The people below are synthetic (valid-looking numbers, made-up names).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog
from complydesk.pii.pseudonym import id_check_digit
from complydesk.store.db import transaction
from complydesk.transfer import registry

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
PROFILE: dict[str, Any] = {
    "columns": {
        "name": {"action": "pseudonymise", "label": "PERSON"},
        "phone": {"action": "pseudonymize", "label": "PHONE"},
        "email": {"action": "mask", "label": "EMAIL"},
        "id_number": {"action": "drop", "label": "CN_ID_CARD"},
        "order_no": "keep",
        "note": "scan",
    },
    "entities": {"CN_ID_CARD": "redact", "BANK_CARD": "drop"},
}
HEADER = ["name", "phone", "email", "id_number", "order_no", "note"]
# Three records, two people (the first two share a phone written two ways).
ROWS = [
    [
        "张伟",
        "13812345678",
        "zhang.wei@example.com",
        "110101199003074578",
        "A1001",
        "请尽快发货",
    ],
    ["张伟", "+86 138-1234-5678", "", "", "A1002", "回电13812345678"],
    [
        "李娜",
        "13987654321",
        "li.na@example.com",
        "",
        "A1003",
        "卡号6222020200112233445",
    ],
    ["", "", "", "", "A1004", "no personal data"],
]
SEEDED = ["13812345678", "13987654321", "zhang.wei@example.com", "110101199003074578",
          "6222020200112233445", "张伟", "李娜", "li.na@example.com"]  # fmt: skip


def fixed(now: datetime) -> Callable[[], datetime]:
    return lambda: now


def write_csv(
    path: Path, rows: list[list[str]] = ROWS, header: list[str] = HEADER
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def id_number(i: int) -> str:
    """A distinct valid resident ID number (MOD 11-2) for each i < 999,000."""
    day = date(1990, 1, 1).toordinal() + i // 999
    body = f"110101{date.fromordinal(day):%Y%m%d}{i % 999 + 1:03d}"
    return body + id_check_digit(body)


def people_csv(path: Path, start: int, count: int, *, with_id: bool = False) -> Path:
    """`count` distinct synthetic people with phones 1380000xxxx from `start`."""
    rows = [
        ["", f"1380{i:07d}", "", id_number(i) if with_id else "", f"O{i}", ""]
        for i in range(start, start + count)
    ]
    return write_csv(path, rows)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


def register(
    sessions: sessionmaker[Session],
    audit: AuditLog,
    *,
    ref: str = "acme-sg",
    profile: dict[str, Any] | None = PROFILE,
    categories: tuple[str, ...] = ("contact", "identity"),
    agreement: bool = True,
    **extra: Any,
) -> None:
    """A SG recipient with consent and an impact assessment on file."""
    with transaction(sessions) as session:
        row = registry.create_recipient(
            session,
            audit,
            "test",
            ref=ref,
            name="ACME Support Pte Ltd",
            country="SG",
            purpose="Overseas after-sales support desk",
            data_categories=list(categories),
            separate_consent=True,
            pia_completed_on=date(2026, 1, 10),
            now=NOW,
            **extra,
        )
        if agreement:
            registry.add_agreement(
                session,
                audit,
                "test",
                row,
                signed_on=date(2026, 1, 5),
                expires_on=date(2028, 1, 4),
                retention="36 calendar_months",
                security_measures=["AES-256 at rest", "access logging"],
                profile=profile,
                now=NOW,
            )


def add_contract(
    sessions: sessionmaker[Session], audit: AuditLog, ref: str = "acme-sg"
) -> None:
    with transaction(sessions) as session:
        registry.add_mechanism(
            session,
            audit,
            "test",
            registry.get_recipient(session, ref),
            kind="standard_contract",
            effective_on=date(2026, 1, 5),
            filed_on=date(2026, 1, 9),
            reference="filing 2026-0001",
            now=NOW,
        )


MATRIX_RECIPIENT = "matrix-sg"
MATRIX_UPLOADS = "matrix-up"  # its agreement keeps its profile during the walk
MATRIX_ASSESSMENT = "TA-MATRIX00001"


def seed_transfer_matrix(app: Any) -> None:
    """A recipient and a stored assessment for tests/test_access_matrix.py."""
    from complydesk.store.models import TransferAssessment

    ctx = app.state.ctx
    register(ctx.sessions, ctx.audit, ref=MATRIX_RECIPIENT)
    register(ctx.sessions, ctx.audit, ref=MATRIX_UPLOADS)
    output = b"phone\n138****0001\n"
    exports = ctx.settings.ensure_data_dir() / "transfer-exports"
    exports.mkdir(mode=0o700, exist_ok=True)
    (exports / f"{MATRIX_ASSESSMENT}.csv").write_bytes(output)
    with transaction(ctx.sessions) as session:
        recipient = registry.get_recipient(session, MATRIX_RECIPIENT)
        session.add(
            TransferAssessment(
                ref=MATRIX_ASSESSMENT,
                recipient_id=recipient.id,
                kind="assessment",
                jurisdiction="cn",
                pack_version="2026.12.0",
                pack_hash="0" * 64,
                year=2026,
                decided_at=NOW,
                actor="test",
                allowed=True,
                exported=True,
                route="exempt",
                counted=True,
                counts={"records": 1, "individuals": 1},
                findings=[],
                summary={},
                input_sha256="0" * 64,
                input_bytes=10,
                output_sha256=hashlib.sha256(output).hexdigest(),
                output_bytes=len(output),
            )
        )


def transfer_request(
    method: str, path: str, n: int
) -> tuple[str, dict[str, Any] | None] | None:
    """(concrete path, JSON body) for a /v1/transfer route, else None."""
    if not path.startswith("/v1/transfer/"):
        return None
    concrete = path.replace("{recipient_ref}", MATRIX_RECIPIENT).replace(
        "{assessment_ref}", MATRIX_ASSESSMENT
    )
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/v1/transfer/recipients"): {
            "ref": f"matrix-{n}",
            "name": "Matrix Support Ltd",
            "country": "SG",
            "purpose": "access matrix check",
            "data_categories": ["contact"],
        },
        ("PATCH", "/v1/transfer/recipients/{recipient_ref}"): {"status": "active"},
        ("POST", "/v1/transfer/recipients/{recipient_ref}/mechanisms"): {
            "kind": "standard_contract",
            "effective_on": "2026-01-05",
        },
        ("POST", "/v1/transfer/recipients/{recipient_ref}/agreements"): {
            "signed_on": "2026-01-05",
            "retention": "36 calendar_months",
            "security_measures": ["encryption at rest"],
        },
        ("POST", "/v1/transfer/assessments/query"): {
            "recipient": MATRIX_UPLOADS,
            "query": "SELECT ref FROM customers",
        },
        ("POST", "/v1/transfer/exports/query"): {
            "recipient": MATRIX_UPLOADS,
            "query": "SELECT ref FROM customers",
            "format": "csv",
        },
    }
    if (method, path) in UPLOADS:
        concrete += f"?recipient={MATRIX_UPLOADS}"
    return concrete, bodies.get((method, path))


UPLOADS = {("POST", "/v1/transfer/assessments"), ("POST", "/v1/transfer/exports")}


def transfer_upload(method: str, path: str) -> tuple[dict[str, str], bytes] | None:
    """(headers, body) for the routes that take a dataset as the request body."""
    if (method, path) not in UPLOADS:
        return None
    return {"Content-Type": "text/csv"}, b"phone,order_no\n13800000001,O1\n"
