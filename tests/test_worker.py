"""The worker loop: jobs run when due, failures are contained, logs stay quiet."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session, sessionmaker

from complydesk.audit import AuditLog, load_audit_key
from complydesk.clock import utcnow
from complydesk.settings import Settings
from complydesk.worker import Job, JobContext, Worker


def _worker(
    jobs: list[Job], settings: Settings, sessions: sessionmaker[Session]
) -> Worker:
    return Worker(jobs, settings, sessions, AuditLog(load_audit_key(settings)), utcnow)


def test_repeated_outcomes_log_at_debug_and_changes_at_info(
    settings: Settings,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes = iter(["0 done", "0 done", "3 done"])

    def job(_ctx: JobContext) -> str:
        return next(outcomes)

    worker = _worker([Job("counting", 0, job)], settings, session_factory)
    caplog.set_level(logging.DEBUG, logger="complydesk.worker")
    for _ in range(3):
        worker.run_due()
    levels = [r.levelno for r in caplog.records if r.getMessage() == "job done"]
    assert levels == [logging.INFO, logging.DEBUG, logging.INFO]


def test_a_failing_job_does_not_stop_the_others(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    def broken(_ctx: JobContext) -> str:
        raise RuntimeError("boom 13912345678")

    worker = _worker(
        [Job("broken", 0, broken), Job("fine", 0, lambda _ctx: "ok")],
        settings,
        session_factory,
    )
    assert worker.run_due() == {"broken": "failed: RuntimeError", "fine": "ok"}
