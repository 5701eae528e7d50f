"""External systems an access or erasure request must reach (a CRM, a shop).

`COMPLYDESK_CONNECTORS_FILE` names a YAML file:

```yaml
connectors:
  - name: crm
    kind: sql                      # another database, through SQLAlchemy
    url_env: CRM_DATABASE_URL      # or url: sqlite:////srv/crm.db (no password)
    mapping: crm-mapping.yaml      # relative to this file
  - name: loyalty
    kind: http                     # an endpoint answering JSON
    url: https://loyalty.internal/privacy
    secret_env: LOYALTY_SECRET     # signs requests like our webhooks
    identifiers: [phone, email]
    erase: true
```

A mapping file lists, per table, the key column and how it matches the
subject (`match`: phone, email or id_number; `form`: the normalised value or
our blind index), the columns to export and what erasure does (`delete`,
`anonymise` the listed columns, or `keep` with the reason stated in the
receipt). The subject's identifiers are computed from the vault while the
subject's key exists and are never logged; errors carry a short reason
(`http_503`, `timeout`), never a response body.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Connection, Engine, MetaData, Table, delete, select, update
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from complydesk import __version__
from complydesk.errors import ComplydeskError, ConfigError
from complydesk.notify.webhooks import SIGNATURE_HEADER, Endpoint, signature_header
from complydesk.store.db import make_engine
from complydesk.store.models import Customer
from complydesk.store.personal import BlindKind
from complydesk.vault import ERASED, Vault
from complydesk.vault.blind import NORMALIZERS

Kind = Literal["phone", "email", "id_number"]
MAX_ROWS: Final = 10_000
MAX_COUNT_KEYS: Final = 1_000_000


class ConnectorError(ComplydeskError):
    """An external system did not answer as expected; `detail` is a short reason."""

    status = 502
    title = "External system failed"


@dataclass(frozen=True)
class SubjectKeys:
    """How external systems know the subject: normalised values and blind indexes."""

    values: dict[str, str] = field(default_factory=dict)
    blind: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"values": self.values, "blind": self.blind}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SubjectKeys:
        data = json.loads(text)
        return cls(dict(data["values"]), dict(data["blind"]))


def subject_keys(vault: Vault, customer: Customer) -> SubjectKeys:
    """The subject's identifiers (needs the subject's key: call before shredding)."""
    revealed = vault.reveal(customer, [k.value for k in BlindKind])
    values: dict[str, str] = {}
    blind: dict[str, str] = {}
    for kind in BlindKind:
        value = revealed.get(kind.value)
        if not value or value == ERASED:
            continue
        try:
            values[kind.value] = NORMALIZERS[kind](value)
            blind[kind.value] = vault.lookup_index(kind, value)
        except ComplydeskError:
            continue  # a stored value that no longer normalises: not a key
    return SubjectKeys(values, blind)


class Connector(Protocol):
    name: str
    kind: str

    @property
    def erases(self) -> bool: ...

    def export(self, keys: SubjectKeys, request_ref: str) -> dict[str, Any]: ...

    def erase(self, keys: SubjectKeys, request_ref: str) -> str: ...

    def kept(self) -> list[tuple[str, str]]: ...


# ---- configuration -----------------------------------------------------------


class TableMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    key_column: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    match: Kind
    form: Literal["normalised", "blind_index"] = "normalised"
    export: list[str] = Field(min_length=1)
    on_erasure: Literal["delete", "anonymise", "keep"] = "delete"
    anonymise: list[str] = Field(default_factory=list)
    keep_reason: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _consistent(self) -> TableMapping:
        if self.on_erasure == "anonymise" and not self.anonymise:
            raise ValueError("on_erasure anonymise needs the anonymise columns")
        if self.on_erasure == "keep" and not self.keep_reason:
            raise ValueError("on_erasure keep needs keep_reason (told to the subject)")
        if self.key_column in self.anonymise:
            raise ValueError("anonymise must not include the key column")
        return self


class Mapping_(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tables: list[TableMapping] = Field(min_length=1)


def _default_identifiers() -> list[Kind]:
    return ["phone", "email"]


class ConnectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    kind: Literal["sql", "http"]
    url: str | None = None
    url_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    mapping: str | None = None
    secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    identifiers: list[Kind] = Field(default_factory=_default_identifiers)
    erase: bool = True
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @model_validator(mode="after")
    def _complete(self) -> ConnectorConfig:
        if self.kind == "sql":
            if (self.url is None) == (self.url_env is None):
                raise ValueError("a sql connector needs exactly one of url, url_env")
            if self.mapping is None:
                raise ValueError("a sql connector needs a mapping file")
        else:
            if self.url is None or self.secret_env is None:
                raise ValueError("an http connector needs url and secret_env")
            Endpoint(
                name=self.name,
                url=self.url,
                events=["dsr.connector"],
                secret_env=self.secret_env,
            )
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connectors: list[ConnectorConfig] = Field(default_factory=list)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML") from None


def _problem(path: Path, exc: ValidationError) -> ConfigError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return ConfigError(f"{path}: {where}: {first['msg']}")


def load_connectors(
    path: Path | None, environ: Mapping[str, str] | None = None
) -> list[Connector]:
    """Every configured connector, validated; none without a file."""
    if path is None:
        return []
    try:
        parsed = _File.model_validate(_read_yaml(path) or {})
    except ValidationError as exc:
        raise _problem(path, exc) from None
    names = [c.name for c in parsed.connectors]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: connectors: a name is used twice")
    env = os.environ if environ is None else environ
    out: list[Connector] = []
    for config in parsed.connectors:
        if config.kind == "sql":
            mapping_path = path.parent / str(config.mapping)
            try:
                mapping = Mapping_.model_validate(_read_yaml(mapping_path))
            except ValidationError as exc:
                raise _problem(mapping_path, exc) from None
            url = config.url or env.get(str(config.url_env), "")
            if not url:
                raise ConfigError(
                    f"connector {config.name}: environment variable "
                    f"{config.url_env} is not set"
                )
            out.append(SqlConnector(config.name, url, mapping, config.erase))
        else:
            out.append(HttpConnector(config, env))
    return out


# ---- SQL ---------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None  # binary columns are not exported
    return value


class SqlConnector:
    """Rows about the subject in another database, matched on one key column."""

    kind = "sql"

    def __init__(self, name: str, url: str, mapping: Mapping_, erase: bool) -> None:
        self.name = name
        self._url = url
        self.mapping = mapping
        self._erase = erase

    @property
    def erases(self) -> bool:
        return self._erase

    def _engine(self) -> Engine:
        try:
            return make_engine(self._url)
        except ConfigError:
            raise ConfigError(
                f"connector {self.name}: the database URL is not usable"
            ) from None

    def _table(self, conn: Connection, spec: TableMapping) -> Table:
        try:
            table = Table(spec.table, MetaData(), autoload_with=conn)
        except NoSuchTableError:
            raise ConfigError(
                f"connector {self.name}: table {spec.table} does not exist"
            ) from None
        wanted = {spec.key_column, *spec.export, *spec.anonymise}
        missing = sorted(wanted - set(table.c.keys()))
        if missing:
            raise ConfigError(
                f"connector {self.name}: table {spec.table} has no column "
                f"{', '.join(missing)}"
            )
        return table

    @staticmethod
    def _key(spec: TableMapping, keys: SubjectKeys) -> str | None:
        source = keys.values if spec.form == "normalised" else keys.blind
        return source.get(spec.match)

    def export(self, keys: SubjectKeys, request_ref: str) -> dict[str, Any]:
        engine = self._engine()
        try:
            out: dict[str, Any] = {}
            with engine.connect() as conn:
                for spec in self.mapping.tables:
                    table = self._table(conn, spec)
                    key = self._key(spec, keys)
                    if key is None:
                        out[spec.table] = []
                        continue
                    rows = conn.execute(
                        select(*(table.c[c] for c in spec.export))
                        .where(table.c[spec.key_column] == key)
                        .limit(MAX_ROWS)
                    ).mappings()
                    out[spec.table] = [
                        {k: _jsonable(v) for k, v in row.items()} for row in rows
                    ]
            return out
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.name}: {type(exc).__name__}") from None
        finally:
            engine.dispose()

    def erase(self, keys: SubjectKeys, request_ref: str) -> str:
        """Delete or anonymise in one transaction; returns what was done."""
        engine = self._engine()
        done: list[str] = []
        try:
            with engine.begin() as conn:
                for spec in self.mapping.tables:
                    table = self._table(conn, spec)
                    key = self._key(spec, keys)
                    if key is None or spec.on_erasure == "keep":
                        done.append(
                            f"{spec.table}: kept" if key else f"{spec.table}: 0"
                        )
                        continue
                    where = table.c[spec.key_column] == key
                    if spec.on_erasure == "delete":
                        result = conn.execute(delete(table).where(where))
                        done.append(f"{spec.table}: {result.rowcount} deleted")
                    else:
                        values = dict.fromkeys(spec.anonymise)
                        result = conn.execute(update(table).where(where).values(values))
                        done.append(f"{spec.table}: {result.rowcount} anonymised")
            return "; ".join(done)[:200]
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.name}: {type(exc).__name__}") from None
        finally:
            engine.dispose()

    def held_keys(self) -> tuple[dict[tuple[str, str], set[str]], bool]:
        """(match, form) -> every distinct subject key the mapped tables hold.

        For breach counts (complydesk.breach.external); the flag is True when
        a table had more than MAX_COUNT_KEYS keys, so the count is a floor.
        """
        engine = self._engine()
        out: dict[tuple[str, str], set[str]] = {}
        truncated = False
        try:
            with engine.connect() as conn:
                for spec in self.mapping.tables:
                    column = self._table(conn, spec).c[spec.key_column]
                    values = conn.scalars(
                        select(column)
                        .where(column.is_not(None))
                        .distinct()
                        .limit(MAX_COUNT_KEYS + 1)
                    ).all()
                    truncated = truncated or len(values) > MAX_COUNT_KEYS
                    found = out.setdefault((spec.match, spec.form), set())
                    found.update(str(v) for v in values[:MAX_COUNT_KEYS])
            return out, truncated
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.name}: {type(exc).__name__}") from None
        finally:
            engine.dispose()

    def kept(self) -> list[tuple[str, str]]:
        """Tables erasure leaves in place, with the reason told to the subject."""
        return [
            (t.table, str(t.keep_reason))
            for t in self.mapping.tables
            if t.on_erasure == "keep"
        ]


# ---- HTTP --------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)
MAX_RESPONSE_BYTES: Final = 5_000_000


class HttpConnector:
    """POSTs `{"action", "request", "subject"}` signed with the shared secret.

    Export answers `{"records": ...}`; erase answers `{"erased": true,
    "confirmation": "..."}`. Anything else is a ConnectorError.
    """

    kind = "http"

    def __init__(self, config: ConnectorConfig, environ: Mapping[str, str]) -> None:
        self.name = config.name
        self.config = config
        self._environ = environ

    @property
    def erases(self) -> bool:
        return self.config.erase

    def _call(self, action: str, keys: SubjectKeys, request_ref: str) -> Any:
        secret = self._environ.get(str(self.config.secret_env), "")
        if len(secret) < 16:
            raise ConnectorError(f"{self.name}: secret_not_set")
        subject = {
            k: keys.values[k] for k in self.config.identifiers if k in keys.values
        }
        body = json.dumps(
            {"action": action, "request": request_ref, "subject": subject},
            sort_keys=True,
            ensure_ascii=False,
        ).encode("utf-8")
        request = urllib.request.Request(
            str(self.config.url),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": f"complydesk/{__version__}",
                SIGNATURE_HEADER: signature_header(
                    secret.encode(), body, int(time.time())
                ),
            },
        )
        try:
            with _OPENER.open(request, timeout=self.config.timeout_seconds) as answer:
                raw = answer.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise ConnectorError(f"{self.name}: http_{exc.code}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            name = type(reason).__name__ if isinstance(reason, BaseException) else "url"
            raise ConnectorError(f"{self.name}: {name}") from None
        except (OSError, ValueError) as exc:
            raise ConnectorError(f"{self.name}: {type(exc).__name__}") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ConnectorError(f"{self.name}: response_too_large")
        try:
            return json.loads(raw)
        except ValueError:
            raise ConnectorError(f"{self.name}: response_not_json") from None

    def export(self, keys: SubjectKeys, request_ref: str) -> dict[str, Any]:
        answer = self._call("export", keys, request_ref)
        if not isinstance(answer, dict) or not isinstance(answer.get("records"), dict):
            raise ConnectorError(f"{self.name}: response_without_records")
        records: dict[str, Any] = answer["records"]
        return records

    def kept(self) -> list[tuple[str, str]]:
        return []  # the remote system reports what it keeps in its confirmation

    def erase(self, keys: SubjectKeys, request_ref: str) -> str:
        answer = self._call("erase", keys, request_ref)
        if not isinstance(answer, dict) or answer.get("erased") is not True:
            raise ConnectorError(f"{self.name}: erasure_not_confirmed")
        confirmation = answer.get("confirmation")
        return str(confirmation)[:200] if confirmation else "erased"
