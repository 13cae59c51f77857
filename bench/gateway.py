"""Gateway overhead: the same public read, directly on the catalog and through the gateway.

`make bench` runs `.venv/bin/python bench/gateway.py`. It starts the four processes with
`shared.devrun.Cluster` on free ports and throwaway databases (SQLite in a temp dir, or
`--postgres` for new databases on 127.0.0.1:5432), seeds the demo data, then loads
`GET /api/v1/catalog/agencies?page_size=20` at a fixed concurrency from a separate process
(raw asyncio HTTP/1.1 keep-alive connections, uvloop when available). Rounds alternate
direct / gateway so both see the same machine; the report gives medians over rounds, the
gateway/direct throughput ratio against the 0.75 target, the CPU each process spent per
request, and one JSON line at the end. With `--bearer` every request carries the admin's access
token on both paths (the catalog verifies it; the gateway also checks it against the revocation
set), so the cost of the gateway's token check shows in its CPU per request. Any non-200 answer makes the exit code non-zero; the
ratio is only reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/catalog/agencies?page_size=20"
TARGET_RATIO = 0.75
TARGETS = ("direct", "gateway")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"


# --------------------------------------------------------------------------------------------
# Load generator: runs in its own process (`bench/gateway.py --worker`), one JSON line per round.
# --------------------------------------------------------------------------------------------


class _Round:
    """Shared state of one round: tickets left, answers seen, latencies."""

    def __init__(self, loop: asyncio.AbstractEventLoop, total: int) -> None:
        self.loop = loop
        self.tickets = total
        self.active = 0
        self.ok = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []
        self.done: asyncio.Future[None] = loop.create_future()
        self.factory: Any = None

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def take(self) -> bool:
        if self.tickets > 0:
            self.tickets -= 1
            return True
        return False

    def retire(self) -> None:
        self.active -= 1
        if self.active <= 0 and not self.done.done():
            self.done.set_result(None)


class _Conn(asyncio.Protocol):
    """One keep-alive connection: sends the next request as soon as the answer is complete."""

    def __init__(self, request: bytes, state: _Round) -> None:
        self.request = request
        self.state = state
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.started = 0.0
        self.in_flight = False
        self.closing = False
        self.retired = False
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.mode = ""  # "" = reading head, "len" = fixed body, "chunked"
        self.need = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send_next(self) -> None:
        if self.state.take():
            self.in_flight = True
            self.started = time.perf_counter()
            self.transport.write(self.request)  # type: ignore[union-attr]
        else:
            self.in_flight = False
            self.retired = True
            self.state.retire()

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        while True:
            if not self.mode:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(buf[:end]).lower()
                del buf[: end + 4]
                self.status = int(head[9:12])
                i = head.find(b"\r\ncontent-length:")
                if i >= 0:
                    j = head.find(b"\r\n", i + 2)
                    self.need = int(head[i + 17 : j if j >= 0 else len(head)])
                    self.mode = "len"
                elif b"\r\ntransfer-encoding: chunked" in head:
                    self.mode = "chunked"
                    self.need = -1
                else:  # no framing: count it and replace the connection (see connection_lost)
                    self.state.latencies.append(time.perf_counter() - self.started)
                    self.state.error("no_framing")
                    self.in_flight = False
                    self.transport.close()  # type: ignore[union-attr]
                    return
            if self.mode == "len":
                if len(buf) < self.need:
                    return
                del buf[: self.need]
                self._finish(ok=self.status == 200, kind=f"http_{self.status}")
                if not buf:
                    return
                continue
            # chunked: need == -1 means "read a size line"; otherwise the chunk plus CRLF
            while True:
                if self.need < 0:
                    eol = buf.find(b"\r\n")
                    if eol < 0:
                        return
                    size = int(bytes(buf[:eol]).split(b";")[0], 16)
                    del buf[: eol + 2]
                    if size == 0:
                        self.need = -2  # final CRLF (no trailers expected)
                    else:
                        self.need = size + 2
                if self.need == -2:
                    if len(buf) < 2:
                        return
                    del buf[:2]
                    self._finish(ok=self.status == 200, kind=f"http_{self.status}")
                    break
                if len(buf) < self.need:
                    return
                del buf[: self.need]
                self.need = -1
            if not buf:
                return

    def _finish(self, *, ok: bool, kind: str) -> None:
        state = self.state
        state.latencies.append(time.perf_counter() - self.started)
        if ok:
            state.ok += 1
        else:
            state.error(kind)
        self._reset()
        self.in_flight = False
        if not self.closing:
            self.send_next()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closing or self.retired:
            return
        state = self.state
        if self.in_flight:
            state.error("connection_lost")
            self.in_flight = False
        # Replace the connection and keep going (the lost request already counted as an error).
        state.loop.create_task(_replace(state))


async def _replace(state: _Round) -> None:
    try:
        _, proto = await state.factory()
    except OSError:
        state.error("connect")
        state.retire()
        return
    proto.send_next()


async def _run_round(job: dict[str, Any]) -> dict[str, Any]:
    host, port, total = job["host"], job["port"], job["requests"]
    loop = asyncio.get_running_loop()
    authorization = f"Authorization: Bearer {job['bearer']}\r\n" if job.get("bearer") else ""
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: gongkai-bench\r\n"
        f"Accept: application/json\r\n{authorization}\r\n"
    ).encode()
    state = _Round(loop, total)
    conns: list[_Conn] = []

    async def factory() -> tuple[asyncio.BaseTransport, _Conn]:
        transport, proto = await loop.create_connection(lambda: _Conn(request, state), host, port)
        conns.append(proto)
        return transport, proto

    state.factory = factory
    for _ in range(min(job["concurrency"], total)):  # connections are opened before the clock starts
        await asyncio.wait_for(factory(), 10)
    state.active = len(conns)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for conn in list(conns):
        conn.send_next()
    cut = False
    deadline = t0 + job["limit_s"]
    while not state.done.done():
        now = time.perf_counter()
        if now >= deadline:
            cut = True
            break
        for conn in list(conns):  # a request older than the request timeout is an error
            if conn.in_flight and not conn.closing and now - conn.started > job["request_timeout"]:
                state.error("timeout")
                conn.in_flight = False
                conn.transport.abort()  # type: ignore[union-attr]  # connection_lost replaces it
        await asyncio.wait([state.done], timeout=min(0.5, deadline - now))
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    unfinished = 0
    for conn in conns:
        if conn.in_flight:
            unfinished += 1
        conn.close()
    lat = sorted(state.latencies)
    return {
        "ok": state.ok,
        "answered": len(lat),
        "errors": sum(state.errors.values()),
        "error_kinds": state.errors,
        "not_sent": state.tickets,
        "unfinished": unfinished,
        "cut": cut,
        "elapsed_s": elapsed,
        "rps": state.ok / elapsed if elapsed > 0 else 0.0,
        "p50_ms": _pct(lat, 50) * 1000,
        "p99_ms": _pct(lat, 99) * 1000,
        "max_ms": (lat[-1] if lat else 0.0) * 1000,
        "client_cpu_s": cpu,
    }


def _pct(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def worker_main() -> int:
    """Reads one JSON job per line on stdin, answers one JSON result per line; EOF ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:
        import uvloop

        loop = uvloop.new_event_loop()
        event_loop = "uvloop"
    except ImportError:
        loop = asyncio.new_event_loop()
        event_loop = "asyncio"
    asyncio.set_event_loop(loop)
    print(json.dumps({"ready": True, "loop": event_loop}), flush=True)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            try:
                result = loop.run_until_complete(_run_round(job))
            except (OSError, TimeoutError) as exc:
                result = {"failed": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(result), flush=True)
    finally:
        loop.close()
    return 0


class LoadWorker:
    """The parent's handle on the load-generator process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.event_loop = self._read(30)["loop"]

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"load generator silent for {timeout:.0f}s")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load generator exited with {self.proc.poll()}")
        return json.loads(line)

    def run(
        self,
        port: int,
        requests: int,
        concurrency: int,
        limit_s: float,
        request_timeout: float,
        bearer: str = "",
    ) -> dict[str, Any]:
        assert self.proc.stdin is not None
        job = {
            "bearer": bearer,
            "host": "127.0.0.1",
            "port": port,
            "requests": requests,
            "concurrency": concurrency,
            "limit_s": limit_s,
            "request_timeout": request_timeout,
        }
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        result = self._read(limit_s + 30)
        if "failed" in result:
            raise RuntimeError(f"load generator: {result['failed']}")
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------------------------
# The cluster and the rounds (parent process).
# --------------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (all cores), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _pg_databases(action: str, names: list[str]) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN, timeout=5)
        try:
            for db in names:
                if action == "create":
                    await conn.execute(f'CREATE DATABASE "{db}"')
                else:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(asyncio.wait_for(run(), 60))


def cluster_env(tmp: Path, ports: dict[str, int], urls: dict[str, str]) -> dict[str, str]:
    from shared.devrun import ORDER, PREFIX, wiring_env

    env = wiring_env(ports)
    for name in ORDER:
        env[f"{PREFIX[name]}DATABASE_URL"] = urls[name]
        env[f"{PREFIX[name]}ENVIRONMENT"] = "test"
        env[f"{PREFIX[name]}LOG_LEVEL"] = "WARNING"
    env |= {
        "GATEWAY_KEY_DIR": str(tmp / "keys"),
        "GATEWAY_RATE_LIMIT_LOGIN": "10000/minute",
        "GATEWAY_RATE_LIMIT_REGISTER": "10000/minute",
        "GATEWAY_RATE_LIMIT_ANONYMOUS_POST": "10000/minute",
        "GATEWAY_RATE_LIMIT_DEVICE": "10000/minute",
        "GATEWAY_RATE_LIMIT_TRACKING": "10000/minute",
        "GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "10",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    }
    return env


def _sanity(urls: dict[str, str], bearer: str = "") -> int:
    """Both paths answer 200 with the same agencies; returns how many rows the page has."""
    import httpx

    bodies = {}
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    for target, base in urls.items():
        response = httpx.get(base + PATH, timeout=10, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{target}: GET {PATH} answered {response.status_code}: {response.text[:300]}")
        bodies[target] = response.json()
    if bodies["direct"]["items"] != bodies["gateway"]["items"]:
        raise RuntimeError("direct and gateway answers differ")
    return len(bodies["direct"]["items"])


def _median(rounds: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rounds) if rounds else 0.0


def _round_line(label: str, r: dict[str, Any]) -> str:
    cpu = r["cpu_ms_per_req"]
    util = r["cpu_util"]
    extra = (
        f"  (cut at the time limit: {r['not_sent']} not sent, {r['unfinished']} unfinished)"
        if r["cut"]
        else ""
    )
    return (
        f"  {label:<16}{r['rps']:9.1f} req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
        f"errors {r['errors']:<4} cpu ms/req client {cpu['client']:.3f} catalog {cpu['catalog']:.3f} "
        f"gateway {cpu['gateway']:.3f}  "
        f"busy% {util['client']:.0f}/{util['catalog']:.0f}/{util['gateway']:.0f} "
        f"other {r['other_busy_pct']:.0f}"
        f"{extra}"
    )


def run(args: argparse.Namespace) -> int:
    from gateway.demo import admin_token, seed
    from shared.devrun import ORDER, Cluster, free_port

    started = time.monotonic()
    deadline = started + args.max_seconds
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    backend = "postgresql" if args.postgres else "sqlite"
    pg_dbs: list[str] = []
    cluster: Cluster | None = None
    worker: LoadWorker | None = None
    tmpdir = tempfile.TemporaryDirectory(prefix="gongkai-bench-")
    tmp = Path(tmpdir.name)
    try:
        if args.postgres:
            tag = uuid.uuid4().hex[:8]
            names = {name: f"gk_bench_{name}_{tag}" for name in ORDER}
            pg_dbs = list(names.values())
            _pg_databases("create", pg_dbs)
            urls = {name: PG_URL.format(db=db) for name, db in names.items()}
        else:
            urls = {name: f"sqlite+aiosqlite:///{tmp / name}.db" for name in ORDER}
        ports = {name: free_port() for name in ORDER}
        cluster = Cluster(ports=ports, env=cluster_env(tmp, ports, urls), cwd=tmp, log_dir=tmp)
        print(f"starting catalog, requests, feedback, gateway on {backend} ({tmp}) ...", flush=True)
        cluster.start_all()
        seed(cluster.url())
        targets = {"direct": cluster.url("catalog"), "gateway": cluster.url("gateway")}
        bearer = admin_token(cluster.url()) if args.bearer else ""
        rows = _sanity(targets, bearer)
        pids = {name: cluster.procs[name].pid for name in ("catalog", "gateway")}
        worker = LoadWorker()
        target_ports = {"direct": ports["catalog"], "gateway": ports["gateway"]}

        print(
            f"\nGongkai gateway benchmark: GET {PATH} ({rows} rows)\n"
            f"machine: {cores} CPU cores ({usable} usable to this process); the load generator, catalog and "
            f"gateway share them\n"
            f"backend {backend}; {'with' if bearer else 'without'} a bearer token; concurrency {args.concurrency} keep-alive connections; "
            f"{args.requests} requests per round; {args.rounds} rounds per target, interleaved; "
            f"warm-up {args.warmup} each; "
            f"client {worker.event_loop} in its own process\n"
            f"columns: throughput, latency, non-200 answers, CPU ms per request and busy % of one core for "
            f"client/catalog/gateway, then the rest of the machine's busy % (other work: noise"
            + ("; here also the PostgreSQL server)" if args.postgres else ")"),
            flush=True,
        )

        def measure(target: str, requests: int) -> dict[str, Any]:
            assert cluster is not None and worker is not None
            for name, proc in cluster.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}")
            before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
            machine = _machine_busy_seconds()
            limit = min(args.round_timeout, max(1.0, deadline - time.monotonic()))
            result = worker.run(
                target_ports[target], requests, args.concurrency, limit, args.request_timeout, bearer
            )
            spent = {name: _cpu_seconds(pid) - before[name] for name, pid in pids.items()}
            spent["client"] = result["client_cpu_s"]
            # Everything else on the machine (other test runs, the idle services, the kernel): noise.
            other = max(0.0, _machine_busy_seconds() - machine - sum(spent.values()))
            answered = max(result["answered"], 1)
            result["cpu_ms_per_req"] = {k: v * 1000 / answered for k, v in spent.items()}
            result["cpu_util"] = {k: 100 * v / result["elapsed_s"] for k, v in spent.items()}
            result["other_busy_pct"] = 100 * other / result["elapsed_s"]
            return result

        warmup_errors = 0
        if args.warmup:
            for target in TARGETS:
                result = measure(target, args.warmup)
                warmup_errors += result["errors"]
                print(_round_line(f"warm-up {target}", result), flush=True)

        results: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGETS}
        truncated = False
        pair_s = 0.0
        for index in range(args.rounds):
            # A pair (direct + gateway) starts only if it should end within the budget, so the
            # two targets keep the same number of rounds.
            if deadline - time.monotonic() < max(2.0, pair_s):
                truncated = True
                print(f"  time budget of {args.max_seconds:.0f}s: stopping after {index} rounds", flush=True)
                break
            pair_started = time.monotonic()
            for target in TARGETS:
                result = measure(target, args.requests)
                results[target].append(result)
                print(_round_line(f"round {index + 1} {target}", result), flush=True)
            pair_s = time.monotonic() - pair_started

        summary: dict[str, Any] = {
            "bench": "gateway",
            "path": PATH,
            "backend": backend,
            "bearer": bool(bearer),
            "cores": cores,
            "concurrency": args.concurrency,
            "requests_per_round": args.requests,
            "rounds": len(results["direct"]),
        }
        print(f"\nmedians over {len(results['direct'])} rounds:")
        print(
            f"  {'target':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}   "
            f"cpu ms/req client/catalog/gateway   other busy%"
        )
        total_errors = warmup_errors
        for target in TARGETS:
            rounds = results[target]
            errors = sum(r["errors"] for r in rounds)
            total_errors += errors
            kinds: dict[str, int] = {}
            for r in rounds:
                for kind, n in r["error_kinds"].items():
                    kinds[kind] = kinds.get(kind, 0) + n
            cpu = {
                k: statistics.median(r["cpu_ms_per_req"][k] for r in rounds) if rounds else 0.0
                for k in ("client", "catalog", "gateway")
            }
            row = {
                "rps": round(_median(rounds, "rps"), 1),
                "p50_ms": round(_median(rounds, "p50_ms"), 2),
                "p99_ms": round(_median(rounds, "p99_ms"), 2),
                "errors": errors,
                "cpu_ms_per_req": {k: round(v, 3) for k, v in cpu.items()},
                "busy_pct": {
                    k: round(statistics.median(r["cpu_util"][k] for r in rounds)) if rounds else 0
                    for k in ("client", "catalog", "gateway")
                },
                "other_busy_pct": round(_median(rounds, "other_busy_pct")),
            }
            if kinds:
                row["error_kinds"] = kinds
            summary[target] = row
            print(
                f"  {target:<10}{row['rps']:>10.1f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
                f"{errors:>8}   "
                f"{cpu['client']:.3f} / {cpu['catalog']:.3f} / {cpu['gateway']:.3f}   "
                f"{row['other_busy_pct']:>5}" + (f"   {kinds}" if kinds else "")
            )
        direct_rps = summary["direct"]["rps"]
        ratio = summary["gateway"]["rps"] / direct_rps if direct_rps else 0.0
        met = ratio >= TARGET_RATIO
        # Each gateway round against the direct round just before it: the closest conditions.
        pairs = [
            g["rps"] / d["rps"]
            for d, g in zip(results["direct"], results["gateway"], strict=False)
            if d["rps"]
        ]
        pair_ratio = statistics.median(pairs) if pairs else 0.0
        summary |= {
            "ratio": round(ratio, 3),
            "pair_ratio_median": round(pair_ratio, 3),
            "target_ratio": TARGET_RATIO,
            "target_met": met,
            "warmup_errors": warmup_errors,
            "truncated": truncated,
            "cut_rounds": sum(r["cut"] for t in TARGETS for r in results[t]),
            "seconds": round(time.monotonic() - started, 1),
        }
        print(
            f"\nratio gateway/direct throughput: {ratio:.3f}  (target ≥ {TARGET_RATIO}): "
            f"{'met' if met else 'NOT met'}"
        )
        print(
            f"per-round ratios (gateway round / direct round before it): "
            f"{', '.join(f'{p:.2f}' for p in pairs)}; median {pair_ratio:.3f}"
        )
        other = max(summary[t]["other_busy_pct"] for t in TARGETS)
        if other > 25 and not args.postgres:
            print(
                f"note: other work on this machine kept {other}% of a core busy during the rounds; the gateway "
                f"path (three busy processes on {cores} cores) loses more to it than the direct path, so the "
                f"ratio is understated"
            )
        if warmup_errors:
            print(f"warm-up errors: {warmup_errors}")
        if total_errors:
            print(f"FAILED: {total_errors} requests did not answer 200 (see error kinds above)")
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        return 1 if total_errors else 0
    except Exception:
        if cluster is not None:
            for log in sorted(tmp.glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-15:]
                if tail:
                    print(f"--- {log.name} (last lines) ---\n" + "\n".join(tail), file=sys.stderr)
        raise
    finally:
        if worker is not None:
            worker.close()
        if cluster is not None:
            cluster.stop_all()
        if pg_dbs:
            try:
                _pg_databases("drop", pg_dbs)
            except Exception as exc:
                print(f"could not drop databases {pg_dbs}: {exc}", file=sys.stderr)
        tmpdir.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per round (default 3000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per target, interleaved (default 5)")
    parser.add_argument("--warmup", type=int, default=500, help="warm-up requests per target (default 500)")
    parser.add_argument(
        "--round-timeout",
        type=float,
        default=30.0,
        help="seconds a round may take before it is cut (default 30)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        help="a request unanswered after this many seconds is an error (default 10)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=160.0,
        help="time budget of the run from start to the last round (default 160)",
    )
    parser.add_argument(
        "--postgres", action="store_true", help="databases on PostgreSQL at 127.0.0.1:5432 instead of SQLite"
    )
    parser.add_argument(
        "--bearer",
        action="store_true",
        help="send the admin's access token with every request (measures the gateway's token check)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main()
    if min(args.concurrency, args.requests, args.rounds) < 1 or args.warmup < 0:
        parser.error("--concurrency, --requests and --rounds must be at least 1, --warmup at least 0")
    # `python bench/gateway.py` puts bench/ first on sys.path, where this file would shadow the
    # `gateway` package: look up the project's packages from the repository root instead.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, str(ROOT))

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
