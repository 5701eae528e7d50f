"""The vault: the one way personal fields are written to and read from the database.

Routes and services never touch `*_sealed` columns themselves; they call
`Vault.put` (encrypt, mask, blind-index), `Vault.reveal` (internal plaintext
reads, e.g. to send an SMS) or `Vault.unmask` (a person asking to see, with a
reason; audited). Every ciphertext is bound to its table, column, row id and
key ref (complydesk.vault.envelope), so a row needs its id before its fields
are sealed: `assign_id` takes it from the sequence (PostgreSQL) or the table's
maximum under the write lock (SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.errors import InvalidInput
from complydesk.pii.detect import Detector, default_detector
from complydesk.pii.entity import Entity
from complydesk.pii.masking import mask_value
from complydesk.pii.operators import mask as mask_text
from complydesk.store.personal import TEXT, BlindKind, PersonalField, personal_fields
from complydesk.vault.blind import BlindIndexer
from complydesk.vault.envelope import Place, key_version, open_sealed, seal
from complydesk.vault.keystore import DataKey, KeyErased, KeyStore

ERASED = "[erased]"
MIN_REASON_CHARS = 8


@dataclass
class Prepared:
    """Values checked for one model, with their blind indexes computed."""

    model: type
    values: dict[str, str | None] = field(default_factory=dict)
    indexes: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Written:
    """What `put` learned: the entities found in each free-text field."""

    findings: dict[str, list[Entity]] = field(default_factory=dict)


def assign_id(session: Session, row: Any) -> int:
    """Give a new row its primary key before insert (ciphertexts bind to it)."""
    if row.id is not None:
        return int(row.id)
    table = type(row).__table__
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        next_id = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id'))"), {"t": table.name}
        ).scalar_one()
    else:
        session.flush()  # rows added without an id take theirs first
        current = conn.execute(select(func.max(table.c.id))).scalar() or 0
        handed_out: dict[str, int] = session.info.setdefault("vault_ids", {})
        next_id = max(current, handed_out.get(table.name, 0)) + 1
        handed_out[table.name] = next_id
    row.id = int(next_id)
    return int(next_id)


class Vault:
    """Seals, masks and indexes personal fields; opens them for allowed callers."""

    def __init__(
        self,
        keystore: KeyStore,
        indexer: BlindIndexer,
        detector: Detector | None = None,
    ) -> None:
        self.keystore = keystore
        self.indexer = indexer
        self.detector = detector or default_detector()

    def new_subject(self) -> DataKey:
        """A data key for a new data subject (a customer)."""
        return self.keystore.new_subject()

    def lookup_index(self, kind: BlindKind, value: str) -> str:
        return self.indexer.index(kind, value)

    def check(self, model: type, values: Mapping[str, str | None]) -> Prepared:
        """Validate values for `model` before anything is stored or keyed.

        The result (checked values and their blind indexes) can be passed to
        `put`, so nothing is normalised twice.
        """
        fields = personal_fields(model)
        table = getattr(model, "__tablename__", model.__name__)
        prepared = Prepared(model)
        for name, value in values.items():
            spec = fields.get(name)
            if spec is None:
                raise InvalidInput(f"{table} has no personal field {name}")
            if value is not None:
                value = _checked(spec, value)
            prepared.values[name] = value
            if spec.blind is not None:
                prepared.indexes[name] = (
                    None if value is None else self.indexer.index(spec.blind, value)
                )
        return prepared

    def put(
        self,
        session: Session,
        row: Any,
        values: Mapping[str, str | None] | Prepared,
        key: DataKey | None = None,
    ) -> Written:
        """Store `values` into `row`'s personal fields (None clears a field)."""
        if isinstance(values, Prepared) and values.model is type(row):
            prepared = values
        else:
            raw = values.values if isinstance(values, Prepared) else values
            prepared = self.check(type(row), raw)
        if not row.key_ref:
            raise InvalidInput("the row has no data subject (key_ref)")
        if key is None or key.key_ref != row.key_ref:
            key = self.keystore.get(row.key_ref)
        row_id = assign_id(session, row)
        fields = personal_fields(row)
        written = Written()
        for name, value in prepared.values.items():
            spec = fields[name]
            if spec.blind is not None:
                setattr(row, spec.bidx, prepared.indexes[name])
            self._put_one(row, spec, value, key, row_id, written)
        return written

    def _put_one(
        self,
        row: Any,
        spec: PersonalField,
        value: str | None,
        key: DataKey,
        row_id: int,
        written: Written,
    ) -> None:
        if value is None:
            setattr(row, spec.sealed, None)
            setattr(row, spec.masked, None)
            return
        place = Place(type(row).__tablename__, spec.name, row_id, key.key_ref)
        setattr(row, spec.sealed, seal(value, key, place))
        if spec.label == TEXT:
            entities = self.detector.detect(value)
            written.findings[spec.name] = entities
            setattr(row, spec.masked, mask_text(value, entities))
        else:
            setattr(row, spec.masked, mask_value(value, spec.label))

    def reveal(
        self, row: Any, names: Iterable[str] | None = None
    ) -> dict[str, str | None]:
        """Plaintext of the named fields, for the system's own use (not shown).

        Erased subjects give ERASED for every field that held a value.
        """
        fields = personal_fields(row)
        wanted = list(fields) if names is None else list(names)
        for name in wanted:
            if name not in fields:
                raise InvalidInput(
                    f"{type(row).__tablename__} has no personal field {name}"
                )
        keys: dict[int, DataKey] = {}
        out: dict[str, str | None] = {}
        for name in wanted:
            spec = fields[name]
            blob: bytes | None = getattr(row, spec.sealed)
            if blob is None:
                out[name] = None
                continue
            if not row.key_ref:
                out[name] = ERASED
                continue
            version = key_version(blob)
            try:
                if version not in keys:
                    keys[version] = self.keystore.get(row.key_ref, version)
            except KeyErased:
                out[name] = ERASED
                continue
            place = Place(type(row).__tablename__, spec.name, row.id, row.key_ref)
            out[name] = open_sealed(blob, keys[version], place)
        return out

    def masked(self, row: Any) -> dict[str, str | None]:
        """The masked copies: what roles without unmask rights see."""
        return {
            name: getattr(row, f.masked) for name, f in personal_fields(row).items()
        }

    def unmask(
        self,
        session: Session,
        audit: AuditLog,
        actor: str,
        row: Any,
        names: Iterable[str],
        reason: str,
    ) -> dict[str, str | None]:
        """Plaintext for a person who gave a reason; the audit entry commits with it.

        The caller must already hold `pii.unmask` (checked at the edge).
        """
        reason = " ".join(reason.split())
        if len(reason) < MIN_REASON_CHARS:
            raise InvalidInput(
                f"reason must say why, in at least {MIN_REASON_CHARS} characters"
            )
        wanted = sorted(set(names))
        if not wanted:
            raise InvalidInput("fields must name at least one personal field")
        values = self.reveal(row, wanted)
        audit.record(
            session,
            AuditEvent(
                actor=actor,
                action="pii.unmask",
                object_type=type(row).__tablename__,
                object_id=str(row.id),
                outcome="ok",
                reason=reason[:500],
                details={"fields": ",".join(wanted)},
            ),
        )
        return values

    def rekey(
        self, session: Session, row: Any, old: DataKey | None, new: DataKey
    ) -> int:
        """Re-encrypt every sealed field of `row` under `new`; return fields done."""
        done = 0
        for spec in personal_fields(row).values():
            blob: bytes | None = getattr(row, spec.sealed)
            if blob is None or key_version(blob) == new.version:
                continue
            place = Place(type(row).__tablename__, spec.name, row.id, new.key_ref)
            version = key_version(blob)
            key = (
                old
                if old is not None and old.version == version
                else (self.keystore.get(new.key_ref, version))
            )
            setattr(row, spec.sealed, seal(open_sealed(blob, key, place), new, place))
            done += 1
        return done


def _checked(spec: PersonalField, value: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{spec.name} must be text")
    value = value.strip() if spec.label != TEXT else value
    if not value:
        raise InvalidInput(f"{spec.name} must not be empty")
    if len(value) > spec.max_chars:
        raise InvalidInput(f"{spec.name} is longer than {spec.max_chars} characters")
    return value
