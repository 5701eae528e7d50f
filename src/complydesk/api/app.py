"""The app factory: everything a request needs is built here, never at import."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from complydesk import __version__
from complydesk.api import problems
from complydesk.api.deps import AppContext
from complydesk.api.routes import ROUTERS
from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import Clock, utcnow
from complydesk.settings import Settings, load_settings
from complydesk.store.db import make_engine, make_sessionmaker
from complydesk.vault import open_vault
from complydesk.web import pages
from complydesk.worker import Worker, default_jobs, take_jobs_lock

log = logging.getLogger("complydesk.api")


def create_app(
    settings: Settings,
    *,
    clock: Clock = utcnow,
    run_worker: bool = False,
) -> FastAPI:
    """Build the API and console for `settings`; `run_worker` adds background jobs.

    The jobs run only if this process takes the data dir's jobs lock, so
    several `serve` processes, or `serve` beside `complydesk worker`, never
    run them twice.
    """
    settings.ensure_data_dir()
    engine = make_engine(settings.sqlalchemy_url)
    ctx = AppContext(
        settings=settings,
        sessions=make_sessionmaker(engine),
        audit=AuditLog(load_audit_key(settings), clock),
        clock=clock,
        vault=open_vault(settings, clock),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = Worker(default_jobs(), ctx.settings, ctx.sessions, ctx.audit, clock)
        held = take_jobs_lock(settings.data_dir) if run_worker else None
        if held is not None:
            worker.start()
        elif run_worker:
            log.info("background jobs run in another process on this data dir")
        try:
            yield
        finally:
            worker.stop()
            engine.dispose()
            if held is not None:
                held.close()  # releases the lock for a restarted process

    app = FastAPI(
        title="complydesk",
        version=__version__,
        summary="Compliance-first customer-service platform",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages.router)
    pages.mount_static(app)
    app.add_middleware(AccessLog)
    return app


def create_app_from_env() -> FastAPI:
    """The app of one `serve --workers N` process: settings from the environment.

    `serve` exports COMPLYDESK_CONFIG and COMPLYDESK_RUN_WORKER_IN_PROCESS
    before uvicorn starts the processes, so each builds the same app.
    """
    from complydesk.logs import configure

    settings = load_settings()
    configure(settings.log_level, settings.log_json)
    return create_app(settings, run_worker=settings.run_worker_in_process)


class AccessLog:
    """Log the route template, never the raw path or query (they may hold PII).

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware (`app.middleware`)
    runs every request through an extra task and memory stream.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            if log.isEnabledFor(logging.INFO):
                route = scope.get("route")
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": getattr(route, "path", "<unmatched>"),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
