"""Background jobs: one explicit list, run by `complydesk worker` or inside `serve`.

A job is a name, an interval and a function of the shared context. Each run
gets its own transaction; a failing job is logged (its error type only) and
retried at its next interval, never taking the others down.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog, current_anchor, read_head, write_anchor
from complydesk.clock import Clock
from complydesk.desk.escalation import sla_job
from complydesk.fairness.groups import forget_erased_job
from complydesk.identity import purge_expired_sessions
from complydesk.notify import deliver_round
from complydesk.rights import jobs as privacy
from complydesk.settings import Settings
from complydesk.store.db import transaction
from complydesk.vault import open_keystore
from complydesk.vault.erase import scrub_erased
from complydesk.vault.replay import replay_and_audit

log = logging.getLogger("complydesk.worker")

JOBS_LOCK_NAME = "jobs.lock"


def take_jobs_lock(data_dir: Path) -> IO[bytes] | None:
    """The data dir's exclusive jobs lock, held while the file stays open.

    Every process that would run background jobs (`serve` and its workers,
    `complydesk worker`) takes it first, so jobs never run in two processes
    on one data dir. flock is released by the kernel when the process dies,
    so a restarted process takes over. None if another process holds it;
    without fcntl (not POSIX) nobody runs jobs rather than everybody.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        log.warning("no fcntl: background jobs are not run")
        return None
    handle = (data_dir / JOBS_LOCK_NAME).open("ab")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    log.info("background jobs run here", extra={"pid": os.getpid()})
    return handle


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    sessions: sessionmaker[Session]
    audit: AuditLog
    clock: Clock


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float | Callable[[Settings], float]  # callable: from settings
    run: Callable[[JobContext], str]

    def interval(self, settings: Settings) -> float:
        every = self.every_seconds
        return every(settings) if callable(every) else every


def _purge_sessions(ctx: JobContext) -> str:
    with transaction(ctx.sessions) as session:
        return (
            f"{purge_expired_sessions(session, ctx.clock())} expired sessions removed"
        )


def _anchor_audit_head(ctx: JobContext) -> str:
    path = ctx.settings.data_dir / "audit-anchor.json"
    with transaction(ctx.sessions) as session:
        if read_head(session) is None:
            return "audit log is empty; nothing to anchor"
        anchor = current_anchor(session, ctx.audit.key, ctx.clock())
    write_anchor(path, anchor)
    return f"audit head seq {anchor.seq} anchored to {path.name}"


def _deliver_notifications(ctx: JobContext) -> str:
    return deliver_round(
        ctx.settings, ctx.sessions, ctx.clock, audit=ctx.audit
    ).summary()


def _scrub_erased(ctx: JobContext) -> str:
    keystore = open_keystore(ctx.settings, ctx.clock)
    try:  # a restored keystore may hold erased keys again: destroy them first
        revived = replay_and_audit(ctx.sessions, keystore, ctx.audit, "worker")
    finally:
        keystore.engine.dispose()
    total = 0
    while True:  # short transactions, one batch each, until nothing is left
        with transaction(ctx.sessions) as session:
            done = scrub_erased(session)
        total += done
        if done == 0:
            return (
                f"{total} rows of erased customers scrubbed, {revived} keys re-shredded"
            )


def default_jobs() -> list[Job]:
    return [
        Job("sessions.purge", 3600, _purge_sessions),
        Job("audit.anchor", 600, _anchor_audit_head),
        Job("vault.scrub", 300, _scrub_erased),
        Job("ai.forget_erased", 300, forget_erased_job),
        Job("notify.deliver", _notify_interval, _deliver_notifications),
        Job("desk.sla", 60, sla_job),
        Job("rights.remind", 300, privacy.remind),
        Job("rights.erasure", 300, privacy.erasures),
        Job("rights.retention", 86400, privacy.apply_retention),
        Job("breach.alerts", 300, privacy.breach_alerts),
    ]


def _notify_interval(settings: Settings) -> float:
    return settings.notify_interval_seconds


class Worker:
    """Runs due jobs on a background thread (serve) or in the foreground (worker)."""

    def __init__(
        self,
        jobs: list[Job],
        settings: Settings,
        sessions: sessionmaker[Session],
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self.jobs = jobs
        self.ctx = JobContext(settings, sessions, audit, clock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_run = {job.name: 0.0 for job in jobs}
        self._last_outcome: dict[str, str] = {}

    def run_due(self) -> dict[str, str]:
        """Run every job whose interval has passed; returns job -> outcome."""
        outcomes: dict[str, str] = {}
        for job in self.jobs:
            if time.monotonic() < self._next_run[job.name]:
                continue
            self._next_run[job.name] = time.monotonic() + job.interval(
                self.ctx.settings
            )
            try:
                outcome = outcomes[job.name] = job.run(self.ctx)
                # A 5-second job that finds nothing to do must not flood the
                # log: INFO when the outcome changes, DEBUG when it repeats.
                level = logging.DEBUG
                if self._last_outcome.get(job.name) != outcome:
                    level = logging.INFO
                self._last_outcome[job.name] = outcome
                log.log(level, "job done", extra={"job": job.name})
            except Exception as exc:  # noqa: BLE001 - one job must not stop the rest
                outcomes[job.name] = f"failed: {type(exc).__name__}"
                log.error(
                    "job failed", extra={"job": job.name, "error": type(exc).__name__}
                )
        return outcomes

    def run_forever(self) -> None:
        settings = self.ctx.settings
        # Wake often enough for the most frequent job (notify.deliver: 5 s).
        tick = min(
            [settings.worker_interval_seconds]
            + [job.interval(settings) for job in self.jobs]
        )
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(tick)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="complydesk-worker", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
