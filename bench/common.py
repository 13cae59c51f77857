"""Helpers shared by the benchmarks that load the cluster in-process (bench/requests.py,
bench/feedback.py): the raw keep-alive HTTP/1.1 client of bench/gateway.py run as rounds in this
process, percentiles, logins, the demo agency tree, the cluster settings and throwaway PostgreSQL
databases.

Import it after putting the repository root first on `sys.path` (the benches do: `python
bench/x.py` puts bench/ first, where bench/requests.py would shadow `requests` and bench/gateway.py
the `gateway` package).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _load_client() -> Any:
    """bench/gateway.py's raw keep-alive HTTP/1.1 client (its module has only stdlib imports)."""
    spec = importlib.util.spec_from_file_location("gongkai_bench_gateway", ROOT / "bench" / "gateway.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GW = _load_client()


class _Conn(GW._Conn):  # type: ignore[misc,name-defined]
    """A connection whose success status is `expect` (201 for submissions). With a `source`, every
    request it sends is the next one the source gives (bodies that must differ, e.g. no duplicates);
    without one it sends the same request again and again."""

    expect = 200
    source: Callable[[], bytes] | None = None

    def send_next(self) -> None:
        if self.source is not None and self.state.tickets > 0:
            self.request = self.source()
        super().send_next()

    def _finish(self, *, ok: bool, kind: str) -> None:
        super()._finish(ok=self.status == self.expect, kind=kind)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    return GW._pct(sorted(values), q) if values else 0.0


def new_event_loop() -> tuple[asyncio.AbstractEventLoop, str]:
    """uvloop when installed (as the gateway bench's load generator uses), else asyncio's."""
    try:
        return __import__("uvloop").new_event_loop(), "uvloop"
    except ImportError:
        return asyncio.new_event_loop(), "asyncio"


# --------------------------------------------------------------------------------------------
# Load rounds (in this process; nothing else runs here while they do).
# --------------------------------------------------------------------------------------------


async def _round(
    port: int,
    requests: list[bytes],
    total: int,
    concurrency: int,
    expect: int,
    limit_s: float,
    request_timeout: float,
    source: Callable[[], bytes] | None = None,
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    state = GW._Round(loop, total)
    conns: list[_Conn] = []

    async def factory() -> tuple[asyncio.BaseTransport, _Conn]:
        request = requests[len(conns) % len(requests)]

        def make() -> _Conn:
            conn = _Conn(request, state)
            conn.expect = expect
            conn.source = source
            return conn

        transport, proto = await loop.create_connection(make, "127.0.0.1", port)
        conns.append(proto)
        return transport, proto

    state.factory = factory
    for _ in range(min(concurrency, total)):
        await asyncio.wait_for(factory(), 10)
    state.active = len(conns)
    started = time.perf_counter()
    for conn in list(conns):
        conn.send_next()
    deadline, cut = started + limit_s, False
    while not state.done.done():
        now = time.perf_counter()
        if now >= deadline:
            cut = True
            break
        for conn in list(conns):
            if conn.in_flight and not conn.closing and now - conn.started > request_timeout:
                state.error("timeout")
                conn.in_flight = False
                conn.transport.abort()
        await asyncio.wait([state.done], timeout=min(0.5, deadline - now))
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    await asyncio.sleep(0)
    lat = [v * 1000 for v in state.latencies]
    return {
        "ok": state.ok,
        "errors": sum(state.errors.values()),
        "error_kinds": state.errors,
        "cut": cut,
        "elapsed_s": elapsed,
        "rps": state.ok / elapsed if elapsed > 0 else 0.0,
        "p50_ms": statistics.median(lat) if lat else 0.0,
        "p95_ms": pct(lat, 95),
        "latencies_ms": lat,
    }


def run_round(loop: asyncio.AbstractEventLoop, *args: Any) -> dict[str, Any]:
    """`_round(port, requests, total, concurrency, expect, limit_s, request_timeout[, source])`."""
    return loop.run_until_complete(_round(*args))


def http_request(method: str, path: str, token: str | None, body: dict[str, Any] | None = None) -> bytes:
    """One HTTP/1.1 request's bytes; no Authorization header when `token` is None (anonymous)."""
    payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: gongkai-bench\r\nAccept: application/json\r\n"
    if token is not None:
        head += f"Authorization: Bearer {token}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


# --------------------------------------------------------------------------------------------
# The cluster: accounts, the agency tree, settings, databases.
# --------------------------------------------------------------------------------------------


def login(base: str, username: str, password: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def agency_paths(base: str) -> tuple[dict[str, int], dict[int, str]]:
    """The catalog's agencies: code → id, and id → path (`/1/2/5/`, as the services store it)."""
    items = httpx.get(f"{base}/api/v1/catalog/agencies", params={"page_size": 100}, timeout=30).json()[
        "items"
    ]
    parents = {a["id"]: a.get("parent_id") for a in items}
    paths = {}
    for agency_id in parents:
        chain, parent = [agency_id], parents[agency_id]
        while parent is not None:
            chain.append(parent)
            parent = parents.get(parent)
        paths[agency_id] = "/" + "/".join(str(i) for i in reversed(chain)) + "/"
    return {a["code"]: a["id"] for a in items}, paths


def pg_databases(action: str, names: list[str]) -> None:
    GW._pg_databases(action, names)


def cluster_env(tmp: Path, ports: dict[str, int], urls: dict[str, str]) -> dict[str, str]:
    """bench/gateway.py's cluster settings, with every gateway limit out of the way."""
    env = GW.cluster_env(tmp, ports, urls)
    env |= {key: "100000/minute" for key in env if key.startswith("GATEWAY_RATE_LIMIT_")}
    return env


def print_log_tails(log_dir: Path, lines: int = 15) -> None:
    """The last lines of each process's log, on stderr (after a failure)."""
    for log in sorted(log_dir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        if tail:
            print(f"--- {log.name} (last lines) ---\n" + "\n".join(tail), file=sys.stderr)


def report(
    summary: dict[str, Any],
    submit: dict[str, list[dict[str, Any]]],
    reads: dict[str, dict[str, list[float]]],
    *,
    what: str,
    per_round: int,
) -> None:
    """Prints (and adds to `summary`) the medians of the submission rounds per target, then p50/p95
    of every read per target — the part every bench's closing table shares."""
    print(f"\nmedians over {len(submit['gateway'])} rounds of {per_round} {what}:")
    print(f"  {'':<10}{'subm/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for target, rounds in submit.items():
        row = {
            k: round(statistics.median(r[k] for r in rounds), 2) if rounds else 0.0
            for k in ("rps", "p50_ms", "p95_ms")
        }
        summary[f"submit_{target}"] = row
        print(f"  {target:<10}{row['rps']:>10.1f}{row['p50_ms']:>10.2f}{row['p95_ms']:>10.2f}")
    width = max((len(f"{label} / {t}") for label, by in reads.items() for t in by), default=20) + 2
    print(f"\n  {'read':<{width}}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}")
    for label, by_target in reads.items():
        for target, values in by_target.items():
            if not values:
                continue
            median, p95 = statistics.median(values), pct(values, 95)
            print(f"  {label + ' / ' + target:<{width}}{len(values):>5}{median:>10.2f}{p95:>10.2f}")
            key = "_".join(
                part.replace(" ", "_").replace("=", "_").replace("-", "_") for part in (label, target)
            )
            summary[key] = {"p50_ms": round(median, 2), "p95_ms": round(p95, 2)}


def tear_down(loop: asyncio.AbstractEventLoop, cluster: Any, pg_dbs: list[str], tmpdir: Any) -> None:
    """Stops what a bench started, whatever happened: the loop, the processes, its databases."""
    loop.close()
    if cluster is not None:
        cluster.stop_all()
    if pg_dbs:
        try:
            pg_databases("drop", pg_dbs)
        except Exception as exc:
            print(f"could not drop databases {pg_dbs}: {exc}", file=sys.stderr)
    tmpdir.cleanup()
