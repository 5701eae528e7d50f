"""`complydesk serve` (API + console, jobs in-process) and `complydesk worker`."""

from __future__ import annotations

import os

import typer

from complydesk.cli.common import console, fail, get_settings, handle_errors, state

MAX_WORKERS = 64


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
    workers: int = typer.Option(
        1,
        min=1,
        max=MAX_WORKERS,
        help="Server processes (uvicorn workers); background jobs run in one.",
    ),
) -> None:
    """Serve the REST API and the web console with uvicorn.

    One process runs Python on one core at a time; `--workers N` starts N
    processes on the same port. Of those, only the one holding the data dir's
    jobs lock runs the background jobs, so no job runs twice at once.
    """
    import uvicorn

    from complydesk.api import create_app
    from complydesk.logs import configure

    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    run_worker = settings.run_worker_in_process and not no_worker
    # Built here in any case: it creates the data dir, the key files and the
    # keystore once, before several processes could race to create them.
    app = create_app(settings, run_worker=run_worker)
    bind_host, bind_port = host or settings.host, port or settings.port
    if workers == 1:
        uvicorn.run(
            app, host=bind_host, port=bind_port, log_config=None, access_log=False
        )
        return
    # Worker processes rebuild the app from the environment they inherit.
    if state.config_file is not None:
        os.environ["COMPLYDESK_CONFIG"] = str(state.config_file.resolve())
    os.environ["COMPLYDESK_RUN_WORKER_IN_PROCESS"] = "true" if run_worker else "false"
    uvicorn.run(
        "complydesk.api.app:create_app_from_env",
        host=bind_host,
        port=bind_port,
        factory=True,
        workers=workers,
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
    from complydesk.worker import Worker, default_jobs, take_jobs_lock

    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    held = take_jobs_lock(settings.ensure_data_dir())
    if held is None:
        raise fail(
            "background jobs already run in another process on this data dir "
            "(a serve with in-process jobs, or another worker)"
        )
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
        held.close()
