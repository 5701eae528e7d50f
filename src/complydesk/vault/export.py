"""De-identified copies of the database for test environments.

Personal fields are decrypted, replaced by keyed, format-valid pseudonyms
(complydesk.pii.pseudonym) and never written in plaintext: the same phone,
name or ID number gets the same fake in every table and inside free text, so
joins and searches behave as in production. Every other text column is run
through the PII engine as well, in case someone typed personal data into a
field that was not meant for it. Row ids are kept, so foreign keys hold.

Formats: `sqlite` writes a ready-to-run deployment directory (`complydesk.db`
plus a `data/` dir with a new keystore, KEK and blind-index key, so the copy's
fields are sealed again under keys that have nothing in common with
production); `csv` and `jsonl` write one file per table with the personal
fields as plain pseudonyms. Tables are exported only when listed here (fail
closed): credentials, sessions, the audit log and the notification outbox are
never exported.
"""

from __future__ import annotations

import csv
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import LargeBinary, String, Table, Text, insert, select
from sqlalchemy.orm import Session, sessionmaker

from complydesk.clock import Clock
from complydesk.errors import Conflict
from complydesk.pii.detect import Detector
from complydesk.pii.operators import pseudonymize
from complydesk.pii.pseudonym import pseudonymize_value
from complydesk.settings import load_settings
from complydesk.store.db import (
    make_engine,
    make_sessionmaker,
    read_transaction,
    transaction,
)
from complydesk.store.migrate import upgrade
from complydesk.store.models import Base
from complydesk.store.personal import TEXT, PersonalField, personal_fields
from complydesk.vault import open_vault
from complydesk.vault.keystore import DataKey
from complydesk.vault.records import ERASED, Vault

Format = Literal["sqlite", "csv", "jsonl"]

EXPORTED = (
    "customers",
    "conversations",
    "tickets",
    "messages",
    "attachments",
    # The desk workflow: queues, the timeline, replies and notes (sealed).
    "queues",
    "ticket_messages",
    "ticket_events",
    # The AI assistant's conversation state, AI labels and hand-offs (no
    # personal values: chat text stays in `messages`).
    "ai_conversations",
    "ai_message_labels",
    "ai_handoffs",
)
NEVER_EXPORTED = (
    "alembic_version",
    "api_tokens",
    "audit_entries",
    "audit_head",
    "console_sessions",
    "notification_outbox",
    "users",
    # Privacy operations (complydesk.rights, complydesk.breach): legal records
    # and verification secrets, of no use in a test copy.
    "breach_incidents",
    "breach_notifications",
    "customer_restrictions",
    "rights_erasure_steps",
    "rights_erasures",
    "rights_legal_holds",
    "rights_requests",
    "rights_verifications",
    # Cross-border transfer registry and counters (complydesk.transfer): legal
    # records, and keyed digests that only the production key can match.
    "transfer_agreements",
    "transfer_assessments",
    "transfer_counters",
    "transfer_mechanisms",
    "transfer_recipients",
    "transfer_subject_digests",
    "transfer_subjects",
    # Automated-decision accountability records and fairness audits
    # (complydesk.assistant, complydesk.fairness): of no use in a test copy.
    "ai_decisions",
    "ai_decision_reviews",
    "ai_fairness_runs",
    "ai_audit_facts",
    "ai_audit_labels",
    "ai_audit_attributes",
)
BATCH = 500


@dataclass
class ExportReport:
    out: Path
    format: Format
    rows: dict[str, int] = field(default_factory=dict)


class Pseudonymizer:
    """Consistent fakes under one export key; free text through the detector."""

    def __init__(self, key: bytes, detector: Detector) -> None:
        self.key = key
        self.detector = detector

    def value(self, spec: PersonalField, plain: str) -> str:
        if spec.label == TEXT:
            return self.text(plain)
        return pseudonymize_value(plain, spec.label, self.key)

    def text(self, plain: str) -> str:
        entities = self.detector.detect(plain)
        return pseudonymize(plain, entities, self.key) if entities else plain


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name in EXPORTED]


def _model_of(table: Table) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def _is_text(column: Any) -> bool:
    return isinstance(column.type, String | Text) and not isinstance(
        column.type, LargeBinary
    )


class _Rows:
    """Reads the source and yields each row as logical, de-identified values."""

    def __init__(
        self, source: sessionmaker[Session], vault: Vault, fake: Pseudonymizer
    ):
        self.source = source
        self.vault = vault
        self.fake = fake

    def of(
        self, table: Table
    ) -> Iterator[tuple[dict[str, Any], dict[str, str | None], str | None]]:
        """(plain columns, pseudonymised personal fields, subject key ref)."""
        model = _model_of(table)
        fields = personal_fields(model) if model is not None else {}
        internal = {c for f in fields.values() for c in (f.sealed, f.masked, f.bidx)}
        if fields:
            internal.add("key_ref")
        last = 0
        while True:
            with read_transaction(self.source) as session:
                if fields and model is not None:
                    rows = session.scalars(
                        select(model)
                        .where(model.id > last)
                        .order_by(model.id)
                        .limit(BATCH)
                    ).all()
                    batch = [
                        self._personal(row, table, fields, internal) for row in rows
                    ]
                else:
                    result = (
                        session.execute(
                            select(table)
                            .where(table.c.id > last)
                            .order_by(table.c.id)
                            .limit(BATCH)
                        )
                        .mappings()
                        .all()
                    )
                    batch = [
                        (self._plain(dict(r), table, internal), {}, None)
                        for r in result
                    ]
            if not batch:
                return
            yield from batch
            last = batch[-1][0]["id"]

    def _plain(
        self, values: dict[str, Any], table: Table, internal: set[str]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in table.columns:
            if column.name in internal:
                continue
            value = values[column.name]
            if isinstance(value, str) and _is_text(column) and column.name != "ref":
                value = self.fake.text(value)
            out[column.name] = value
        return out

    def _personal(
        self,
        row: Any,
        table: Table,
        fields: dict[str, PersonalField],
        internal: set[str],
    ) -> tuple[dict[str, Any], dict[str, str | None], str | None]:
        plain = self._plain(
            {c.name: getattr(row, c.key, None) for c in table.columns}, table, internal
        )
        revealed = self.vault.reveal(row)
        fakes = {
            name: None
            if value in (None, ERASED)
            else self.fake.value(fields[name], value)
            for name, value in revealed.items()
        }
        return plain, fakes, row.key_ref


def export_deidentified(
    source: sessionmaker[Session],
    vault: Vault,
    out: Path,
    fmt: Format,
    clock: Clock,
    key: bytes | None = None,
) -> ExportReport:
    """Write a de-identified copy of the exported tables to `out` (a new directory)."""
    if out.exists() and any(out.iterdir()):
        raise Conflict(f"{out} exists and is not empty; choose a new directory")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    fake = Pseudonymizer(key or secrets.token_bytes(32), vault.detector)
    rows = _Rows(source, vault, fake)
    report = ExportReport(out, fmt)
    if fmt == "sqlite":
        _to_sqlite(rows, out, clock, report)
    else:
        for table in _tables():
            report.rows[table.name] = _to_file(rows, table, out, fmt)
    return report


def _to_file(rows: _Rows, table: Table, out: Path, fmt: Format) -> int:
    path = out / f"{table.name}.{fmt}"
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer: Any = None
        for plain, fakes, _ in rows.of(table):
            record = {k: _jsonable(v) for k, v in {**plain, **fakes}.items()}
            if fmt == "jsonl":
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(record))
                    writer.writeheader()
                writer.writerow(record)
            count += 1
    return count


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _to_sqlite(rows: _Rows, out: Path, clock: Clock, report: ExportReport) -> None:
    url = f"sqlite:///{out / 'complydesk.db'}"
    upgrade(url)
    settings = load_settings(database_url=url, data_dir=out / "data")
    target_vault = open_vault(settings, clock)
    engine = make_engine(url)
    target = make_sessionmaker(engine)
    keys: dict[str, DataKey] = {}
    try:
        for table in _tables():
            model = _model_of(table)
            count = 0
            with transaction(target) as session:
                for plain, fakes, key_ref in rows.of(table):
                    count += 1
                    if not fakes or model is None:
                        session.execute(insert(table).values(**plain))
                        continue
                    if key_ref is None or all(v is None for v in fakes.values()):
                        session.add(model(**plain))  # erased or empty: no key needed
                        continue
                    if key_ref not in keys:
                        keys[key_ref] = target_vault.new_subject()
                    key = keys[key_ref]
                    obj = model(**plain, key_ref=key.key_ref)
                    target_vault.put(session, obj, fakes, key)
                    session.add(obj)
                    session.flush()
            report.rows[table.name] = count
    finally:
        engine.dispose()
