"""`complydesk speech`: check replies for risky promises and phrasing; batch QA."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from complydesk.cli.common import (
    JsonOption,
    console,
    fail,
    get_settings,
    handle_errors,
    print_json,
)

app = typer.Typer(
    help="Speech compliance checks on agent and bot replies.", no_args_is_help=True
)

RoleOption = Annotated[str, typer.Option("--role", help="agent | bot")]


@app.command("check")
@handle_errors
def check_cmd(
    text: Annotated[str | None, typer.Argument(help="The reply to check.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help="JSONL with 'text' and optional 'role' ('-' = stdin)."
        ),
    ] = None,
    role: RoleOption = "agent",
    as_json: bool = JsonOption,
) -> None:
    """Verdict pass | warn | block for TEXT, or for every line of --jsonl FILE.

    With --jsonl, writes one `{"verdict": ..., "findings": [...]}` line per
    input line, in order.
    """
    from complydesk.speech.capabilities import load_capabilities
    from complydesk.speech.jsonl import ROLES, check_lines
    from complydesk.speech.reply import check_reply

    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    if role not in ROLES:
        raise fail("--role must be agent or bot")
    capabilities = load_capabilities(get_settings().capabilities_file)

    if jsonl is not None:
        for stream in (sys.stdin, sys.stdout):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(encoding="utf-8")
        if str(jsonl) != "-" and not jsonl.is_file():
            raise fail(f"{jsonl} is not a readable file")
        handle = sys.stdin if str(jsonl) == "-" else jsonl.open(encoding="utf-8")
        with handle:
            checker = partial(check_reply, capabilities=capabilities)
            for line in check_lines(handle, lambda t, r: checker(t, role=r)):
                sys.stdout.write(line + "\n")
        return
    assert text is not None
    verdict = check_reply(text, role=role, capabilities=capabilities)
    if as_json:
        print_json(verdict.to_dict())
    else:
        _print_verdict(verdict.to_dict())


def _print_verdict(result: dict[str, object]) -> None:
    colour = {"pass": "green", "warn": "yellow", "block": "bold red"}[
        str(result["verdict"])
    ]
    console.print(f"verdict: [{colour}]{result['verdict']}[/]")
    findings = result["findings"]
    assert isinstance(findings, list)
    if not findings:
        return
    table = Table("rule", "severity", "text", "reason", "suggestion")
    for f in findings:
        table.add_row(f["rule"], f["severity"], f["text"], f["reason"], f["suggestion"])
    console.print(table)


@app.command("qa")
@handle_errors
def qa_cmd(
    path: Annotated[
        Path, typer.Argument(help="Transcript: CSV or JSONL with text, role, agent_id.")
    ],
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report here.")
    ] = None,
    flags: Annotated[
        bool, typer.Option("--flags", help="Include flagged utterances in --json.")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Violation rates per agent, rule and category over a transcript."""
    from complydesk.speech.capabilities import load_capabilities
    from complydesk.speech.qa import qa_file
    from complydesk.speech.qa_html import render_html
    from complydesk.speech.reply import check_reply

    if not path.is_file():
        raise fail(f"{path} is not a readable file")
    capabilities = load_capabilities(get_settings().capabilities_file)
    report = qa_file(
        path, lambda text, role: check_reply(text, role=role, capabilities=capabilities)
    )
    if html is not None:
        html.write_text(render_html(report), encoding="utf-8")
    if as_json:
        print_json(report.to_dict(include_flags=flags))
        return
    total = report.total
    console.print(
        f"{report.source}: {total.checked:,} replies checked, "
        f"{total.flagged:,} flagged ({total.rate:.1%}; "
        f"{total.blocked:,} block, {total.warned:,} warn)"
    )
    agents = Table(
        "agent", "checked", "flagged", "rate", "block", "warn", title="by agent"
    )
    for agent, tally in report.agents.items():
        agents.add_row(
            agent,
            str(tally.checked),
            str(tally.flagged),
            f"{tally.rate:.1%}",
            str(tally.blocked),
            str(tally.warned),
        )
    console.print(agents)
    for title, counts in (
        ("by category", report.categories),
        ("by rule", report.rules),
    ):
        table = Table("name", "flagged", "findings", "rate", title=title)
        for c in counts:
            table.add_row(c.name, str(c.flagged), str(c.findings), f"{c.rate:.1%}")
        console.print(table)
    if html is not None:
        console.print(f"HTML report: {html}")
