"""`complydesk vault`: keys, rotation, erasure and de-identified exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
    session_scope,
)

app = typer.Typer(
    help="Vault: data keys, KEK rotation, erasure, de-identified exports.",
    no_args_is_help=True,
)


def _audit(action: str, object_id: str, reason: str = "", **details: object) -> None:
    from complydesk.audit import AuditEvent, AuditLog, load_audit_key

    with session_scope() as session:
        AuditLog(load_audit_key(get_settings())).record(
            session,
            AuditEvent(
                actor="cli",
                action=action,
                object_type="vault",
                object_id=object_id,
                outcome="ok",
                reason=reason,
                details=details,
            ),
        )


@app.command("status")
@handle_errors
def status(as_json: bool = JsonOption) -> None:
    """KEK provider, current KEK, data keys per KEK."""
    from complydesk.clock import utcnow
    from complydesk.vault import open_keystore

    settings = get_settings()
    keystore = open_keystore(settings, utcnow)
    info = {
        "kek_provider": settings.kek_provider,
        "current_kek": keystore.kek.current_id(),
        "data_keys_by_kek": keystore.count_by_kek(),
        "keystore": settings.redacted()["keystore_url"]
        or str(settings.data_dir / "keystore.db"),
    }
    if as_json:
        print_json(info)
        return
    for name, value in info.items():
        console.print(f"{name}: {value}")


@app.command("rotate-kek")
@handle_errors
def rotate_kek_cmd(
    retire_old: Annotated[
        bool, typer.Option(help="Delete old local KEK files once nothing uses them.")
    ] = False,
) -> None:
    """Make a new KEK current and re-wrap every data key (data stays as it is)."""
    from complydesk.clock import utcnow
    from complydesk.vault import LocalKek, open_vault
    from complydesk.vault.rotate import rotate_kek

    settings = get_settings()
    vault = open_vault(settings, utcnow)
    result = rotate_kek(vault)
    retired: list[str] = []
    kek = vault.keystore.kek
    if retire_old and isinstance(kek, LocalKek):
        in_use = set(vault.keystore.count_by_kek())
        for kek_id in kek.known_ids():
            if kek_id != result.new and kek_id not in in_use:
                kek.retire(kek_id)
                retired.append(kek_id)
    _audit(
        "vault.kek.rotate", result.new, rewrapped=result.rewrapped, retired=len(retired)
    )
    console.print(
        f"KEK {result.old} -> {result.new}: {result.rewrapped} data keys re-wrapped"
        + (f"; retired {', '.join(retired)}" if retired else "")
    )


def _customer(session: object, ref: str) -> object:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from complydesk.store.models import Customer

    assert isinstance(session, Session)
    customer = session.scalar(select(Customer).where(Customer.ref == ref))
    if customer is None:
        raise fail(f"no customer with ref {ref}")
    return customer


@app.command("rotate-subject")
@handle_errors
def rotate_subject_cmd(
    customer_ref: Annotated[
        str, typer.Argument(help="Customer ref, e.g. C-1A2B3C4D5E.")
    ],
) -> None:
    """Give one customer a new data key and re-encrypt their fields under it."""
    from complydesk.clock import utcnow
    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.store.models import Customer
    from complydesk.vault import open_vault
    from complydesk.vault.rotate import rotate_subject

    settings = get_settings()
    vault = open_vault(settings, utcnow)
    with session_scope(read_only=True) as session:
        customer = _customer(session, customer_ref)
        assert isinstance(customer, Customer)
        key_ref, customer_id = customer.key_ref, customer.id
    if key_ref is None or customer.erased_at is not None:
        raise fail(f"customer {customer_ref} has no data key (erased or never keyed)")
    engine = make_engine(settings.sqlalchemy_url)
    try:
        fields = rotate_subject(make_sessionmaker(engine), vault, key_ref)
    finally:
        engine.dispose()
    _audit("vault.subject.rotate", str(customer_id), fields=fields)
    console.print(
        f"customer {customer_ref}: {fields} fields re-encrypted under a new key"
    )


@app.command("erase")
@handle_errors
def erase_cmd(
    customer_ref: Annotated[str, typer.Argument(help="Customer ref to erase.")],
    reason: Annotated[str, typer.Option(help="Why (audited), e.g. the request id.")],
) -> None:
    """Crypto-shred a customer's data key: their data is unreadable everywhere."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.clock import utcnow
    from complydesk.desk.customers import erase_customer
    from complydesk.store.models import Customer
    from complydesk.vault import open_vault

    settings = get_settings()
    vault = open_vault(settings, utcnow)
    audit = AuditLog(load_audit_key(settings))
    with session_scope() as session:
        customer = _customer(session, customer_ref)
        assert isinstance(customer, Customer)
        at = erase_customer(session, vault, audit, "cli", customer, reason)
    console.print(f"customer {customer_ref} erased at {at.isoformat()}")


@app.command("scrub")
@handle_errors
def scrub_cmd() -> None:
    """Clear masked copies left on erased customers' rows (the worker does this too)."""
    from complydesk.vault.erase import scrub_erased

    total = 0
    while True:
        with session_scope() as session:
            done = scrub_erased(session)
        total += done
        if done == 0:
            break
    console.print(f"{total} rows scrubbed")


@app.command("replay-erasures")
@handle_errors
def replay_erasures_cmd() -> None:
    """Destroy again the keys of erased customers after a keystore restore."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.clock import utcnow
    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.vault import open_keystore
    from complydesk.vault.replay import replay_and_audit

    settings = get_settings()
    keystore = open_keystore(settings, utcnow)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        revived = replay_and_audit(
            make_sessionmaker(engine),
            keystore,
            AuditLog(load_audit_key(settings), utcnow),
            "cli",
        )
    finally:
        engine.dispose()
        keystore.engine.dispose()
    console.print(f"{revived} erased keys destroyed again")


@app.command("export-deidentified")
@handle_errors
def export_cmd(
    out: Annotated[Path, typer.Argument(help="New directory to write the copy into.")],
    fmt: Annotated[
        str, typer.Option("--format", help="sqlite (runnable copy), csv or jsonl.")
    ] = "sqlite",
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="32-byte pseudonym key, to keep fakes stable across exports."
        ),
    ] = None,
) -> None:
    """Copy the database with every personal value replaced by a consistent fake."""
    from complydesk.clock import utcnow
    from complydesk.keyfile import load_or_create_key
    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.vault import open_vault
    from complydesk.vault.export import Format, export_deidentified

    if fmt not in ("sqlite", "csv", "jsonl"):
        raise fail("--format must be sqlite, csv or jsonl")
    settings = get_settings()
    vault = open_vault(settings, utcnow)
    key = load_or_create_key(key_file) if key_file is not None else None
    engine = make_engine(settings.sqlalchemy_url)
    try:
        report = export_deidentified(
            make_sessionmaker(engine),
            vault,
            out,
            cast(Format, fmt),
            utcnow,
            key,
        )
    finally:
        engine.dispose()
    _audit("vault.export", fmt, rows=sum(report.rows.values()))
    table = Table("table", "rows")
    for name, count in report.rows.items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(f"de-identified {fmt} copy written to {out}")
