"""Vault benchmarks: field encryption, create-customer latency, erasure vs size.

1. seal/open throughput for a phone number and a 200-character chat message;
2. API create-customer latency with the vault, as a ratio to the same request
   storing the same fields in plaintext (a bench-only route on the same app,
   same auth and audit; target: ratio under 1.3), on SQLite and PostgreSQL;
3. erasure time against the subject's record count (1 to 100,000 messages):
   crypto-shredding is O(1), so it should be flat; the background scrub of
   masked copies is linear and shown for comparison.

Usage: python bench/vault_speed.py [--pg-url URL] [--requests 300] [--record]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recording import append_section  # noqa: E402
from tests.helpers import add_user_with_token  # noqa: E402

from complydesk.api import create_app  # noqa: E402
from complydesk.api.deps import AppContext, PrincipalDep, SessionDep, require  # noqa: E402
from complydesk.audit import AuditEvent  # noqa: E402
from complydesk.clock import utcnow  # noqa: E402
from complydesk.desk.customers import erase_customer, new_customer_ref  # noqa: E402
from complydesk.identity import Permission, Role  # noqa: E402
from complydesk.settings import load_settings  # noqa: E402
from complydesk.store.db import transaction  # noqa: E402
from complydesk.store.migrate import upgrade  # noqa: E402
from complydesk.store.models import Conversation, Customer, Message  # noqa: E402
from complydesk.vault import open_vault  # noqa: E402
from complydesk.vault.envelope import Place, open_sealed, seal  # noqa: E402
from complydesk.vault.erase import scrub_erased  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIELDS = {
    "name": "王小明",
    "phone": "13912345678",
    "email": "xiaoming@example.com",
    "id_number": "11010519491231002X",
    "address": "北京市朝阳区建国路88号3单元501",
}
CHAT = ("您好，我的订单一直没有发货，麻烦帮我查一下物流，电话13912345678。" * 5)[:200]
SIZES = [1, 10, 100, 1_000, 10_000, 100_000]


@contextmanager
def database(backend: str, pg_url: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'{uuid.uuid4().hex}.db'}"
        upgrade(url)
        yield url
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"cd_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def field_throughput(rounds: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        vault = open_vault(settings, utcnow)
        key = vault.new_subject()
        rows = [
            "| value | seal/s | open/s | µs per seal | µs per open |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, value in [
            ("phone (11 chars)", FIELDS["phone"]),
            ("chat (200 chars)", CHAT),
        ]:
            place = Place("customers", "phone", 1, key.key_ref)
            start = time.perf_counter()
            blobs = [seal(value, key, place) for _ in range(rounds)]
            sealed = time.perf_counter() - start
            start = time.perf_counter()
            for blob in blobs:
                open_sealed(blob, key, place)
            opened = time.perf_counter() - start
            rows.append(
                f"| {label} | {rounds / sealed:,.0f} | {rounds / opened:,.0f} "
                f"| {sealed / rounds * 1e6:.1f} | {opened / rounds * 1e6:.1f} |"
            )
            print(rows[-1])
    return rows


def _add_plaintext_route(app: FastAPI) -> None:
    """The same work as POST /v1/customers, minus the vault: the baseline."""

    @app.post(
        "/bench/plain-customers", dependencies=[require(Permission.CUSTOMERS_WRITE)]
    )
    def plain(
        body: dict[str, Any], session: SessionDep, principal: PrincipalDep
    ) -> dict[str, Any]:
        ctx: AppContext = app.state.ctx
        customer = Customer(ref=new_customer_ref(), created_at=ctx.clock())
        for name, value in body.items():
            setattr(customer, f"{name}_masked", value)  # plaintext on purpose
        session.add(customer)
        session.flush()
        ctx.audit.record(
            session,
            AuditEvent(
                actor=principal.username,
                action="customer.create",
                object_type="customers",
                object_id=str(customer.id),
                outcome="ok",
            ),
        )
        return {"id": customer.id, "ref": customer.ref}


def api_latency(
    backend: str, url: str, tmp: Path, requests: int
) -> tuple[float, float, float, float]:
    settings = load_settings(database_url=url, data_dir=tmp / f"data-{backend}")
    app = create_app(settings)
    _add_plaintext_route(app)
    ctx: AppContext = app.state.ctx
    token = add_user_with_token(ctx.sessions, "bench", Role.AGENT)
    headers = {"Authorization": f"Bearer {token}"}
    timings: dict[str, list[float]] = {"vault": [], "plain": []}
    with TestClient(app) as client:
        for _ in range(20):  # warm-up: imports, pools, caches
            client.post("/v1/customers", json=FIELDS, headers=headers)
            client.post("/bench/plain-customers", json=FIELDS, headers=headers)
        for _ in range(requests):  # interleaved, so drift hits both alike
            for kind, path in (
                ("vault", "/v1/customers"),
                ("plain", "/bench/plain-customers"),
            ):
                start = time.perf_counter()
                response = client.post(path, json=FIELDS, headers=headers)
                timings[kind].append(time.perf_counter() - start)
                assert response.status_code in (200, 201), response.text
    ctx.sessions.kw["bind"].dispose()
    vault_p50 = statistics.median(timings["vault"]) * 1000
    plain_p50 = statistics.median(timings["plain"]) * 1000
    vault_p95 = statistics.quantiles(timings["vault"], n=20)[18] * 1000
    plain_p95 = statistics.quantiles(timings["plain"], n=20)[18] * 1000
    return vault_p50, plain_p50, vault_p95, plain_p95


def erasure_times(url: str, tmp: Path, backend: str) -> list[tuple[int, float, float]]:
    settings = load_settings(database_url=url, data_dir=tmp / f"erase-{backend}")
    app = create_app(settings)
    ctx: AppContext = app.state.ctx
    out = []
    for size in SIZES:
        key = ctx.vault.new_subject()
        with transaction(ctx.sessions) as session:
            customer = Customer(
                ref=new_customer_ref(), created_at=utcnow(), key_ref=key.key_ref
            )
            ctx.vault.put(session, customer, FIELDS, key)
            session.add(customer)
            session.flush()
            conversation = Conversation(
                customer_id=customer.id, channel="chat", started_at=utcnow()
            )
            session.add(conversation)
            session.flush()
            cid, conv_id = customer.id, conversation.id
        rows = []
        base = 10_000_000 * (SIZES.index(size) + 1)
        for i in range(size):
            mid = base + i
            rows.append(
                {
                    "id": mid,
                    "conversation_id": conv_id,
                    "sender": "customer",
                    "ai_generated": False,
                    "created_at": utcnow(),
                    "key_ref": key.key_ref,
                    "body_sealed": seal(
                        CHAT, key, Place("messages", "body", mid, key.key_ref)
                    ),
                    "body_masked": "您好，我的订单一直没有发货，电话139****5678",
                }
            )
        with transaction(ctx.sessions) as session:
            for start in range(0, len(rows), 5000):
                session.execute(insert(Message), rows[start : start + 5000])
        start = time.perf_counter()
        with transaction(ctx.sessions) as session:
            erase_customer(
                session,
                ctx.vault,
                ctx.audit,
                "bench",
                session.get_one(Customer, cid),
                "benchmark erasure",
            )
        erase_s = time.perf_counter() - start
        start = time.perf_counter()
        while True:
            with transaction(ctx.sessions) as session:
                if scrub_erased(session, batch=5000) == 0:
                    break
        scrub_s = time.perf_counter() - start
        out.append((size, erase_s * 1000, scrub_s * 1000))
        print(
            f"{backend} erase with {size:>7,} records: {erase_s * 1000:7.2f} ms"
            f" (scrub {scrub_s * 1000:9.1f} ms)"
        )
    ctx.sessions.kw["bind"].dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=100_000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    body = ["### Field encryption (AES-256-GCM, one data key)", ""]
    body += field_throughput(args.rounds)
    latency = [
        "",
        "### API create-customer latency: vault vs plaintext (same app, interleaved)",
        "",
        "| backend | vault p50 ms | plaintext p50 ms | ratio p50 "
        "| vault p95 ms | plaintext p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    erasure = [
        "",
        "### Erasure time against the subject's record count",
        "",
        "| backend | records | erase (shred) ms | background scrub ms |",
        "|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for backend in ("sqlite", "postgresql"):
            with database(backend, args.pg_url, tmp) as url:
                v50, p50, v95, p95 = api_latency(backend, url, tmp, args.requests)
                print(
                    f"{backend}: vault p50 {v50:.2f} ms, plaintext p50 {p50:.2f} ms,"
                    f" ratio {v50 / p50:.2f}"
                )
                latency.append(
                    f"| {backend} | {v50:.2f} | {p50:.2f} | {v50 / p50:.2f} "
                    f"| {v95:.2f} | {p95:.2f} |"
                )
            with database(backend, args.pg_url, tmp) as url:
                for size, erase_ms, scrub_ms in erasure_times(url, tmp, backend):
                    erasure.append(
                        f"| {backend} | {size:,} | {erase_ms:.2f} | {scrub_ms:,.1f} |"
                    )
    if args.record:
        append_section(
            "Vault: encryption, create latency, erasure",
            "bench/vault_speed.py",
            sys.argv[1:],
            body + latency + erasure,
        )


if __name__ == "__main__":
    main()
