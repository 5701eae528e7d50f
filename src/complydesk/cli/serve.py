"""`complydesk serve` (API + console, jobs in-process) and `complydesk worker`."""

from __future__ import annotations

import typer

from complydesk.cli.common import console, get_settings, handle_errors


@handle_errors
def serve(
    host: str | None = typer.Option(
        None, help="Interface to bind (default from settings)."
    ),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port (default 8000)."
    ),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not run background jobs here."
    ),
) -> None:
    """Serve the REST API and the web console with uvicorn."""
    import uvicorn

    from complydesk.api import create_app
    from complydesk.logs import configure

    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    app = create_app(
        settings, run_worker=settings.run_worker_in_process and not no_worker
    )
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
    )


@handle_errors
def worker(
    once: bool = typer.Option(False, "--once", help="Run due jobs once, then exit."),
) -> None:
    """Run background jobs (session purge, audit anchoring) in the foreground."""
    from complydesk.audit import AuditLog, load_audit_key
    from complydesk.logs import configure
    from complydesk.store.db import make_engine, make_sessionmaker
    from complydesk.worker import Worker, default_jobs

    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    engine = make_engine(settings.sqlalchemy_url)
    audit = AuditLog(load_audit_key(settings))
    runner = Worker(
        default_jobs(), settings, make_sessionmaker(engine), audit, audit.clock
    )
    try:
        if once:
            for name, outcome in runner.run_due().items():
                console.print(f"{name}: {outcome}")
        else:
            runner.run_forever()
    finally:
        engine.dispose()
