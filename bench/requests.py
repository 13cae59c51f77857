"""Requests service: online submissions through the gateway, the clerk queue and the annual report.

`make bench` runs `.venv/bin/python bench/requests.py --postgres` (new databases on 127.0.0.1:5432,
the setting the issue's targets are stated for) when PostgreSQL answers there, else without the flag
(SQLite in a temp dir). In one run it
1. starts the four processes with `shared.devrun.Cluster` on free ports (the requests service with
   `--requests-workers` server processes: 2 on PostgreSQL, as deploy/ runs it), seeds the demo data
   and registers `--users` public accounts through the gateway;
2. writes `--applications` (default 100,000) applications straight into the requests database
   (SQLAlchemy Core; personal data encrypted with the service's own cipher, with the `events` rows
   the deadlines and the annual report read), spread over the demo agencies and 2024 to today,
   most of the old ones decided with one of the 21 outcomes;
3. loads `POST /api/v1/requests` (raw asyncio HTTP/1.1 keep-alive connections, each a different
   public user, `--concurrency` of them) in rounds alternating gateway / direct on the requests
   service (the baseline: same process, same machine, no gateway hop);
4. sends the clerk queue (`GET /api/v1/requests` as clerk1 of 东湖县人民政府: first page, a deep
   page, a state filter) one request at a time through the gateway and direct, and runs the same
   page's SQL in this process (count, page, events of the page: the floor);
5. asks for the annual report of the 青山市 region for last year as the inspector, gateway and direct;
6. prints throughput and p50/p95 (medians over rounds), the targets (≥ 300 submissions/s on 2 cores,
   queue page p95 ≤ 50 ms) and one JSON line. Any unexpected status makes the exit code non-zero.
Everything is bounded by `--max-seconds`; processes are stopped and PG databases dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# `python bench/requests.py` puts bench/ first on sys.path, where this file would shadow `requests`
# and bench/gateway.py the `gateway` package: look up the project's packages from the root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.common import (  # noqa: E402
    agency_paths,
    cluster_env,
    http_request,
    login,
    pct,
    pg_databases,
    print_log_tails,
    report,
    run_round,
    tear_down,
)
from services.requests.models import Application, ApplicationState, Outcome  # noqa: E402
from shared.db import make_engine  # noqa: E402
from shared.devrun import ORDER, Cluster, free_port  # noqa: E402
from shared.events import Event  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
APPLY = "/api/v1/requests"
CLERK_AGENCY, REGION = "990121", "990100"
TARGET_SUBMISSIONS_PER_S, TARGET_QUEUE_P95_MS = 300.0, 50.0
TARGETS = ("gateway", "direct")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
TYPES = [
    "natural_person",
    "natural_person",
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_organisation",
    "legal_service_institution",
    "other",
]
TOPICS = ["最低生活保障标准", "老旧小区改造计划", "义务教育招生范围", "征地补偿安置方案", "河道整治工程预算"]


def resident_id(rng: random.Random) -> str:
    from shared.personal_data import resident_id_check_digit

    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    first17 = f"{rng.choice(['110101', '320102', '440305', '510104'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_digit(first17)


def application_body(rng: random.Random, agency_id: int) -> dict[str, Any]:
    return {
        "agency_id": agency_id,
        "applicant_type": "natural_person",
        "applicant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "id_type": "resident_id",
        "id_number": resident_id(rng),
        "phone": f"13{rng.randrange(10**9):09d}",
        "email": None,
        "address": "青山市东湖县城关镇人民路 1 号",
        "description": f"申请公开 2025 年{rng.choice(TOPICS)}的相关文件",
        "form": "electronic",
        "delivery": "online",
    }


# --------------------------------------------------------------------------------------------
# Data: accounts through the API, bulk applications straight into the database.
# --------------------------------------------------------------------------------------------


def public_tokens(base: str, n: int) -> list[str]:
    tokens = []
    tag = uuid.uuid4().hex[:6]
    for i in range(n):
        username, password = f"bench_{tag}_{i}", "bench-passphrase-123"
        answer = httpx.post(
            f"{base}/api/v1/auth/register",
            json={
                "username": username,
                "password": password,
                "display_name": f"压测用户{i}",
                "account_type": "person",
            },
            timeout=30,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"register answered {answer.status_code}: {answer.text[:300]}")
        tokens.append(login(base, username, password))
    return tokens


def requests_cipher(env: dict[str, str]) -> Any:
    """The cipher the requests process builds from the same environment."""
    from services.requests.settings import RequestsSettings
    from shared.personal_data import from_settings

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return from_settings(RequestsSettings())
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def load_applications(
    url: str, n: int, codes: dict[str, int], paths: dict[int, str], cipher: Any, today: date
) -> dict[str, int]:
    """Writes N applications and their events; returns counts by state."""
    from services.requests.lifecycle import stored_deadline
    from shared.calendar import WorkingCalendar
    from shared.deadlines import ClockEvent, ClockEventKind
    from shared.tracking import hash_code

    calendar = WorkingCalendar()  # a new database: no calendar entered

    rng = random.Random(20261124)
    engine = make_engine(url)
    apps, events = Application.__table__, Event.__table__  # type: ignore[attr-defined]
    clerk_agency = codes[CLERK_AGENCY]
    others = [i for c, i in codes.items() if c != CLERK_AGENCY]
    outcomes = list(Outcome)
    start = date(2024, 1, 2)
    span = (today - start).days
    code_hash = hash_code("BENCHCODE01")
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    async with engine.begin() as conn:
        first = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(apps.c.id), 0)))).scalar_one() + 1
        batch_apps: list[dict[str, Any]] = []
        batch_events: list[dict[str, Any]] = []

        async def flush() -> None:
            if batch_apps:
                await conn.execute(apps.insert(), batch_apps)
                await conn.execute(events.insert(), batch_events)
                batch_apps.clear()
                batch_events.clear()

        for i in range(n):
            app_id = first + i
            agency = clerk_agency if rng.random() < 0.4 else rng.choice(others)
            received = start + timedelta(days=rng.randrange(span + 1))
            tracking = f"YSQ{received.year}-B{app_id:07d}"
            id_number = resident_id(rng)
            closed_on = received + timedelta(days=rng.randint(3, 45))
            if closed_on < today - timedelta(days=7) and rng.random() < 0.95:
                withdrawn = rng.random() < 0.04
                state = ApplicationState.WITHDRAWN if withdrawn else ApplicationState.DECIDED
                outcome = None if withdrawn else rng.choice(outcomes)
            else:
                state, outcome, closed_on = ApplicationState.REGISTERED, None, None
            counts[str(state)] = counts.get(str(state), 0) + 1

            def enc(field: str, value: str, tracking: str = tracking) -> str:
                return cipher.encrypt(value, context=f"requests.application.{field}:{tracking}")

            batch_apps.append(
                {
                    "id": app_id,
                    "tracking_no": tracking,
                    "query_code_hash": code_hash,
                    "agency_id": agency,
                    "agency_path": paths[agency],
                    "applicant_user_id": None,
                    "applicant_type": rng.choice(TYPES),
                    "applicant_name": enc("applicant_name", rng.choice(SURNAMES) + rng.choice(GIVEN)),
                    "id_type": "resident_id",
                    "id_number": enc("id_number", id_number),
                    "id_number_index": cipher.blind_index(id_number, kind="id_number"),
                    "phone": enc("phone", f"13{rng.randrange(10**9):09d}"),
                    "email": None,
                    "address": None,
                    "description": f"申请公开{rng.choice(TOPICS)}",
                    "form": "electronic",
                    "delivery": "online",
                    "channel": "online",
                    "received_on": received,
                    "rule_set": "national-2019",
                    "state": str(state),
                    "outcome": str(outcome) if outcome else None,
                    "closed_on": closed_on,
                    "assigned_to": None,
                    "created_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            base_event = {
                "aggregate_type": "application",
                "aggregate_id": str(app_id),
                "actor_id": "bench",
                "reason": None,
                "request_id": None,
                "at": now,
            }
            batch_events.append(
                base_event
                | {
                    "action": "applied",
                    "actor_role": "public",
                    "before": None,
                    "after": {
                        "state": "registered",
                        "channel": "online",
                        "clock": {"kind": "received", "on": received.isoformat()},
                    },
                }
            )
            if closed_on is not None:
                action, kind = ("withdraw", "withdrawn") if outcome is None else ("decide", "decided")
                after: dict[str, Any] = {
                    "state": str(state),
                    "clock": {"kind": kind, "on": closed_on.isoformat()},
                }
                if outcome is not None:
                    after["outcome"] = str(outcome)
                batch_events.append(
                    base_event
                    | {
                        "action": action,
                        "actor_role": "clerk",
                        "before": {"state": "registered"},
                        "after": after,
                    }
                )
            # The deadline columns from the same clock facts, as the service writes them with each event.
            clock = [ClockEvent(ClockEventKind.RECEIVED, received)]
            if closed_on is not None:
                clock.append(ClockEvent(ClockEventKind(kind), closed_on))
            batch_apps[-1].update(stored_deadline("national-2019", clock, calendar))
            if len(batch_apps) >= 2000:
                await flush()
        await flush()
        if engine.dialect.name == "postgresql":
            await conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('applications', 'id'), max(id)) FROM applications"
                )
            )
    if engine.dialect.name == "postgresql":
        # The state autovacuum keeps a table in: rows written over months are vacuumed (all-visible,
        # so counting an agency's applications reads only the index), and planned from fresh
        # statistics. A bulk load seconds before the reads would otherwise be measured unvacuumed.
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("applications", "events"):
                await conn.execute(sa.text(f"VACUUM ANALYZE {table}"))
    await engine.dispose()
    return counts


async def queue_floor(url: str, agency_id: int, repeat: int) -> list[float]:
    """The first queue page's SQL on the same database, in this process: count, page, its events."""
    engine = make_engine(url)
    apps, events = Application.__table__, Event.__table__  # type: ignore[attr-defined]
    out = []
    async with engine.connect() as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            where = apps.c.agency_id == agency_id
            await conn.execute(sa.select(sa.func.count()).select_from(apps).where(where))
            rows = (
                await conn.execute(
                    sa.select(apps)
                    .where(where)
                    .order_by(apps.c.received_on.desc(), apps.c.id.desc())
                    .limit(20)
                )
            ).all()
            await conn.execute(
                sa.select(events)
                .where(events.c.aggregate_type == "application")
                .where(events.c.aggregate_id.in_([str(r.id) for r in rows]))
                .order_by(events.c.id)
            )
            out.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    return out


# --------------------------------------------------------------------------------------------
# The run.
# --------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from gateway.demo import DEMO_PASSWORD, seed

    started = time.monotonic()
    deadline = started + args.max_seconds
    backend = "postgresql" if args.postgres else "sqlite"
    tmpdir = tempfile.TemporaryDirectory(prefix="gongkai-bench-requests-")
    tmp = Path(tmpdir.name)
    pg_dbs: list[str] = []
    cluster: Cluster | None = None
    try:
        loop = __import__("uvloop").new_event_loop()
        event_loop = "uvloop"
    except ImportError:
        loop = asyncio.new_event_loop()
        event_loop = "asyncio"
    try:
        if args.postgres:
            tag = uuid.uuid4().hex[:8]
            names = {name: f"gk_bench_{name}_{tag}" for name in ORDER}
            pg_dbs = list(names.values())
            pg_databases("create", pg_dbs)
            urls = {name: PG_URL.format(db=db) for name, db in names.items()}
        else:
            urls = {name: f"sqlite+aiosqlite:///{tmp / name}.db" for name in ORDER}
        ports = {name: free_port() for name in ORDER}
        env = cluster_env(tmp, ports, urls)
        workers = args.requests_workers or (2 if args.postgres else 1)
        env["REQUESTS_WORKERS"] = str(workers)
        cluster = Cluster(ports=ports, env=env, cwd=tmp, log_dir=tmp)
        print(
            f"starting catalog, requests ({workers} worker{'s' if workers > 1 else ''}), feedback, gateway "
            f"on {backend} ({tmp}) ...",
            flush=True,
        )
        cluster.start_all()
        base = cluster.url()
        seed(base)
        codes, paths = agency_paths(base)
        tokens = public_tokens(base, args.users)
        clerk = login(base, "clerk1", DEMO_PASSWORD)
        inspector = login(base, "inspector", DEMO_PASSWORD)
        today = datetime.now(UTC).date()

        t0 = time.perf_counter()
        counts = asyncio.run(
            load_applications(urls["requests"], args.applications, codes, paths, requests_cipher(env), today)
        )
        load_s = time.perf_counter() - t0
        print(
            f"applications written: {args.applications:,} in {load_s:.1f} s ({counts}); "
            f"{args.users} public users",
            flush=True,
        )
        # One real submission each way before the rounds: the answer must be 201 with a receipt.
        rng = random.Random(7)
        for target in TARGETS:
            url = cluster.url("requests" if target == "direct" else "gateway")
            answer = httpx.post(
                url + APPLY,
                json=application_body(rng, codes[CLERK_AGENCY]),
                headers={"Authorization": f"Bearer {tokens[0]}"},
                timeout=30,
            )
            if answer.status_code != 201 or "tracking_no" not in answer.json():
                raise RuntimeError(
                    f"{target}: POST {APPLY} answered {answer.status_code}: {answer.text[:300]}"
                )
        target_ports = {"gateway": ports["gateway"], "direct": ports["requests"]}
        posts = [
            http_request(
                "POST", APPLY, tokens[i % len(tokens)], application_body(rng, codes[rng.choice(list(codes))])
            )
            for i in range(args.concurrency)
        ]
        cores = os.cpu_count() or 0
        print(
            f"\nGongkai requests benchmark: {backend}; {cores} CPU cores shared by the client (this process, "
            f"{event_loop}) and the four services\n"
            f"submissions: POST {APPLY} at concurrency {args.concurrency}, {args.submissions} per round, "
            f"rounds alternate gateway / direct on the requests service (baseline)",
            flush=True,
        )
        errors = 0
        for target in TARGETS:
            r = run_round(loop, target_ports[target], posts, args.warmup, args.concurrency, 201, 30.0, 10.0)
            errors += r["errors"]
            print(
                f"  warm-up {target:<8}{r['rps']:8.1f}/s  errors {r['errors']} {r['error_kinds'] or ''}",
                flush=True,
            )
        submit: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
        # Rounds get at most half of what is left of the budget; the reads need the rest.
        submit_until = time.monotonic() + max(10.0, (deadline - time.monotonic()) * 0.4)
        pair_s = 0.0
        for index in range(args.rounds):
            if index and time.monotonic() + pair_s > submit_until:
                print(f"  time budget: stopping after {index} rounds", flush=True)
                break
            pair_started = time.monotonic()
            for target in TARGETS:
                r = run_round(
                    loop, target_ports[target], posts, args.submissions, args.concurrency, 201, 30.0, 10.0
                )
                submit[target].append(r)
                errors += r["errors"]
                cut = " (cut at 30 s)" if r["cut"] else ""
                print(
                    f"  round {index + 1} {target:<8}{r['rps']:8.1f}/s  p50 {r['p50_ms']:7.1f} ms  "
                    f"p95 {r['p95_ms']:7.1f} ms  errors {r['errors']} {r['error_kinds'] or ''}{cut}",
                    flush=True,
                )
            pair_s = time.monotonic() - pair_started

        # Reads: one client, one request at a time (latency, not throughput).
        reads: dict[str, dict[str, list[float]]] = {}
        region = codes[REGION]
        year = today.year - 1
        read_paths = {
            "queue page 1": ("/api/v1/requests?page_size=20", clerk, args.queue_requests),
            "queue page 100": ("/api/v1/requests?page_size=20&page=100", clerk, args.queue_requests),
            "queue state=registered": (
                "/api/v1/requests?state=registered&page_size=20",
                clerk,
                args.queue_requests,
            ),
            f"annual report {year}": (
                f"/api/v1/requests/reports/annual?year={year}&agency_id={region}",
                inspector,
                args.reports,
            ),
        }
        print(
            f"\nreads: one at a time; the queue is clerk1's ({CLERK_AGENCY}); the report is region {REGION}",
            flush=True,
        )
        slots = len(read_paths) * len(TARGETS) + 1  # + the SQL floor
        for label, (path, token, n) in read_paths.items():
            answer = httpx.get(
                cluster.url() + path, headers={"Authorization": f"Bearer {token}"}, timeout=120
            )
            if answer.status_code != 200:
                raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
            body = answer.json()
            size = body.get("total")
            reads[label] = {}
            for target in TARGETS:
                # Each read kind gets its share of what is left; a cut one keeps what it measured.
                share = max(3.0, (deadline - time.monotonic()) / slots)
                slots -= 1
                r = run_round(
                    loop, target_ports[target], [http_request("GET", path, token)], n, 1, 200, share, 120.0
                )
                errors += r["errors"]
                reads[label][target] = r["latencies_ms"]
                print(
                    f"  {label:<24}{target:<8} n {len(r['latencies_ms']):>4}  p50 {r['p50_ms']:8.1f} ms  "
                    f"p95 {r['p95_ms']:8.1f} ms  errors {r['errors']}"
                    + (f"  (cut at {share:.0f} s)" if r["cut"] else "")
                    + (f"  (total {size:,})" if isinstance(size, int) and target == "gateway" else ""),
                    flush=True,
                )
        floor = asyncio.run(queue_floor(urls["requests"], codes[CLERK_AGENCY], args.queue_requests))
        reads["queue page 1"]["SQL floor"] = floor
    except Exception:
        if cluster is not None:
            print_log_tails(tmp)
        raise
    finally:
        tear_down(loop, cluster, pg_dbs, tmpdir)

    summary: dict[str, Any] = {
        "bench": "requests",
        "backend": backend,
        "cores": cores,
        "applications": args.applications,
        "concurrency": args.concurrency,
        "requests_workers": workers,
        "rounds": len(submit["gateway"]),
    }
    report(summary, submit, reads, what="submissions", per_round=args.submissions)
    gw_rps = summary["submit_gateway"]["rps"]
    direct_rps = summary["submit_direct"]["rps"]
    queue = reads.get("queue page 1", {}).get("gateway", [])
    queue_p95 = pct(queue, 95)
    summary |= {
        "gateway_over_direct": round(gw_rps / direct_rps, 3) if direct_rps else 0.0,
        "target_submissions_met": gw_rps >= TARGET_SUBMISSIONS_PER_S,
        "target_queue_p95_met": bool(queue) and queue_p95 <= TARGET_QUEUE_P95_MS,
        "errors": errors,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(
        f"\nsubmissions through the gateway: {gw_rps:.1f}/s (target ≥ {TARGET_SUBMISSIONS_PER_S:.0f} on 2 cores): "
        f"{'met' if summary['target_submissions_met'] else 'NOT met'}; gateway/direct "
        f"{summary['gateway_over_direct']:.2f}"
    )
    print(
        f"queue page 1 through the gateway: p95 {queue_p95:.1f} ms (target ≤ {TARGET_QUEUE_P95_MS:.0f} ms): "
        f"{'met' if summary['target_queue_p95_met'] else 'NOT met'}"
    )
    if errors:
        print(f"FAILED: {errors} requests did not answer as expected (see error kinds above)")
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--applications", type=int, default=100_000, help="rows written before (default 100000)"
    )
    parser.add_argument("--users", type=int, default=16, help="public accounts submitting (default 16)")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--submissions", type=int, default=1500, help="submissions per round (default 1500)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target, interleaved (default 3)")
    parser.add_argument(
        "--warmup", type=int, default=200, help="warm-up submissions per target (default 200)"
    )
    parser.add_argument("--queue-requests", type=int, default=50, help="queue requests per kind (default 50)")
    parser.add_argument("--reports", type=int, default=5, help="annual reports per target (default 5)")
    parser.add_argument(
        "--max-seconds", type=float, default=140.0, help="budget of the run after the start (default 140)"
    )
    parser.add_argument("--postgres", action="store_true", help="databases on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument(
        "--requests-workers",
        type=int,
        default=0,
        help="server processes of the requests service (default: 2 on PostgreSQL, as deploy/ runs it; 1 on SQLite)",
    )
    args = parser.parse_args()
    if min(args.applications + 1, args.users, args.concurrency, args.submissions, args.rounds) < 1:
        parser.error("counts must be at least 1")

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
