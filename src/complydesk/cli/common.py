"""What every command group shares: settings, output, and one-line failures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from complydesk.errors import ComplydeskError
from complydesk.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")

P = ParamSpec("P")
R = TypeVar("R")


class _State:
    config_file: Path | None = None
    settings: Settings | None = None


state = _State()


def get_settings() -> Settings:
    """Settings for this invocation, loaded once (root --config, then env)."""
    if state.settings is None:
        state.settings = load_settings(state.config_file)
    return state.settings


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line to stderr; the caller raises the returned Exit."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a ComplydeskError into a one-line message and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ComplydeskError as exc:
            raise fail(exc.detail) from None

    return wrapper


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def session_scope(read_only: bool = False) -> Iterator[Any]:
    """A committed transaction on the configured database (or a read-only one)."""
    from complydesk.store.db import (
        make_engine,
        make_sessionmaker,
        read_transaction,
        transaction,
    )

    engine = make_engine(get_settings().sqlalchemy_url)
    scope = read_transaction if read_only else transaction
    try:
        with scope(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()
