"""Datasets given as a database query: read-only, streamed, counted by blind index.

`complydesk transfer assess|export --query "SELECT ..." [--db-url URL]` reads
the rows of one SELECT and treats them like the records of a file. Read-only
three ways: the statement must be a single SELECT (or WITH ... SELECT) naming
no writing keyword; the connection itself refuses writes (SQLite opened
`mode=ro` with `PRAGMA query_only`, PostgreSQL with
`default_transaction_read_only`); and the transaction is rolled back.
Other backends are refused: we cannot promise read-only there.

Complydesk's own database (the default, no `--db-url`) keeps personal fields
as the vault stores them, and we chose to **count without decrypting**:

* `<field>_bidx` (phone, e-mail, ID number): the vault's blind index. Its
  counting digest is the one a file holding the plain value would give
  (`SubjectHasher.from_index`), so a person sent once from a file and once
  from the database is one person. Never part of the output.
* `<field>_sealed`: ciphertext. Never decrypted: its label is known from the
  schema (`__personal__`), so the assessment knows what leaves. An export can
  only drop or redact it; decrypting needs each row's place (table, column,
  row id, key ref), which a query's result does not carry. Sealed free text
  (label TEXT) cannot be assessed unread and is refused: select its masked copy.
* `<field>_masked`: the masked copy, still personal data of the field's
  label (a typed column, unless the profile names it).

The query text may hold personal data (a WHERE on a phone number), so it is
never stored or logged: the assessment keeps its SHA-256 only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from complydesk.errors import InvalidInput
from complydesk.store.models import Base
from complydesk.store.personal import TEXT, personal_fields
from complydesk.transfer.cells import Role, resolve
from complydesk.transfer.profile import REMOVES, Profile
from complydesk.transfer.stream import BATCH, Job, Kind, StreamSummary, output_header

MAX_QUERY_CHARS = 20_000
_STRINGS_AND_COMMENTS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL
)
_WRITING = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|CREATE|DROP|ALTER|TRUNCATE|"
    r"GRANT|REVOKE|COPY|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|ANALYZE|CALL|DO|"
    r"LOCK|SET|RESET|INTO|EXECUTE|PREPARE|LISTEN|NOTIFY|COMMENT|REFRESH)\b",
    re.IGNORECASE,
)
_SIMPLE = (str, int, float, bool, type(None))
SEALED_MARK = "[sealed]"


def check_query(sql: str) -> str:
    """One read-only SELECT, or InvalidInput naming the rule it breaks."""
    if not isinstance(sql, str) or not sql.strip():
        raise InvalidInput("the query is empty")
    if len(sql) > MAX_QUERY_CHARS:
        raise InvalidInput(f"the query is longer than {MAX_QUERY_CHARS} characters")
    body = sql.strip().rstrip(";").strip()
    bare = _STRINGS_AND_COMMENTS.sub(" ", body)
    if ";" in bare:
        raise InvalidInput("the query must be a single statement")
    first = bare.split(None, 1)[0].upper() if bare.split() else ""
    if first not in ("SELECT", "WITH", "VALUES", "(SELECT"):
        raise InvalidInput("the query must be a SELECT: transfers only read")
    writing = _WRITING.search(bare)
    if writing:
        raise InvalidInput(
            f"the query must only read (it names {writing.group(1).upper()})"
        )
    return body


def personal_roles() -> dict[str, tuple[Role, str]]:
    """Column name -> (role, label) for the vault's columns in our own schema."""
    roles: dict[str, tuple[Role, str]] = {}
    clashes: set[str] = set()
    for mapper in Base.registry.mappers:
        for spec in personal_fields(mapper.class_).values():
            found: list[tuple[str, tuple[Role, str]]] = [
                (spec.sealed, ("sealed", spec.label))
            ]
            if spec.label != TEXT:
                found.append((spec.masked, ("masked", spec.label)))
            if spec.blind is not None:
                found.append((spec.bidx, ("bidx", spec.label)))
            for name, role in found:
                if roles.get(name, role) != role:
                    clashes.add(name)
                roles[name] = role
    for name in clashes:  # the same column name with two labels: read it plainly
        if roles[name][0] != "sealed":
            del roles[name]
    return roles


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write, for SQLite and PostgreSQL only."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput("the database URL is not a valid SQLAlchemy URL") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise InvalidInput("a SQLite database URL must name a file")
            if not database.startswith("file:"):
                parsed = parsed.set(database=f"file:{database}")
            parsed = parsed.update_query_dict({"mode": "ro", "uri": "true"})
            engine = create_engine(parsed)
            event.listen(engine, "connect", _sqlite_read_only)
            return engine
        if backend == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            options = "-c default_transaction_read_only=on"
            return create_engine(parsed, connect_args={"options": options})
    except (ArgumentError, NoSuchModuleError):
        raise InvalidInput(
            "the database URL names a driver that is not installed"
        ) from None
    raise InvalidInput(
        f"queries can read sqlite or postgresql databases, not {backend}: "
        "read-only access is not guaranteed there"
    )


def _failure(exc: SQLAlchemyError) -> InvalidInput:
    """The database's complaint without its message (which may quote values)."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    name = type(orig or exc).__name__
    return InvalidInput(f"the query failed ({name}{f' {code}' if code else ''})")


def _plain(value: Any, column: str) -> Any:
    """A JSON-ready value; binary data is refused (it cannot be scanned)."""
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise InvalidInput(
            f"column {column} holds binary data, which cannot be scanned"
        )
    return str(value)


class QuerySource:
    """The rows of one read-only SELECT, as a `stream.Source`."""

    kind = "query"
    name = "query"

    def __init__(
        self, url: str, sql: str, *, own: bool, out_kind: Kind = "jsonl"
    ) -> None:
        self.sql = check_query(sql)
        self.url = url
        self.own = own
        self.out_kind: Kind = out_kind
        self.roles: dict[str, tuple[Role, str]] = personal_roles() if own else {}
        self.exporting = False
        self.sha256 = hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @contextmanager
    def jobs(self, profile: Profile, summary: StreamSummary) -> Iterator[Iterator[Job]]:
        engine = read_only_engine(self.url)
        try:
            with engine.connect() as connection:
                yield self._run(connection, profile, summary)
                connection.rollback()
        except SQLAlchemyError as exc:
            raise _failure(exc) from None
        finally:
            engine.dispose()

    def _columns(self, names: Sequence[str], profile: Profile) -> list[str]:
        columns = [str(name) for name in names]
        if len(set(columns)) != len(columns):
            raise InvalidInput("column names must be unique (use AS)")
        for name in columns:
            role = self.roles.get(name)
            if role is None or role[0] != "sealed":
                continue
            if role[1] == TEXT:
                raise InvalidInput(
                    f"{name} is sealed free text, which cannot be assessed without "
                    f"decrypting; select {name.removesuffix('_sealed')}_masked"
                )
            rule, _ = resolve(profile, self.roles, name)
            if self.exporting and rule.action not in REMOVES:
                raise InvalidInput(
                    f"{name} is sealed: a query export can only drop or redact it "
                    "(it is never decrypted here)"
                )
        return columns

    def _run(
        self, connection: Connection, profile: Profile, summary: StreamSummary
    ) -> Iterator[Job]:
        result = connection.execution_options(
            stream_results=True, yield_per=BATCH
        ).exec_driver_sql(self.sql)
        try:
            if not result.returns_rows:
                raise InvalidInput("the query returns no rows")
            columns = self._columns(list(result.keys()), profile)
            summary.columns = columns
            summary.input_sha256 = self.sha256
            summary.input_bytes = len(self.sql.encode("utf-8"))
            summary.source = {
                "kind": "query",
                "database": "own" if self.own else "external",
                "dialect": connection.dialect.name,
                "query_sha256": self.sha256,
            }
            if self.out_kind == "csv":
                buffer = io.StringIO()
                header = output_header(columns, profile, self.roles)
                csv.writer(buffer, lineterminator="\n").writerow(header)
                yield "header", (buffer.getvalue(),)
            sealed = frozenset(
                i
                for i, n in enumerate(columns)
                if (role := self.roles.get(n)) is not None and role[0] == "sealed"
            )
            for partition in result.partitions(BATCH):
                rows = [_values(row, sealed, columns) for row in partition]
                yield "rows", (columns, rows, self.out_kind)
        finally:
            result.close()


def _values(
    row: Sequence[Any], sealed: frozenset[int], columns: list[str]
) -> list[Any]:
    """One row as JSON-ready values; sealed ciphertext becomes a mark, unread."""
    if not sealed:
        return [
            v if isinstance(v, _SIMPLE) else _plain(v, columns[i])
            for i, v in enumerate(row)
        ]
    values: list[Any] = []
    for i, v in enumerate(row):
        if i in sealed:
            values.append(None if v is None else SEALED_MARK)
        elif isinstance(v, _SIMPLE):
            values.append(v)
        else:
            values.append(_plain(v, columns[i]))
    return values


__all__ = ["QuerySource", "check_query", "personal_roles", "read_only_engine"]
