"""`complydesk breach`: the breach register, its notice clocks and drafts."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from complydesk.cli import clocks
from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
)
from complydesk.clock import utcnow
from complydesk.obligations import breach_obligations

app = typer.Typer(help="Breach register and notification clocks.", no_args_is_help=True)


@app.command("clock")
@handle_errors
def clock(
    aware_at: Annotated[
        str, typer.Option(help="When the breach became known (ISO-8601 with offset).")
    ],
    pack: clocks.PackOption = None,
    now: clocks.NowOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Every notification deadline a breach starts under the pack."""
    clocks.run(pack, (aware_at, "--aware-at"), now, breach_obligations, as_json)


def _session(read_only: bool = False) -> Any:
    from complydesk.cli.common import session_scope

    return session_scope(read_only=read_only)


def _audit() -> Any:
    from complydesk.audit import AuditLog, load_audit_key

    return AuditLog(load_audit_key(get_settings()))


def _clock_rows(session: Any, incident: Any) -> list[dict[str, Any]]:
    from complydesk.breach.register import views
    from complydesk.clock import utcnow

    return [
        {
            "jurisdiction": v.jurisdiction,
            "obligation": v.obligation,
            "required": v.required,
            "status": v.status,
            "due_at": v.due_at.isoformat() if v.due_at else None,
            "seconds_left": v.seconds_left,
            "notified_at": v.notified_at.isoformat() if v.notified_at else None,
            "citation": v.citation,
            "note": v.reason or v.note,
        }
        for v in views(session, incident, utcnow())
    ]


def _print_clocks(ref: str, rows: list[dict[str, Any]]) -> None:
    table = Table("where", "notice", "due (UTC)", "status", "citation", title=ref)
    for row in rows:
        due = row["due_at"][:16].replace("T", " ") if row["due_at"] else "—"
        status = (
            "sent " + row["notified_at"][:16] if row["notified_at"] else row["status"]
        )
        style = "red" if row["status"] == "overdue" and not row["notified_at"] else None
        if not row["required"]:
            style = "dim"
        table.add_row(
            row["jurisdiction"],
            row["obligation"].removeprefix("breach."),
            due,
            status,
            row["citation"],
            style=style,
        )
    console.print(table)


@app.command("record")
@handle_errors
def record_cmd(
    title: Annotated[str, typer.Option(help="Short title, no personal data.")],
    description: Annotated[str, typer.Option(help="What happened and why.")],
    detected_at: Annotated[str, typer.Option(help="ISO-8601 with offset.")],
    aware_at: Annotated[
        str, typer.Option(help="ISO-8601 with offset; clocks start here.")
    ],
    category: Annotated[
        list[str], typer.Option(help="Data category affected (repeatable).")
    ],
    risk: Annotated[str, typer.Option(help="unlikely, risk or high.")],
    contact_point: Annotated[str, typer.Option(help="Who answers questions.")],
    system: Annotated[
        list[str] | None, typer.Option(help="System affected (repeatable).")
    ] = None,
    consequences: Annotated[str, typer.Option(help="Likely consequences.")] = "",
    measures: Annotated[str, typer.Option(help="Measures taken or proposed.")] = "",
    operator_kind: Annotated[
        str, typer.Option(help="ciio, state_organs or other_operators (cn reports).")
    ] = "other_operators",
    public_interest: Annotated[
        bool,
        typer.Option(
            "--public-interest", help="National security or public interest at risk."
        ),
    ] = False,
    estimate: Annotated[
        list[str] | None,
        typer.Option(
            help="SYSTEM:PACK=COUNT for a named system complydesk cannot count "
            "(repeatable; SYSTEM: for none there). Audited.",
        ),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Record an incident; affected subjects per jurisdiction and clocks follow.

    SQL connectors named with --system are counted; any other named system
    needs an --estimate.
    """
    from complydesk.breach.register import record_incident
    from complydesk.pii.detect import default_detector
    from complydesk.rights.connectors import load_connectors
    from complydesk.vault import open_vault

    settings = get_settings()
    estimates = _parse_estimates(estimate or [])
    with _session() as session:
        incident, sources = record_incident(
            session,
            _audit(),
            settings,
            default_detector(),
            "cli",
            external_estimates=estimates,
            vault=open_vault(settings, utcnow),
            connectors=load_connectors(settings.connectors_file),
            public_interest=public_interest,
            title=title,
            description=description,
            detected_at=clocks.parse_when(detected_at, "--detected-at"),
            aware_at=clocks.parse_when(aware_at, "--aware-at"),
            systems=system or ["complydesk"],
            categories=category,
            risk=risk,
            consequences=consequences,
            measures=measures,
            contact_point=contact_point,
            operator_kind=operator_kind,
        )
        ref, affected = incident.ref, dict(incident.affected)
        rows = _clock_rows(session, incident)
    found = [vars(c) for c in sources]
    if as_json:
        print_json({"ref": ref, "affected": affected, "sources": found, "clocks": rows})
        return
    console.print(f"{ref}: affected {affected or 'none found'}")
    for source in sources:
        console.print(f"  {source.system}: {source.summary()}")
    _print_clocks(ref, rows)


def _parse_estimates(values: list[str]) -> dict[str, dict[str, int]]:
    """`crm:eu=120` -> {"crm": {"eu": 120}}; `laptop:` -> {"laptop": {}}."""
    out: dict[str, dict[str, int]] = {}
    for value in values:
        system, sep, rest = value.partition(":")
        pack, eq, count = rest.partition("=")
        if not sep or not system or (rest and (not eq or not count.isdigit())):
            raise fail("--estimate must look like crm:eu=120 (or crm: for none)")
        out.setdefault(system, {})
        if rest:
            out[system][pack] = out[system].get(pack, 0) + int(count)
    return out


@app.command("close")
@handle_errors
def close_cmd(
    ref: Annotated[str, typer.Argument(help="Incident reference.")],
) -> None:
    """Close an incident; refused while a notice the packs require is unrecorded."""
    from complydesk.breach.register import close_incident, find_incident

    with _session() as session:
        close_incident(session, _audit(), "cli", find_incident(session, ref))
    console.print(f"{ref}: closed")


@app.command("list")
@handle_errors
def list_cmd(
    state: Annotated[str, typer.Option(help="open, closed or all.")] = "open",
    as_json: bool = JsonOption,
) -> None:
    """The register; incidents with an overdue notice are marked."""
    from complydesk.breach.register import list_incidents

    with _session(read_only=True) as session:
        rows: list[dict[str, Any]] = []
        for incident in list_incidents(session, state):
            clocks_ = _clock_rows(session, incident)
            rows.append(
                {
                    "ref": incident.ref,
                    "title": incident.title,
                    "aware_at": incident.aware_at.isoformat(),
                    "affected": incident.affected,
                    "status": incident.status,
                    "overdue": any(
                        c["status"] == "overdue" and not c["notified_at"]
                        for c in clocks_
                    ),
                }
            )
    if as_json:
        print_json(rows)
        return
    table = Table("ref", "title", "aware (UTC)", "affected", "status")
    for row in rows:
        table.add_row(
            row["ref"],
            row["title"],
            row["aware_at"][:16].replace("T", " "),
            ", ".join(f"{k} {v}" for k, v in row["affected"].items()),
            "OVERDUE" if row["overdue"] else row["status"],
            style="red" if row["overdue"] else None,
        )
    console.print(table)


@app.command("show")
@handle_errors
def show_cmd(
    ref: Annotated[str, typer.Argument(help="Incident reference, e.g. B-1A2B3C4D5E.")],
    as_json: bool = JsonOption,
) -> None:
    """One incident's clocks: due time, time left, sent or overdue."""
    from complydesk.breach.register import find_incident

    with _session(read_only=True) as session:
        incident = find_incident(session, ref)
        rows = _clock_rows(session, incident)
        affected = dict(incident.affected)
    if as_json:
        print_json({"ref": ref, "affected": affected, "clocks": rows})
        return
    _print_clocks(ref, rows)


@app.command("draft")
@handle_errors
def draft_cmd(
    ref: Annotated[str, typer.Argument(help="Incident reference.")],
    to: Annotated[
        str, typer.Option("--to", help="authority, individuals or attorney_general.")
    ],
    jurisdiction: Annotated[str, typer.Option(help="An affected jurisdiction.")],
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
) -> None:
    """Print a notice draft (counts and categories only) to review and send."""
    from complydesk.breach.drafts import draft
    from complydesk.breach.register import find_incident, views
    from complydesk.clock import utcnow

    with _session(read_only=True) as session:
        incident = find_incident(session, ref)
        late = any(
            v.overdue and v.jurisdiction == jurisdiction
            for v in views(session, incident, utcnow())
        )
        text = draft(
            incident,
            get_settings(),
            recipient=to,
            jurisdiction=jurisdiction,
            lang=lang,
            fmt=fmt,
            late=late,
        )
    typer.echo(text, nl=False)


@app.command("notified")
@handle_errors
def notified_cmd(
    ref: Annotated[str, typer.Argument(help="Incident reference.")],
    jurisdiction: Annotated[str, typer.Option(help="Where the notice applies.")],
    obligation: Annotated[
        str, typer.Option(help="e.g. breach.authority_deadline (see `breach show`).")
    ],
    sent_at: Annotated[str, typer.Option(help="When it went out (ISO-8601).")],
    reference: Annotated[
        str | None, typer.Option(help="The authority's case number.")
    ] = None,
    late_reason: Annotated[
        str | None, typer.Option(help="Why it is late, where the law asks.")
    ] = None,
) -> None:
    """Record that a notice went out."""
    from complydesk.breach.register import find_incident, record_notification

    with _session() as session:
        incident = find_incident(session, ref)
        row = record_notification(
            session,
            _audit(),
            get_settings(),
            "cli",
            incident,
            jurisdiction=jurisdiction,
            obligation=obligation,
            sent_at=clocks.parse_when(sent_at, "--sent-at"),
            reference=reference,
            late_reason=late_reason,
        )
        on_time = row.on_time
    verdict = {True: "on time", False: "LATE", None: "no fixed deadline"}[on_time]
    console.print(f"{ref}: {jurisdiction} {obligation} recorded ({verdict})")
