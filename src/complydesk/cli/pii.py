"""`complydesk pii`: detect, mask and scan personal data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table

from complydesk.cli.common import JsonOption, console, fail, handle_errors, print_json
from complydesk.pii import detect
from complydesk.pii.jsonl import detect_lines, entity_json

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
) -> None:
    """Find personal data in TEXT, or in every line of --jsonl FILE.

    With --jsonl, writes one `{"entities": [...]}` line per input line, in order.
    """
    if (text is None) == (jsonl is None):
        raise fail("give either TEXT or --jsonl FILE")
    if jsonl is not None:
        _utf8_stdio()
        with _open(jsonl) as handle:
            for line in detect_lines(handle, workers):
                sys.stdout.write(line + "\n")
        return
    assert text is not None
    entities = detect(text)
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
