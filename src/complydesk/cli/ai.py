"""`complydesk ai`: AI assistant governance: hand-off, decisions, fairness audits."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

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
    help="AI assistant governance: hand-off, decisions, fairness audits.",
    no_args_is_help=True,
)

PackOption = Annotated[
    str | None, typer.Option("--pack", help="Policy pack (default: settings).")
]


def _pack(name: str | None) -> Any:
    from complydesk.policy import load_pack

    settings = get_settings()
    return load_pack(name or settings.default_pack, settings.policy_dir)


def _text(text: str) -> str:
    """A customer message as the API takes it: 1 to 4000 characters."""
    from complydesk.assistant.conversation import MAX_MESSAGE_CHARS

    if not text.strip():
        raise fail("TEXT must not be empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise fail(f"TEXT is longer than {MAX_MESSAGE_CHARS} characters")
    return text


def _utf8_streams() -> None:
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


@app.command("handoff")
@handle_errors
def handoff_cmd(
    text: Annotated[
        str | None, typer.Argument(help="The customer's latest message.")
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl",
            help="JSONL of {text, history, elapsed_seconds} ('-' = stdin).",
        ),
    ] = None,
    pack: PackOption = None,
    as_json: bool = JsonOption,
) -> None:
    """Should this conversation go to a human? For TEXT, or every --jsonl line.

    With --jsonl, writes one `{"handoff": true | false, "reason": ...}` line per
    input line, in order; a bad line stops the run (exit 2) naming its number.
    """
    from complydesk.assistant.handoff import HandoffDetector, handoff_lines

    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    detector = HandoffDetector(_pack(pack).human_handoff)
    if jsonl is not None:
        _utf8_streams()
        if str(jsonl) != "-" and not jsonl.is_file():
            raise fail(f"{jsonl} is not a readable file")
        handle = sys.stdin if str(jsonl) == "-" else jsonl.open(encoding="utf-8")
        with handle:
            try:
                for line in handoff_lines(handle, detector):
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()
            except UnicodeDecodeError:
                raise fail("the JSONL input is not UTF-8 text") from None
        return
    assert text is not None
    decision = detector.detect(_text(text))
    if as_json:
        print_json(
            {**decision.to_dict(), "reasons": [str(r) for r in decision.reasons]}
        )
        return
    console.print(f"handoff: {'yes' if decision.handoff else 'no'}")
    for reason in decision.reasons:
        console.print(f"  {reason}")


@app.command("ask")
@handle_errors
def ask_cmd(
    text: Annotated[str, typer.Argument(help="A customer question.")],
    as_json: bool = JsonOption,
) -> None:
    """What the built-in FAQ bot would answer, with its confidence."""
    from complydesk.assistant.backends import language_of
    from complydesk.assistant.backends.faq import FaqBackend, load_knowledge_base
    from complydesk.assistant.config import load_config

    config = load_config(get_settings().ai_config_file)
    bot = FaqBackend(load_knowledge_base(config.knowledge_base), config.faq_threshold)
    text = _text(text)
    answer = bot.answer("cli", text, [], lang=language_of(text), jurisdiction="")
    result = {
        "understood": answer.understood,
        "confidence": answer.confidence,
        "entry": answer.source,
        "answer": answer.text,
    }
    if as_json:
        print_json(result)
        return
    console.print(f"[{answer.source or 'fallback'}] confidence {answer.confidence}")
    console.print(answer.text, markup=False)


@app.command("decide")
@handle_errors
def decide_cmd(
    policy: Annotated[str, typer.Argument(help="Policy name or a .yaml file.")],
    inputs: Annotated[
        str, typer.Option("--inputs", help="The inputs as a JSON object.")
    ],
    pack: PackOption = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Evaluate as of YYYY-MM-DD.")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Evaluate a decision policy without storing anything (a dry run)."""
    from complydesk.assistant.config import load_config
    from complydesk.assistant.decisions import coerce_inputs, evaluate, load_policy
    from complydesk.clock import utcnow

    chosen = _pack(pack)
    config = load_config(get_settings().ai_config_file)
    loaded = load_policy(policy, chosen, config.policy_dir)
    try:
        raw = json.loads(inputs)
    except json.JSONDecodeError:
        raise fail("--inputs must be a JSON object") from None
    when = utcnow().date()
    if today is not None:
        try:
            when = date.fromisoformat(today)
        except ValueError:
            raise fail("--today must be a date YYYY-MM-DD") from None
    result = evaluate(loaded, chosen, coerce_inputs(loaded, raw), when)
    data = {
        "policy": loaded.policy,
        "policy_version": loaded.version,
        "pack": chosen.pack,
        "outcome": result.outcome,
        "favourable": result.favourable,
        "trace": [s.to_dict() for s in result.trace],
        "explanation": {"zh": result.explanation_zh, "en": result.explanation_en},
    }
    if as_json:
        print_json(data)
        return
    console.print(f"outcome: {result.outcome} ({loaded.policy} {loaded.version})")
    table = Table("rule", "check", "result", "parameter")
    for step in result.trace:
        table.add_row(step.rule, step.check, step.result, json.dumps(step.parameter))
    console.print(table)
    console.print(result.explanation_zh, markup=False)
    console.print(result.explanation_en, markup=False)


@app.command("policy-check")
@handle_errors
def policy_check_cmd(
    path: Annotated[Path, typer.Argument(help="A decision policy file.")],
    pack: PackOption = None,
) -> None:
    """Validate a decision policy (a protected attribute as input is refused)."""
    from complydesk.assistant.decisions import load_policy

    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        raise fail(f"{path} is not a readable .yaml file")
    loaded = load_policy(path, _pack(pack))
    typer.echo(
        f"ok: {loaded.policy} {loaded.version}, {len(loaded.rules)} rules, "
        f"hash {loaded.content_hash[:12]}"
    )


@app.command("fairness")
@handle_errors
def fairness_cmd(
    by: Annotated[
        str, typer.Option("--by", help="Attributes, comma-separated: region,gender.")
    ],
    policy: Annotated[
        str | None, typer.Option("--policy", help="Only this decision policy.")
    ] = None,
    pack: PackOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report here.")
    ] = None,
    record: Annotated[
        bool,
        typer.Option("--record", help="Store the run and its alerts (audited)."),
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Favourable rates per group with intervals, gaps, ratios and alerts."""
    import re

    from complydesk.fairness import audit_frame, load_decisions, render_html

    attributes = list(dict.fromkeys(a.strip() for a in by.split(",") if a.strip()))
    if not attributes or len(attributes) > 4:
        raise fail("--by names 1 to 4 attributes, e.g. region,gender")
    if any(not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", a) for a in attributes):
        raise fail("--by attributes are ids such as region, age_band, gender")
    chosen = _pack(pack)
    with session_scope(read_only=not record) as session:
        frame = load_decisions(session, attributes, policy)
        report = audit_frame(frame, attributes, chosen, policy=policy)
        if record:
            _record(session, report)
    if html is not None:
        try:
            html.write_text(render_html(report), encoding="utf-8")
        except OSError:
            raise fail(f"--html {html}: cannot write the report there") from None
    if as_json:
        print_json(report.to_dict())
        return
    console.print(
        f"{report.decisions:,} decisions; flag below {report.flag_ratio_below:g} x "
        f"the highest rate ({report.flag_citation}); groups under "
        f"{report.min_group_size} never flagged"
    )
    for section in report.sections:
        table = Table(
            "group",
            "n",
            "rate",
            f"{report.confidence_level:.0%} CI",
            "ratio",
            "TPR",
            "FPR",
            "flag",
            title=section.attribute,
        )
        for g in section.groups:
            table.add_row(
                g.group,
                f"{g.n:,}",
                f"{g.rate:.1%}",
                f"{g.ci_low:.1%}-{g.ci_high:.1%}",
                "-" if g.ratio_to_reference is None else f"{g.ratio_to_reference:.3f}",
                "-" if g.tpr is None else f"{g.tpr:.1%}",
                "-" if g.fpr is None else f"{g.fpr:.1%}",
                "FLAG" if g.flagged else ("small" if g.small else ""),
            )
        console.print(table)
        dp = "-" if section.dp_difference is None else f"{section.dp_difference:.3f}"
        ratio = "-" if section.dp_ratio is None else f"{section.dp_ratio:.3f}"
        eo = "-" if section.eo_difference is None else f"{section.eo_difference:.3f}"
        console.print(
            f"demographic parity difference {dp}, ratio {ratio}; "
            f"equalised odds difference {eo}"
        )
    console.print(f"alerts: {len(report.alerts)}")
    for alert in report.alerts:
        console.print(f"  {alert.message()}", markup=False)


def _record(session: Any, report: Any) -> None:
    from complydesk.audit import AuditEvent, AuditLog, load_audit_key
    from complydesk.clock import utcnow
    from complydesk.store.models import AiFairnessRun

    settings = get_settings()
    run = AiFairnessRun(
        run_at=utcnow(),
        run_by="cli",
        policy=report.policy,
        attributes=report.by,
        decisions=report.decisions,
        pack=report.pack,
        pack_version=report.pack_version,
        alerts=len(report.alerts),
        report=json.loads(json.dumps(report.to_dict(), default=str)),
    )
    session.add(run)
    session.flush()
    AuditLog(load_audit_key(settings)).record(
        session,
        AuditEvent(
            actor="cli",
            action="ai.fairness.audit",
            object_type="ai_fairness_run",
            object_id=str(run.id),
            outcome="alert" if report.alerts else "ok",
            details={
                "decisions": report.decisions,
                "alerts": len(report.alerts),
                "by": ",".join(report.by)[:100],
            },
        ),
    )
