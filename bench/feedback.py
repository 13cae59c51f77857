"""Feedback service: anonymous mailbox submissions through the gateway, and the statistics over 100k cases.

`make bench` runs `.venv/bin/python bench/feedback.py --postgres` (new databases on 127.0.0.1:5432)
when PostgreSQL answers there, else without the flag (SQLite in a temp dir). In one run it
1. starts the four processes with `shared.devrun.Cluster` on free ports (the gateway's limits on
   anonymous POSTs per address and per device out of the way), seeds the demo data and logs in as
   the demo inspector (青山市), admin and clerk1 (东湖县人民政府) through the gateway;
2. writes `--cases` (default 100,000) feedback cases straight into the feedback database
   (SQLAlchemy Core, `feedback_cases` only: the statistics read no events), spread over the demo
   agencies with their agency paths, the four kinds, the four channels with their rule sets, the
   last two years; most old ones replied and closed (first reply and closing times after receipt,
   on time or late against the stored due date), part of the closed ones rated; senders anonymous
   or NULL (no encryption);
3. loads `POST /api/v1/feedback/messages` with anonymous reports and suggestions (raw asyncio
   HTTP/1.1 keep-alive connections, `--concurrency` of them, every body a different content: the
   service refuses the same content to the same agency within 24 h) in rounds alternating gateway /
   direct on the feedback service (the baseline: same process, no gateway hop);
4. sends `GET /api/v1/feedback/stats` one request at a time, gateway and direct: the inspector for
   the 青山市 region (990100), admin for the province (990000) and clerk1 for its own agency; and
   runs the same `stats.compute` in this process on the same database (its SQL and the Python
   over the rows it fetches: the floor);
5. prints throughput and p50/p95 (medians over rounds), the gateway/direct ratio, the read
   latencies and one JSON line. Any unexpected status makes the exit code non-zero; the totals the
   statistics report are checked against the rows written.
Everything is bounded by `--max-seconds`; processes are stopped and PG databases dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# `python bench/feedback.py` puts bench/ first on sys.path, where bench/requests.py would shadow
# `requests` and bench/gateway.py the `gateway` package: look up the project's packages from the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.common import (  # noqa: E402
    agency_paths,
    cluster_env,
    http_request,
    login,
    new_event_loop,
    pct,
    pg_databases,
    print_log_tails,
    report,
    run_round,
    tear_down,
)
from services.feedback.models import (  # noqa: E402
    RULE_SET_BY_CHANNEL,
    CaseState,
    Channel,
    FeedbackCase,
    FeedbackKind,
    Level,
    Rating,
)
from shared.calendar import SHANGHAI  # noqa: E402
from shared.db import make_engine  # noqa: E402
from shared.devrun import ORDER, Cluster, free_port  # noqa: E402

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
MESSAGES = "/api/v1/feedback/messages"
STATS = "/api/v1/feedback/stats"
CLERK_AGENCY, REGION, PROVINCE = "990121", "990100", "990000"
TARGETS = ("gateway", "direct")
UNLIMITED = "1000000/minute"
# Where cases land (demo agency codes): most in the 青山市 region, a few at the province itself.
AGENCY_WEIGHTS = {
    "990000": 5,
    "990100": 10,
    "990101": 6,
    "990102": 9,
    "990121": 25,
    "990122": 18,
    "99012101": 10,
    "99012102": 7,
    "99012201": 10,
}
KINDS = {
    FeedbackKind.SUGGESTION: 30,
    FeedbackKind.CONSULTATION: 30,
    FeedbackKind.COMPLAINT: 25,
    FeedbackKind.REPORT: 15,
}
CHANNELS = {Channel.MAILBOX: 60, Channel.HOTLINE: 25, Channel.LETTER: 10, Channel.VISIT: 5}
LEVEL_DAYS = {Level.OWN_AUTHORITY: 0, Level.AREA_COORDINATION: 3, Level.CROSS_DEPARTMENT: 7}
TOPICS = [
    ("小区门口路灯长期不亮", "城关镇人民路小区门口的路灯已经坏了一个多月，夜间出行很不安全，请尽快维修。"),
    ("农贸市场周边占道经营", "农贸市场周边占道经营严重，早高峰交通堵塞，希望加强管理。"),
    ("建议增设公交线路", "新建小区居民较多，到县医院没有直达公交，建议增设一条公交线路。"),
    ("反映工地夜间施工噪音", "附近工地经常在夜间十一点后施工，噪音很大，影响周边居民休息。"),
    ("举报违规收取费用", "某单位办理业务时另行收取所谓资料费，没有收费依据，请予查处。"),
    ("咨询低保申请条件", "想了解最低生活保障的申请条件和办理流程，需要准备哪些材料。"),
    ("河道垃圾无人清理", "东湖河下游河道内漂浮垃圾较多，已有异味，请相关部门及时清理。"),
    ("建议延长办事大厅服务时间", "上班族工作日难以请假办事，建议政务服务大厅周六上午开放。"),
]


def weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def feedback_env(env: dict[str, str], ports: dict[str, int]) -> dict[str, str]:
    """The shared bench settings, plus the feedback process's catalog and calendar (requests)
    addresses, which `shared.devrun.wiring_env` does not set, and no anonymous-POST limits."""
    return env | {
        "FEEDBACK_CATALOG_URL": f"http://127.0.0.1:{ports['catalog']}",
        "FEEDBACK_REQUESTS_URL": f"http://127.0.0.1:{ports['requests']}",
        "GATEWAY_RATE_LIMIT_ANONYMOUS_POST": UNLIMITED,
        "GATEWAY_RATE_LIMIT_DEVICE": UNLIMITED,  # per device token (not read by this gateway yet)
    }


class Bodies:
    """Anonymous reports and suggestions, each with a content no other has (no 422 duplicates)."""

    def __init__(self, agencies: list[int], seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.agencies = agencies
        self.tag = uuid.uuid4().hex[:6]
        self.serial = 0

    def body(self) -> dict[str, Any]:
        self.serial += 1
        subject, content = self.rng.choice(TOPICS)
        return {
            "kind": self.rng.choice(["report", "suggestion"]),
            "agency_id": self.rng.choice(self.agencies),
            "subject": subject,
            "content": f"{content}（第 {self.serial} 条，{self.tag}）",
            "anonymous": True,
        }

    def requests(self, n: int) -> list[bytes]:
        return [http_request("POST", MESSAGES, None, self.body()) for _ in range(n)]

    def source(self, n: int) -> tuple[list[bytes], Callable[[], bytes]]:
        """N requests made before the clock starts, handed out one per send."""
        made = self.requests(n)
        return made[:1], iter(made).__next__


# --------------------------------------------------------------------------------------------
# Cases straight into the database.
# --------------------------------------------------------------------------------------------


def _working(day: date) -> date:
    """The day, or the Monday after it when it is a weekend (close enough for stored due dates)."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


async def load_cases(
    url: str, n: int, codes: dict[str, int], paths: dict[int, str], now: datetime
) -> dict[str, Any]:
    """Writes N cases; returns counts by state and the totals each stats scope should report."""
    from shared.tracking import hash_code

    rng = random.Random(20261130)
    engine = make_engine(url)
    cases = FeedbackCase.__table__  # type: ignore[attr-defined]
    agencies = {codes[c]: w for c, w in AGENCY_WEIGHTS.items()}
    departments = [codes[c] for c in ("990101", "990102", "99012101", "99012102", "99012201")]
    code_hash = hash_code("BENCHCODE01")
    span_s = 2 * 365 * 86400
    today = now.astimezone(SHANGHAI).date()
    counts: dict[str, int] = {}
    scopes = {code: 0 for code in (PROVINCE, REGION, CLERK_AGENCY)}
    markers = {code: f"/{codes[code]}/" for code in scopes}
    async with engine.begin() as conn:
        first = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(cases.c.id), 0)))).scalar_one() + 1
        batch: list[dict[str, Any]] = []
        for i in range(n):
            case_id = first + i
            kind = weighted(rng, KINDS)
            channel = weighted(rng, CHANNELS)
            agency = weighted(rng, agencies)
            received_at = now - timedelta(seconds=rng.randrange(span_s))
            received_on = received_at.astimezone(SHANGHAI).date()
            age = (today - received_on).days
            petition = channel in (Channel.LETTER, Channel.VISIT)
            level = None if petition else weighted(rng, {lv: 1 for lv in Level})
            if petition:
                accepted = received_on + timedelta(days=rng.randint(1, 12))
                due = accepted + timedelta(days=60 + (30 if rng.random() < 0.05 else 0))
                hours = rng.uniform(3 * 24, 75 * 24)
            else:
                due = _working(received_on + timedelta(days=LEVEL_DAYS[level]))
                limit_h = max(8, LEVEL_DAYS[level] * 24)
                hours = rng.uniform(0.5, limit_h * (1.6 if rng.random() < 0.12 else 1.0))
            replied_at = received_at + timedelta(hours=hours)
            draw = rng.random()
            if replied_at > now or (age < 20 and draw < 0.3) or draw < 0.01:  # open (old ones overdue)
                state = rng.choice([CaseState.RECEIVED, CaseState.ASSIGNED, CaseState.ASSIGNED])
            elif age > 30 and draw < 0.95:
                state = CaseState.CLOSED
            else:
                state = rng.choice([CaseState.REPLIED, CaseState.CLOSED])
            if state == CaseState.RECEIVED:  # not taken yet: the acceptance limit, or the longest level
                due = (
                    received_on + timedelta(days=15)
                    if petition
                    else _working(received_on + timedelta(days=7))
                )
            replied = state in (CaseState.REPLIED, CaseState.CLOSED)
            closed_at = rating = rated_at = None
            if state == CaseState.CLOSED:
                closed_at = min(now, replied_at + timedelta(hours=rng.uniform(1, 240)))
                if rng.random() < 0.55:
                    rating = weighted(
                        rng,
                        {Rating.SATISFIED: 70, Rating.BASICALLY_SATISFIED: 20, Rating.UNSATISFIED: 10},
                    )
                    rated_at = closed_at
            replied_on = replied_at.astimezone(SHANGHAI).date() if replied else None
            anonymous = kind in (FeedbackKind.SUGGESTION, FeedbackKind.REPORT) and rng.random() < 0.3
            accused = rng.choice(departments) if kind == FeedbackKind.REPORT and rng.random() < 0.1 else None
            subject, content = rng.choice(TOPICS)
            path = paths[agency]
            counts[str(state)] = counts.get(str(state), 0) + 1
            for code, marker in markers.items():
                if code == CLERK_AGENCY:  # a clerk counts the own agency's queue, not the agencies below
                    scopes[code] += agency == codes[code] and accused != codes[code]
                else:
                    scopes[code] += marker in path
            batch.append(
                {
                    "id": case_id,
                    "tracking_no": f"FK{received_on.year}-B{case_id:07d}",
                    "query_code_hash": code_hash,
                    "kind": str(kind),
                    "channel": str(channel),
                    "agency_id": agency,
                    "agency_path": path,
                    "intake": rng.random() < 0.03,
                    "accused_agency_id": accused,
                    "accused_agency_path": paths[accused] if accused else None,
                    "subject": subject,
                    "content": content,
                    "content_hash": hashlib.sha256(f"bench|{case_id}".encode()).hexdigest(),
                    "anonymous": anonymous,
                    "sender_user_id": None,
                    "sender_name": None,
                    "sender_phone": None,
                    "sender_email": None,
                    "sender_address": None,
                    "consent_to_publish": rng.random() < 0.2,
                    "rule_set": RULE_SET_BY_CHANNEL[channel],
                    "level": str(level) if level and state != CaseState.RECEIVED else None,
                    "state": str(state),
                    "owner_id": None if state == CaseState.RECEIVED else f"{rng.randint(2, 5)}",
                    "round": 1,
                    "received_at": received_at,
                    "received_on": received_on,
                    "due_on": due,
                    "due_provisional": False,
                    "first_replied_at": replied_at if replied else None,
                    "replied_on": replied_on,
                    "reply": "您反映的问题已转交相关部门处理，感谢您的监督。" if replied else None,
                    "closed_at": closed_at,
                    "on_time": (replied_on <= due) if replied_on else None,
                    "rating": str(rating) if rating else None,
                    "rating_comment": None,
                    "rated_at": rated_at,
                    "return_visited_on": None,
                    "contact_record_id": None,
                    "created_by": "bench",
                    "created_at": received_at,
                    "updated_at": closed_at or received_at,
                }
            )
            if len(batch) >= 2000:
                await conn.execute(cases.insert(), batch)
                batch.clear()
        if batch:
            await conn.execute(cases.insert(), batch)
        if engine.dialect.name == "postgresql":
            await conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('feedback_cases', 'id'), max(id)) FROM feedback_cases"
                )
            )
            await conn.execute(sa.text("ANALYZE feedback_cases"))
    await engine.dispose()
    return {"by_state": counts, "scopes": scopes}


async def stats_floor(
    url: str, principal: Any, agency_id: int, paths: dict[int, str], repeat: int, limit_s: float
) -> list[float]:
    """`stats.compute` in this process on the same database: its SQL and its Python, no HTTP."""
    from services.feedback import stats
    from shared.calendar import WorkingCalendar
    from shared.db import make_sessionmaker

    async def lookup(agency: int, field: str = "agency_id") -> str:
        return paths[agency]

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    calendar = WorkingCalendar()
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    out: list[float] = []
    until = time.perf_counter() + limit_s
    async with sessions() as session:
        for _ in range(repeat):
            started = time.perf_counter()
            await stats.compute(
                session,
                principal=principal,
                agency_id=agency_id,
                from_date=None,
                to_date=None,
                lookup=lookup,
                calendar=calendar,
                today=today,
            )
            out.append((time.perf_counter() - started) * 1000)
            await session.rollback()
            if time.perf_counter() > until:
                break
    await engine.dispose()
    return out


# --------------------------------------------------------------------------------------------
# The run.
# --------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from gateway.demo import DEMO_PASSWORD, seed
    from shared.auth import Principal, Role

    started = time.monotonic()
    deadline = started + args.max_seconds
    backend = "postgresql" if args.postgres else "sqlite"
    tmpdir = tempfile.TemporaryDirectory(prefix="gongkai-bench-feedback-")
    tmp = Path(tmpdir.name)
    pg_dbs: list[str] = []
    cluster: Cluster | None = None
    loop, event_loop = new_event_loop()
    cores = os.cpu_count() or 0
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
        env = feedback_env(cluster_env(tmp, ports, urls), ports)
        cluster = Cluster(ports=ports, env=env, cwd=tmp, log_dir=tmp)
        print(f"starting catalog, requests, feedback, gateway on {backend} ({tmp}) ...", flush=True)
        cluster.start_all()
        base = cluster.url()
        seed(base)
        codes, paths = agency_paths(base)
        tokens = {user: login(base, user, DEMO_PASSWORD) for user in ("inspector", "admin", "clerk1")}

        t0 = time.perf_counter()
        loaded = asyncio.run(load_cases(urls["feedback"], args.cases, codes, paths, datetime.now(UTC)))
        load_s = time.perf_counter() - t0
        print(f"cases written: {args.cases:,} in {load_s:.1f} s ({loaded['by_state']})", flush=True)

        # One real submission each way before the rounds: 201 with a receipt that tracks.
        bodies = Bodies([codes[c] for c in AGENCY_WEIGHTS])
        accepted = 0
        for target in TARGETS:
            url = cluster.url("feedback" if target == "direct" else "gateway")
            answer = httpx.post(url + MESSAGES, json=bodies.body(), timeout=30)
            receipt = answer.json() if answer.status_code == 201 else {}
            if "query_code" not in receipt:
                raise RuntimeError(
                    f"{target}: POST {MESSAGES} answered {answer.status_code}: {answer.text[:300]}"
                )
            tracked = httpx.get(
                f"{base}/api/v1/feedback/track/{receipt['tracking_no']}",
                params={"code": receipt["query_code"]},
                timeout=30,
            )
            if tracked.status_code != 200 or tracked.json()["state"] != "received":
                raise RuntimeError(f"tracking {receipt['tracking_no']} answered {tracked.status_code}")
            accepted += 1
        # The same content again is refused (the rounds depend on every body being new).
        again = bodies.body() | {"content": "重复内容检查：" + bodies.tag}
        first = httpx.post(cluster.url("feedback") + MESSAGES, json=again, timeout=30)
        second = httpx.post(cluster.url("feedback") + MESSAGES, json=again, timeout=30)
        if first.status_code != 201 or second.status_code != 422:
            raise RuntimeError(f"duplicate check: {first.status_code} then {second.status_code}")
        accepted += 1

        target_ports = {"gateway": ports["gateway"], "direct": ports["feedback"]}
        load_before = os.getloadavg()[0]
        print(
            f"\nGongkai feedback benchmark: {backend}; {cores} CPU cores shared by the client (this process, "
            f"{event_loop}) and the four services; load average {load_before:.1f} before the rounds\n"
            f"submissions: anonymous POST {MESSAGES} (report/suggestion, every content new) at concurrency "
            f"{args.concurrency}, {args.submissions} per round, rounds alternate gateway / direct on the "
            f"feedback service (baseline)",
            flush=True,
        )
        errors = 0

        def submit_round(target: str, n: int) -> dict[str, Any]:
            first_request, source = bodies.source(n)
            r = run_round(
                loop, target_ports[target], first_request, n, args.concurrency, 201, 30.0, 10.0, source
            )
            if r["cut"]:  # let the requests still in the service finish before the next round
                time.sleep(3.0)
            return r

        for target in TARGETS if args.warmup else ():
            r = submit_round(target, args.warmup)
            errors += r["errors"]
            accepted += r["ok"]
            print(
                f"  warm-up {target:<8}{r['rps']:8.1f}/s  errors {r['errors']} {r['error_kinds'] or ''}",
                flush=True,
            )
        submit: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
        # Rounds get at most 40% of what is left of the budget; the reads need the rest.
        submit_until = time.monotonic() + max(10.0, (deadline - time.monotonic()) * 0.4)
        pair_s = 0.0
        for index in range(args.rounds):
            if index and time.monotonic() + pair_s > submit_until:
                print(f"  time budget: stopping after {index} rounds", flush=True)
                break
            pair_started = time.monotonic()
            for target in TARGETS:
                r = submit_round(target, args.submissions)
                submit[target].append(r)
                errors += r["errors"]
                accepted += r["ok"]
                cut = " (cut at 30 s)" if r["cut"] else ""
                print(
                    f"  round {index + 1} {target:<8}{r['rps']:8.1f}/s  p50 {r['p50_ms']:7.1f} ms  "
                    f"p95 {r['p95_ms']:7.1f} ms  errors {r['errors']} {r['error_kinds'] or ''}{cut}",
                    flush=True,
                )
            pair_s = time.monotonic() - pair_started

        # Statistics: one client, one request at a time (latency, not throughput).
        region, province = codes[REGION], codes[PROVINCE]
        read_paths = {
            f"stats inspector {REGION}": (f"{STATS}?agency_id={region}", tokens["inspector"], REGION),
            f"stats admin {PROVINCE}": (f"{STATS}?agency_id={province}", tokens["admin"], PROVINCE),
            f"stats clerk1 {CLERK_AGENCY}": (STATS, tokens["clerk1"], CLERK_AGENCY),
        }
        print(
            f"\nstatistics over {args.cases:,} cases (+ {accepted:,} submitted): one request at a time",
            flush=True,
        )
        reads: dict[str, dict[str, list[float]]] = {}
        checks: dict[str, dict[str, int]] = {}
        slots = len(read_paths) * len(TARGETS) + 1  # + the in-process floor
        for label, (path, token, code) in read_paths.items():
            answers = {}
            for target in ("direct", "gateway"):
                answer = httpx.get(
                    cluster.url("feedback" if target == "direct" else "gateway") + path,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                )
                if answer.status_code == 200:
                    answers[target] = answer.json()
                elif target == "direct":
                    raise RuntimeError(
                        f"direct: GET {path} answered {answer.status_code}: {answer.text[:300]}"
                    )
                else:  # e.g. 504: the gateway gave up waiting; counted, and the rounds still run
                    errors += 1
                    print(
                        f"  {label}: gateway answered {answer.status_code}: {answer.text[:200]}", flush=True
                    )
            body = answers["direct"]
            gateway_body = answers.get("gateway", body)
            differ = sorted(k for k in gateway_body if gateway_body[k] != body.get(k))
            if differ:
                raise RuntimeError(f"{label}: gateway and direct answers differ in {differ}")
            # Bench rows in the scope; the submissions add at most `accepted` more (all received today).
            written = loaded["scopes"][code]
            checks[label] = {"total": body["total"], "written": written}
            if not written <= body["total"] <= written + accepted:
                print(
                    f"  WARNING {label}: total {body['total']:,} outside [{written:,}, {written + accepted:,}]",
                    flush=True,
                )
                errors += 1
            reads[label] = {}
            for target in TARGETS:
                # Each read kind gets its share of what is left; a cut one keeps what it measured.
                share = max(3.0, (deadline - time.monotonic()) / slots)
                slots -= 1
                r = run_round(
                    loop,
                    target_ports[target],
                    [http_request("GET", path, token)],
                    args.stats_requests,
                    1,
                    200,
                    share,
                    120.0,
                )
                errors += r["errors"]
                reads[label][target] = r["latencies_ms"]
                if r["cut"]:  # the service is still computing the abandoned one: let it finish
                    time.sleep(min(15.0, max(r["latencies_ms"], default=5000.0) / 1000))
                print(
                    f"  {label:<24}{target:<8} n {len(r['latencies_ms']):>4}  p50 {r['p50_ms']:8.1f} ms  "
                    f"p95 {r['p95_ms']:8.1f} ms  errors {r['errors']}"
                    + (f"  (cut at {share:.0f} s)" if r["cut"] else "")
                    + (
                        f"  (total {body['total']:,}, closed {body['closed']:,}, "
                        f"first replies {body['first_reply']['count']:,})"
                        if target == "direct"
                        else ""
                    ),
                    flush=True,
                )
        inspector = Principal(subject="bench", role=Role.INSPECTOR, region_id=region)
        floor = asyncio.run(
            stats_floor(
                urls["feedback"],
                inspector,
                region,
                paths,
                args.stats_requests,
                max(3.0, deadline - time.monotonic()),
            )
        )
        reads[f"stats inspector {REGION}"]["in-process"] = floor
        print(
            f"  {'stats inspector ' + REGION:<24}{'floor':<8} n {len(floor):>4}  p50 "
            f"{statistics.median(floor):8.1f} ms  p95 {pct(floor, 95):8.1f} ms  (stats.compute in this process)",
            flush=True,
        )
    except Exception:
        if cluster is not None:
            print_log_tails(tmp)
        raise
    finally:
        tear_down(loop, cluster, pg_dbs, tmpdir)

    summary: dict[str, Any] = {
        "bench": "feedback",
        "backend": backend,
        "cores": cores,
        "cases": args.cases,
        "concurrency": args.concurrency,
        "rounds": len(submit["gateway"]),
    }
    report(summary, submit, reads, what="anonymous submissions", per_round=args.submissions)
    gw_rps = summary["submit_gateway"]["rps"]
    direct_rps = summary["submit_direct"]["rps"]
    summary |= {
        "gateway_over_direct": round(gw_rps / direct_rps, 3) if direct_rps else 0.0,
        "stats_totals": checks,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "errors": errors,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(
        f"\nanonymous submissions: gateway {gw_rps:.1f}/s, direct {direct_rps:.1f}/s; gateway/direct "
        f"{summary['gateway_over_direct']:.2f}"
    )
    if errors:
        print(f"FAILED: {errors} requests or checks did not answer as expected (see above)")
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases written before (default 100000)")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--submissions", type=int, default=1000, help="submissions per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target, interleaved (default 3)")
    parser.add_argument(
        "--warmup", type=int, default=200, help="warm-up submissions per target (default 200)"
    )
    parser.add_argument(
        "--stats-requests", type=int, default=10, help="statistics requests per kind and target (default 10)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="budget of the run after the start (default 300)"
    )
    parser.add_argument("--postgres", action="store_true", help="databases on PostgreSQL at 127.0.0.1:5432")
    args = parser.parse_args()
    if min(args.cases + 1, args.concurrency, args.submissions, args.rounds, args.stats_requests) < 1:
        parser.error("counts must be at least 1")

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
