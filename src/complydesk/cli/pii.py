"""`complydesk pii`: detect, mask and scan personal data."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any, TextIO

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
from complydesk.pii.detect import default_detector, places_detector
from complydesk.pii.jsonl import detect_lines, entity_json, map_lines

app = typer.Typer(
    help="PII engine: detect, mask, scan personal data.", no_args_is_help=True
)

JsonlOption = Annotated[
    Path | None,
    typer.Option(
        "--jsonl", help="JSONL file with a 'text' field per line ('-' = stdin)."
    ),
]
WorkersOption = Annotated[
    int, typer.Option("--workers", min=1, max=64, help="Processes for --jsonl input.")
]


def _utf8_stdio() -> None:
    """JSONL is UTF-8 whatever the locale says (CI machines often run with C)."""
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def _open(path: Path) -> TextIO:
    if str(path) == "-":
        return sys.stdin
    if not path.is_file():
        raise fail(f"{path} is not a readable file")
    return path.open(encoding="utf-8")


@app.command("detect")
@handle_errors
def detect_cmd(
    text: Annotated[str | None, typer.Argument(help="Text to scan.")] = None,
    jsonl: JsonlOption = None,
    workers: WorkersOption = 1,
    as_json: bool = JsonOption,
    places: Annotated[
        bool,
        typer.Option(
            "--places",
            help="Also report bare place names as ADDRESS (news, social posts).",
        ),
    ] = False,
) -> None:
    """Find personal data in TEXT, or in every line of --jsonl FILE.

    With --jsonl, writes one `{"entities": [...]}` line per input line, in order.
    """
    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    if jsonl is not None:
        _utf8_stdio()
        with _open(jsonl) as handle:
            for line in detect_lines(handle, workers, places=places):
                sys.stdout.write(line + "\n")
        return
    assert text is not None
    entities = (places_detector() if places else default_detector()).detect(text)
    if as_json:
        print_json({"entities": [entity_json(e) for e in entities]})
        return
    if not entities:
        console.print("no personal data found")
        return
    table = Table("label", "start", "end", "text", "score", "recognizer")
    for e in entities:
        table.add_row(str(e.label), str(e.start), str(e.end), e.text, f"{e.score:.2f}",
                      e.recognizer)  # fmt: skip
    console.print(table)


OperatorOption = Annotated[
    str,
    typer.Option(
        "--operator", "-o", help="mask | redact | hash | pseudonymize | encrypt"
    ),
]
LangOption = Annotated[
    str, typer.Option("--lang", help="Tag language for redact: zh | en")
]


@app.command("mask")
@handle_errors
def mask_cmd(
    text: Annotated[str | None, typer.Argument(help="Text to protect.")] = None,
    jsonl: JsonlOption = None,
    operator: OperatorOption = "mask",
    lang: LangOption = "zh",
) -> None:
    """Replace personal data in TEXT (or each --jsonl line) using an operator.

    hash, pseudonymize and encrypt use the key in the data dir (pii.key).
    With --jsonl, writes one `{"text": ...}` line per input line, in order.
    """
    from complydesk.pii.keys import load_pii_key
    from complydesk.pii.operators import Operator, apply_to_text

    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    if lang not in ("zh", "en"):
        raise fail("--lang must be zh or en")
    chosen = Operator.parse(operator)
    key = load_pii_key(get_settings().ensure_data_dir()) if chosen.needs_key else None

    def protect(value: str) -> str:
        return apply_to_text(value, chosen, key=key, lang=lang)

    if jsonl is not None:
        _utf8_stdio()
        with _open(jsonl) as handle:
            for line in map_lines(handle, lambda value: {"text": protect(value)}):
                sys.stdout.write(line + "\n")
        return
    assert text is not None
    typer.echo(protect(text))


@app.command("restore")
@handle_errors
def restore_cmd(
    text: Annotated[str, typer.Argument(help="Text with ⟦enc:…⟧ tokens.")],
    reason: Annotated[str, typer.Option(help="Why plaintext is needed (audited).")],
) -> None:
    """Decrypt encrypt-operator tokens back to plaintext; every use is audited."""
    from complydesk.audit import AuditEvent, AuditLog, load_audit_key
    from complydesk.pii.crypto import find_tokens, restore
    from complydesk.pii.keys import load_pii_key

    if len(reason.strip()) < 5:
        raise fail("--reason must say why (at least 5 characters)")
    settings = get_settings()
    restored = restore(text, load_pii_key(settings.ensure_data_dir()))
    with session_scope() as session:
        AuditLog(load_audit_key(settings)).record(
            session,
            AuditEvent(
                actor="cli",
                action="pii.unmask",
                object_type="text",
                object_id="cli-input",
                outcome="ok",
                reason=reason.strip()[:500],
                details={"tokens": len(find_tokens(text))},
            ),
        )
    typer.echo(restored)


FailOn = Annotated[
    str | None,
    typer.Option("--fail-on", help="Exit 1 if found: 'sensitive' or 'any'."),
]


@app.command("scan")
@handle_errors
def scan_cmd(
    paths: Annotated[list[Path], typer.Argument(help="CSV, JSONL, TXT or XLSX files.")],
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Default: all cores.")
    ] = None,
    fail_on: FailOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Count personal data per file, column and label; flag sensitive columns."""
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    from complydesk.pii.classify import classify_labels, label_info
    from complydesk.pii.scan import scan_paths

    if fail_on not in (None, "sensitive", "any"):
        raise fail("--fail-on must be 'sensitive' or 'any'")
    with Progress(
        TextColumn("scanning"),
        TextColumn("{task.completed:,} cells"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task("scan", total=None, rate="")
        started = time.perf_counter()

        def advance(cells: int) -> None:
            progress.advance(task, cells)
            done = progress.tasks[0].completed
            rate = done / max(time.perf_counter() - started, 1e-9)
            progress.update(task, rate=f"{rate:,.0f} cells/s")

        report = scan_paths(paths, workers=workers, progress=advance)
    overall = classify_labels(report.labels)
    files = []
    for f in report.files:
        columns = {
            column: {
                "labels": dict(counts),
                "sensitive": classify_labels(counts).has_sensitive,
            }
            for column, counts in sorted(f.columns.items())
        }
        files.append({"path": f.path, "kind": f.kind, "cells": f.cells,
                      "chars": f.chars, "columns": columns})  # fmt: skip
    result = {
        "files": files,
        "labels": dict(report.labels),
        "has_sensitive": overall.has_sensitive,
        "chars": report.chars,
        "seconds": round(report.seconds, 3),
        "chars_per_second": round(report.chars / max(report.seconds, 1e-9)),
    }
    if as_json:
        print_json(result)
    else:
        _print_scan(result, label_info)
    found = bool(report.labels)
    if (fail_on == "any" and found) or (
        fail_on == "sensitive" and overall.has_sensitive
    ):
        raise typer.Exit(1)


def _print_scan(result: dict[str, Any], label_info: Any) -> None:
    totals = Table(
        "label", "count", "category", "sensitivity", title="personal data found"
    )
    for label, count in sorted(result["labels"].items(), key=lambda kv: -kv[1]):
        info = label_info(label)
        style = "bold red" if info.category == "sensitive" else None
        totals.add_row(label, f"{count:,}", info.category, str(info.sensitivity),
                       style=style)  # fmt: skip
    console.print(totals)
    columns = Table("file", "column", "labels", title="by column")
    for f in result["files"]:
        for column, data in f["columns"].items():
            labels = ", ".join(f"{k} {v}" for k, v in sorted(data["labels"].items()))
            style = "bold red" if data["sensitive"] else None
            columns.add_row(
                Path(f["path"]).name, column or "(text)", labels, style=style
            )
    console.print(columns)
    console.print(
        f"{result['chars']:,} chars in {result['seconds']} s "
        f"({result['chars_per_second']:,} chars/s)"
        + (
            "; [bold red]sensitive personal information present[/]"
            if result["has_sensitive"]
            else ""
        )
    )
