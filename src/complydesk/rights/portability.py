"""Portability: the data the subject provided, in formats another service reads.

GDPR Art. 20 and PIPL Art. 45 give the subject their data "in a structured,
commonly used and machine-readable format" to take elsewhere; Art. 20 covers
only data the subject *provided* (what they typed or sent, and, per the EDPB,
what their use of the service directly records), not what the organisation
derived from it. The access copy (complydesk.rights.access, GDPR Art. 15)
goes further: every row held, including decisions, SLA states, triage
results and restrictions.

What counts as provided is a deliberate list (`PROVIDED`), not found from the
schema: provenance is a legal judgement, and a table added later stays out of
the portable copy until someone decides it belongs there. Every table is
written as JSON and as CSV (UTF-8 with BOM so spreadsheet programs open
Chinese text), and `manifest.json` names each file, its columns and types and
a SHA-256, plus what was left out and why.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from complydesk.store.models import (
    Conversation,
    Customer,
    Message,
    SubjectRequest,
    Ticket,
)
from complydesk.store.models.base import UTCDateTime
from complydesk.store.models.desk import Attachment
from complydesk.vault import Vault

FORMAT: Final = "complydesk-portability/1"
MAX_ROWS: Final = 50_000


@dataclass(frozen=True)
class Provided:
    """One table of subject-provided data: its plain and personal columns."""

    name: str
    model: type[Any]
    columns: tuple[str, ...]
    personal: tuple[str, ...]
    rows_of: Callable[[Customer], ColumnElement[bool]]
    description: str


def _messages_of(customer: Customer) -> ColumnElement[bool]:
    return Message.conversation_id.in_(
        select(Conversation.id).where(Conversation.customer_id == customer.id)
    ) & (Message.sender == "customer")


def _attachments_of(customer: Customer) -> ColumnElement[bool]:
    return Attachment.ticket_id.in_(
        select(Ticket.id).where(Ticket.customer_id == customer.id)
    )


PROVIDED: Final[tuple[Provided, ...]] = (
    Provided(
        "profile",
        Customer,
        ("ref", "created_at"),
        ("name", "phone", "email", "id_number", "address"),
        lambda c: Customer.id == c.id,
        "The contact details you gave us.",
    ),
    Provided(
        "tickets",
        Ticket,
        (
            "tracking_code",
            "created_at",
            "purpose",
            "category",
            "subject",
            "order_number",
            "product_model",
            "waybill_number",
        ),
        ("description", "reason", "contact_phone", "contact_email", "delivery_address"),
        lambda c: Ticket.customer_id == c.id,
        "What you wrote when you opened a ticket.",
    ),
    Provided(
        "attachments",
        Attachment,
        ("ticket_id", "created_at", "content_type", "size_bytes"),
        ("filename",),
        _attachments_of,
        "Files you attached to your tickets (names and sizes).",
    ),
    Provided(
        "messages",
        Message,
        ("conversation_id", "created_at"),
        ("body",),
        _messages_of,
        "The messages you sent in chats (not our replies).",
    ),
    Provided(
        "requests",
        SubjectRequest,
        ("ref", "type", "scope", "channel", "received_at"),
        ("details",),
        lambda c: SubjectRequest.customer_id == c.id,
        "The data-protection requests you made and what you wrote in them.",
    ),
)

# Shown in the manifest: what the access copy has and this one has not.
EXCLUDED: Final = {
    "derived": "automated decisions, triage results, SLA clocks and states, "
    "escalations, restriction flags, legal holds",
    "ours": "our replies, internal notes, the ticket timeline and AI labels",
    "bookkeeping": "verification codes, erasure runs, the outbox, the audit trail",
    "how_to_get_it": "ask for access (a copy of all data) to receive these too",
}


def _text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _type_of(spec: Provided, column: str) -> str:
    if column in spec.personal:
        return "string"
    sql_type = spec.model.__table__.c[column].type
    if isinstance(sql_type, UTCDateTime):
        return "datetime (ISO 8601, UTC)"
    try:
        python = sql_type.python_type
    except NotImplementedError:
        return "string"
    return {int: "integer", bool: "boolean"}.get(python, "string")


def collect_provided(
    session: Session, vault: Vault, customer: Customer
) -> dict[str, list[dict[str, Any]]]:
    """Table -> the subject's provided rows, personal fields in plaintext."""
    out: dict[str, list[dict[str, Any]]] = {}
    for spec in PROVIDED:
        key = spec.model.__table__.primary_key.columns
        rows = session.scalars(
            select(spec.model)
            .where(spec.rows_of(customer))
            .order_by(*key)
            .limit(MAX_ROWS)
        )
        collected = []
        for row in rows:
            record = {c: _text(getattr(row, c)) for c in spec.columns}
            record.update(vault.reveal(row, list(spec.personal)))
            collected.append(record)
        out[spec.name] = collected
    return out


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False)
                if isinstance(v, dict | list)
                else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _flat_rows(value: Any) -> list[dict[str, Any]] | None:
    """A list of flat objects (what CSV can hold), or None."""
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        return None
    return value


def portable_files(
    local: dict[str, list[dict[str, Any]]],
    external: dict[str, dict[str, Any]],
    header: dict[str, Any],
) -> dict[str, bytes]:
    """File name -> content: JSON and CSV per table, and the manifest last."""
    files: dict[str, bytes] = {}
    tables: list[dict[str, Any]] = []
    for spec in PROVIDED:
        columns = [*spec.columns, *spec.personal]
        rows = local.get(spec.name, [])
        base = f"complydesk/{spec.name}"
        files[f"{base}.json"] = json.dumps(rows, ensure_ascii=False, indent=2).encode()
        files[f"{base}.csv"] = _csv(columns, rows)
        tables.append(
            {
                "name": spec.name,
                "source": "complydesk",
                "description": spec.description,
                "rows": len(rows),
                "files": [f"{base}.json", f"{base}.csv"],
                "columns": [{"name": c, "type": _type_of(spec, c)} for c in columns],
            }
        )
    systems: dict[str, Any] = {}
    for system, result in external.items():
        if result.get("status") != "ok":
            systems[system] = {"status": "failed", "error": result.get("error")}
            continue
        systems[system] = {"status": "ok"}
        for table, value in dict(result.get("records") or {}).items():
            safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in table)
            base = f"external/{system}/{safe[:64] or 'records'}"
            files[f"{base}.json"] = json.dumps(
                value, ensure_ascii=False, indent=2
            ).encode()
            entry: dict[str, Any] = {
                "name": table,
                "source": system,
                "description": "As the external system returned it.",
                "files": [f"{base}.json"],
            }
            flat = _flat_rows(value)
            if flat is not None:
                columns = list(dict.fromkeys(k for row in flat for k in row))
                files[f"{base}.csv"] = _csv(columns, flat)
                entry["files"].append(f"{base}.csv")
                entry["rows"] = len(flat)
                entry["columns"] = [{"name": c, "type": "as given"} for c in columns]
            tables.append(entry)
    manifest = {
        **header,
        "format": FORMAT,
        "basis": "GDPR Art. 20; PIPL Art. 45: data you provided, to take elsewhere",
        "encoding": "UTF-8 (CSV with a byte-order mark, comma-separated, "
        "RFC 4180 quoting)",
        "tables": tables,
        "external": systems,
        "not_included": EXCLUDED,
        "sha256": {
            name: hashlib.sha256(content).hexdigest() for name, content in files.items()
        },
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    return files
