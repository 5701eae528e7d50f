"""`complydesk user`: people, service accounts and API tokens."""

from __future__ import annotations

import sys
from datetime import timedelta

import typer
from rich.table import Table
from sqlalchemy import select

from complydesk.audit import AuditLog, load_audit_key
from complydesk.cli.common import (
    JsonOption,
    console,
    get_settings,
    handle_errors,
    print_json,
    session_scope,
)
from complydesk.identity import Role, grant_token, parse_role, register_user
from complydesk.store.models import User

app = typer.Typer(help="Users, service accounts and API tokens.", no_args_is_help=True)


def _audit() -> AuditLog:
    return AuditLog(load_audit_key(get_settings()))


@app.command("add")
@handle_errors
def add(
    username: str,
    role: str = typer.Option(
        ..., help="agent, supervisor, compliance_officer, auditor, admin, service"
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Add a person (password prompted, or --password-stdin) or a service account."""
    parsed = parse_role(role)
    password: str | None = None
    if parsed is not Role.SERVICE:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt(
                "password", hide_input=True, confirmation_prompt=True
            )
    with session_scope() as session:
        register_user(session, _audit(), "cli", username, parsed, password)
    console.print(f"user {username} added with role {parsed.value}")


@app.command("list")
@handle_errors
def list_users(as_json: bool = JsonOption) -> None:
    """List users and their roles."""
    with session_scope(read_only=True) as session:
        users = [
            {
                "username": u.username,
                "role": u.role,
                "service": u.is_service,
                "active": u.active,
            }
            for u in session.scalars(select(User).order_by(User.username))
        ]
    if as_json:
        print_json(users)
        return
    table = Table("username", "role", "service", "active")
    for u in users:
        table.add_row(u["username"], u["role"], str(u["service"]), str(u["active"]))
    console.print(table)


@app.command("token")
@handle_errors
def token(
    username: str,
    name: str = typer.Option("cli", help="A label for the token."),
    ttl_days: int = typer.Option(90, min=0, help="Days until it expires; 0 = never."),
) -> None:
    """Issue an API token for USERNAME; printed once, stored only as a hash."""
    ttl = timedelta(days=ttl_days) if ttl_days else None
    with session_scope() as session:
        secret = grant_token(session, _audit(), "cli", username, name, ttl)
    typer.echo(secret)
