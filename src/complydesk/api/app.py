"""The app factory: everything a request needs is built here, never at import."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from complydesk import __version__
from complydesk.api import problems
from complydesk.api.deps import AppContext
from complydesk.api.routes import ROUTERS
from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import Clock, utcnow
from complydesk.settings import Settings
from complydesk.store.db import make_engine, make_sessionmaker
from complydesk.vault import open_vault
from complydesk.web import pages
from complydesk.worker import Worker, default_jobs

log = logging.getLogger("complydesk.api")


def create_app(
    settings: Settings, *, clock: Clock = utcnow, run_worker: bool = False
) -> FastAPI:
    """Build the API and console for `settings`; `run_worker` adds background jobs."""
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
        if run_worker:
            worker.start()
        try:
            yield
        finally:
            worker.stop()
            engine.dispose()

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
    app.middleware("http")(_access_log)
    return app


async def _access_log(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Log the route template, never the raw path or query (they may hold PII)."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    log.info(
        "request",
        extra={
            "method": request.method,
            "route": getattr(route, "path", "<unmatched>"),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
