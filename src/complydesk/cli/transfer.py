"""`complydesk transfer`: the recipient register, assessments and exports.

Exit codes: 0 done (or allowed), 1 the rules refused the transfer (the
reasons are printed, one per line), 2 bad input (one line).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
)

app = typer.Typer(
    help="Cross-border transfers: recipients, assessments, de-identified exports.",
    no_args_is_help=True,
)
recipient_app = typer.Typer(
    help="The register of overseas recipients.", no_args_is_help=True
)
mechanism_app = typer.Typer(help="Legal mechanisms on file.", no_args_is_help=True)
agreement_app = typer.Typer(
    help="Agreements and their de-identification profiles.", no_args_is_help=True
)
app.add_typer(recipient_app, name="recipient")
app.add_typer(mechanism_app, name="mechanism")
app.add_typer(agreement_app, name="agreement")

ACTOR = "cli"
Ref = Annotated[str, typer.Argument(help="The recipient's ref, e.g. acme-sg.")]
RecipientOption = Annotated[str, typer.Option("--recipient", help="Recipient ref.")]
LangOption = Annotated[str, typer.Option("--lang", help="Report language: zh or en.")]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Write the report to .md or .html.")
]
JurisdictionOption = Annotated[
    str | None,
    typer.Option(
        "--jurisdiction",
        help="Pack of the data's jurisdiction (default: COMPLYDESK_DEFAULT_PACK).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=64, help="Processes (default: all cores)."),
]
QueryOption = Annotated[
    str | None,
    typer.Option(
        "--query",
        help="Dataset as one read-only SELECT instead of a file (docs/transfers.md).",
    ),
]
DbUrlOption = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        help="SQLAlchemy URL the query reads (sqlite or postgresql; default: "
        "complydesk's own database, counted by blind index, never decrypted).",
    ),
]


def _source(file: Path | None, query: str | None, db_url: str | None, what: str) -> Any:
    """The dataset: a file, or a query on our own or another database."""
    from complydesk.transfer.query import QuerySource

    if (file is None) == (query is None):
        raise fail(f"give either {what} or --query")
    if query is None:
        if db_url is not None:
            raise fail("--db-url goes with --query")
        return file
    own = db_url is None
    url = get_settings().sqlalchemy_url if db_url is None else db_url
    return QuerySource(url, query, own=own)


@dataclass
class _Env:
    sessions: sessionmaker[Session]
    audit: Any


@contextmanager
def _env() -> Iterator[_Env]:
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.store.db import make_engine, make_sessionmaker

    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        yield _Env(make_sessionmaker(engine), AuditLog(load_audit_key(settings)))
    finally:
        engine.dispose()


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date such as 2026-03-01") from None


def _now() -> Any:
    from complydesk.clock import utcnow

    return utcnow()


# --- recipients --------------------------------------------------------------


@recipient_app.command("add")
@handle_errors
def recipient_add(
    ref: Ref,
    name: Annotated[str, typer.Option("--name", help="The organisation.")],
    country: Annotated[str, typer.Option("--country", help="ISO alpha-2, e.g. SG.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why the data goes there.")],
    category: Annotated[
        list[str], typer.Option("--category", help="Data category id (repeat).")
    ],
    exemption: Annotated[
        str | None,
        typer.Option(help="contract_with_individual, hr_management or emergency."),
    ] = None,
    separate_consent: Annotated[
        bool, typer.Option(help="Individuals gave separate consent (PIPL Art. 39).")
    ] = False,
    pia_on: Annotated[
        str | None, typer.Option("--pia-on", help="Impact assessment date.")
    ] = None,
) -> None:
    """Register an overseas recipient (status active)."""
    from complydesk.store.db import transaction
    from complydesk.transfer.registry import create_recipient

    with _env() as env, transaction(env.sessions) as session:
        row = create_recipient(
            session,
            env.audit,
            ACTOR,
            ref=ref,
            name=name,
            country=country,
            purpose=purpose,
            data_categories=category,
            exemption=exemption,
            separate_consent=separate_consent,
            pia_completed_on=_day(pia_on, "--pia-on"),
            now=_now(),
        )
        typer.echo(f"registered {row.ref} ({row.country})")


@recipient_app.command("set")
@handle_errors
def recipient_set(
    ref: Ref,
    status: Annotated[
        str | None, typer.Option(help="active, suspended or ended.")
    ] = None,
    separate_consent: Annotated[
        bool | None, typer.Option("--separate-consent/--no-separate-consent")
    ] = None,
    pia_on: Annotated[str | None, typer.Option("--pia-on")] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Replace the categories.")
    ] = None,
) -> None:
    """Change a recipient's status, consent, impact-assessment date or categories."""
    from complydesk.store.db import transaction
    from complydesk.transfer.registry import get_recipient, update_recipient

    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = status
    if separate_consent is not None:
        changes["separate_consent"] = separate_consent
    if pia_on is not None:
        changes["pia_completed_on"] = _day(pia_on, "--pia-on")
    if category:
        changes["data_categories"] = category
    with _env() as env, transaction(env.sessions) as session:
        row = get_recipient(session, ref)
        update_recipient(session, env.audit, ACTOR, row, changes, _now())
        typer.echo(f"updated {row.ref}: {', '.join(sorted(changes))}")


@recipient_app.command("list")
@handle_errors
def recipient_list(as_json: bool = JsonOption) -> None:
    """Every registered recipient."""
    from complydesk.store.db import read_transaction
    from complydesk.transfer.registry import list_recipients

    with _env() as env, read_transaction(env.sessions) as session:
        rows = [_recipient_json(r) for r in list_recipients(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("ref", "name", "country", "status", "exemption", "categories")
    for r in rows:
        table.add_row(
            r["ref"],
            r["name"],
            r["country"],
            r["status"],
            r["exemption"] or "-",
            ", ".join(r["data_categories"]),
        )
    console.print(table)


def _recipient_json(row: Any) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "name": row.name,
        "country": row.country,
        "purpose": row.purpose,
        "status": row.status,
        "exemption": row.exemption,
        "data_categories": list(row.data_categories),
        "separate_consent": row.separate_consent,
        "pia_completed_on": row.pia_completed_on,
    }


@recipient_app.command("show")
@handle_errors
def recipient_show(
    ref: Ref,
    jurisdiction: JurisdictionOption = None,
    as_json: bool = JsonOption,
) -> None:
    """A recipient, its mechanisms and agreement, and whether it passes today."""
    from complydesk.store.db import read_transaction
    from complydesk.transfer.gate import check_recipient
    from complydesk.transfer.registry import current_agreement, mechanisms_of
    from complydesk.transfer.report import message

    settings = get_settings()
    with _env() as env, read_transaction(env.sessions) as session:
        ctx, decision = check_recipient(session, settings, ref, _now(), jurisdiction)
        data = _recipient_json(ctx.recipient)
        data["mechanisms"] = [
            {
                "id": m.id,
                "kind": m.kind,
                "reference": m.reference,
                "effective_on": m.effective_on,
                "valid_until": m.valid_until,
                "filed_on": m.filed_on,
            }
            for m in mechanisms_of(session, ctx.recipient)
        ]
        agreement = current_agreement(session, ctx.recipient)
        data["agreement"] = (
            None
            if agreement is None
            else {
                "id": agreement.id,
                "signed_on": agreement.signed_on,
                "expires_on": agreement.expires_on,
                "retention": agreement.retention,
                "security_measures": agreement.security_measures,
                "profile": agreement.profile is not None,
            }
        )
    data["check"] = {
        "jurisdiction": ctx.jurisdiction,
        "allowed": decision.allowed,
        "route": decision.route.value,
        "findings": [f.to_dict() for f in decision.findings],
    }
    if as_json:
        print_json(data)
        return
    for key in ("ref", "name", "country", "purpose", "status", "exemption"):
        console.print(f"{key}: {data[key]}")
    console.print(f"categories: {', '.join(data['data_categories'])}")
    for m in data["mechanisms"]:
        console.print(
            f"mechanism {m['id']}: {m['kind']} {m['reference'] or ''} "
            f"from {m['effective_on']} until {m['valid_until'] or '-'}"
        )
    agreement_data = data["agreement"]
    console.print(
        "agreement: none"
        if agreement_data is None
        else f"agreement {agreement_data['id']}: signed {agreement_data['signed_on']}, "
        f"expires {agreement_data['expires_on'] or '-'}, profile "
        f"{'yes' if agreement_data['profile'] else 'no'}"
    )
    state = "passes" if decision.allowed else "is refused"
    console.print(
        f"today ({ctx.jurisdiction}) a live flow {state}: route {decision.route.value}"
    )
    for finding in decision.findings:
        console.print(
            f"  [{finding.severity.value}] {message(finding.to_dict(), 'en')}"
        )


# --- mechanisms and agreements ----------------------------------------------------


@mechanism_app.command("add")
@handle_errors
def mechanism_add(
    ref: Ref,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="security_assessment, standard_contract, certification, "
            "adequacy_decision, standard_contractual_clauses, ...",
        ),
    ],
    effective: Annotated[
        str, typer.Option("--effective", help="Approval or effective date.")
    ],
    reference: Annotated[
        str | None, typer.Option(help="Approval, filing or certificate number.")
    ] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until")] = None,
    filed_on: Annotated[
        str | None, typer.Option("--filed-on", help="Standard contract filing date.")
    ] = None,
) -> None:
    """Record a mechanism for a recipient."""
    from complydesk.store.db import transaction
    from complydesk.transfer.registry import add_mechanism, get_recipient

    effective_on = _day(effective, "--effective")
    assert effective_on is not None
    with _env() as env, transaction(env.sessions) as session:
        row = add_mechanism(
            session,
            env.audit,
            ACTOR,
            get_recipient(session, ref),
            kind=kind,
            effective_on=effective_on,
            reference=reference,
            valid_until=_day(valid_until, "--valid-until"),
            filed_on=_day(filed_on, "--filed-on"),
            now=_now(),
        )
        typer.echo(f"recorded mechanism {row.id} ({row.kind}) for {ref}")


@agreement_app.command("add")
@handle_errors
def agreement_add(
    ref: Ref,
    signed: Annotated[str, typer.Option("--signed", help="Signature date.")],
    retention: Annotated[
        str, typer.Option("--retention", help="e.g. '36 calendar_months'.")
    ],
    measure: Annotated[
        list[str], typer.Option("--measure", help="Security measure (repeat).")
    ],
    expires: Annotated[str | None, typer.Option("--expires")] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="De-identification profile (YAML/JSON)."),
    ] = None,
) -> None:
    """Record the agreement with a recipient; the newest one applies."""
    from complydesk.store.db import transaction
    from complydesk.transfer.profile import load_profile_file
    from complydesk.transfer.registry import add_agreement, get_recipient

    signed_on = _day(signed, "--signed")
    assert signed_on is not None
    parsed = None if profile is None else load_profile_file(profile).to_json()
    with _env() as env, transaction(env.sessions) as session:
        row = add_agreement(
            session,
            env.audit,
            ACTOR,
            get_recipient(session, ref),
            signed_on=signed_on,
            expires_on=_day(expires, "--expires"),
            retention=retention,
            security_measures=measure,
            profile=parsed,
            now=_now(),
        )
        typer.echo(f"recorded agreement {row.id} for {ref}")


# --- assessments and exports ---------------------------------------------------


def _report_target(path: Path | None, lang: str) -> str | None:
    if lang not in ("zh", "en"):
        raise fail("--lang must be zh or en")
    if path is None:
        return None
    suffix = path.suffix.lower()
    if suffix not in (".md", ".html"):
        raise fail("--report must end in .md or .html")
    return "html" if suffix == ".html" else "md"


def _finish(
    outcome: Any, report: Path | None, fmt: str | None, lang: str, as_json: bool
) -> None:
    from complydesk.transfer.report import message, render

    row = outcome.assessment
    if report is not None and fmt is not None:
        report.write_text(render(row, lang, fmt), encoding="utf-8")
    if as_json:
        print_json(
            {
                "ref": row.ref,
                "allowed": row.allowed,
                "exported": row.exported,
                "route": row.route,
                "counts": row.counts,
                "findings": row.findings,
                "output_sha256": row.output_sha256,
            }
        )
    else:
        state = "allowed" if row.allowed else "refused"
        typer.echo(f"{row.ref}: {state}; route {row.route}")
        counts = row.counts
        typer.echo(
            f"records {counts['records']:,}, individuals {counts['individuals']:,} "
            f"({counts['sensitive']:,} sensitive), new this year "
            f"{counts['new_individuals']:,}, total this year "
            f"{counts['projected_individuals']:,}"
        )
        if row.output_sha256:
            typer.echo(f"sha256 {row.output_sha256}")
    if not row.allowed:
        for finding in row.findings:
            if finding["severity"] == "block":
                typer.echo(
                    f"refused: {message(finding, 'en')} ({finding['citation']})",
                    err=True,
                )
        raise typer.Exit(1)


@app.command("assess")
@handle_errors
def assess(
    recipient: RecipientOption,
    file: Annotated[
        Path | None, typer.Argument(help="Dataset: .csv or .jsonl (or --query).")
    ] = None,
    query: QueryOption = None,
    db_url: DbUrlOption = None,
    report: ReportOption = None,
    lang: LangOption = "zh",
    jurisdiction: JurisdictionOption = None,
    workers: WorkersOption = None,
    as_json: bool = JsonOption,
) -> None:
    """What sending FILE (or the rows of --query) to the recipient today would
    need (counters unchanged).

    Exit 1 when the transfer would be refused.
    """
    from complydesk.clock import utcnow
    from complydesk.transfer.assessment import assess_file

    fmt = _report_target(report, lang)
    source = _source(file, query, db_url, "FILE")
    with _env() as env:
        outcome = assess_file(
            env.sessions,
            get_settings(),
            env.audit,
            utcnow,
            recipient=recipient,
            path=source,
            actor=ACTOR,
            jurisdiction=jurisdiction,
            workers=workers,
        )
    _finish(outcome, report, fmt, lang, as_json)


@app.command("export")
@handle_errors
def export(
    recipient: RecipientOption,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="De-identified output (.csv or .jsonl; a file "
            "input keeps its format).",
        ),
    ],
    source: Annotated[
        Path | None, typer.Option("--in", help="Dataset: .csv or .jsonl.")
    ] = None,
    query: QueryOption = None,
    db_url: DbUrlOption = None,
    report: ReportOption = None,
    lang: LangOption = "zh",
    jurisdiction: JurisdictionOption = None,
    workers: WorkersOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Assess, de-identify with the agreement's profile, write OUT and record it.

    Exit 1 with the reasons when refused; no output file is left then.
    """
    from complydesk.clock import utcnow
    from complydesk.transfer.export import export_file

    fmt = _report_target(report, lang)
    dataset = _source(source, query, db_url, "--in")
    with _env() as env:
        outcome = export_file(
            env.sessions,
            get_settings(),
            env.audit,
            utcnow,
            recipient=recipient,
            source=dataset,
            out=out,
            actor=ACTOR,
            jurisdiction=jurisdiction,
            workers=workers,
        )
    _finish(outcome, report, fmt, lang, as_json)


@app.command("report")
@handle_errors
def report_cmd(
    ref: Annotated[str, typer.Argument(help="Assessment ref, TA-….")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help=".md or .html; default: stdout as Markdown."),
    ] = None,
    lang: LangOption = "zh",
) -> None:
    """Render a stored assessment again."""
    from complydesk.store.db import read_transaction
    from complydesk.transfer.assessment import get_assessment
    from complydesk.transfer.report import render

    fmt = _report_target(out, lang) or "md"
    with _env() as env, read_transaction(env.sessions) as session:
        text = render(get_assessment(session, ref), lang, fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@app.command("counters")
@handle_errors
def counters(as_json: bool = JsonOption) -> None:
    """Individuals sent abroad per jurisdiction and calendar year."""
    from complydesk.store.db import read_transaction
    from complydesk.transfer.counting import year_counters

    with _env() as env, read_transaction(env.sessions) as session:
        rows: list[dict[str, Any]] = [
            {
                "jurisdiction": r.jurisdiction,
                "year": r.year,
                "individuals": r.individuals,
                "sensitive_individuals": r.sensitive_individuals,
            }
            for r in year_counters(session)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("jurisdiction", "year", "individuals", "sensitive")
    for r in rows:
        table.add_row(
            r["jurisdiction"],
            str(r["year"]),
            f"{r['individuals']:,}",
            f"{r['sensitive_individuals']:,}",
        )
    console.print(table)
