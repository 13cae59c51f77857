"""Starts the four processes as separate uvicorn processes and stops them together.

Used by `make run` (embedded defaults, demo data) and by the end-to-end tests (free ports,
throwaway databases). Each process gets its settings through its own env prefix, exactly
as a deployment would set them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ORDER = ("catalog", "requests", "feedback", "gateway")
PREFIX = {"gateway": "GATEWAY_", "catalog": "CATALOG_", "requests": "REQUESTS_", "feedback": "FEEDBACK_"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wiring_env(ports: dict[str, int], host: str = "127.0.0.1") -> dict[str, str]:
    """The settings that point the processes at each other."""
    env = {f"{PREFIX[name]}PORT": str(port) for name, port in ports.items()}
    env |= {f"{PREFIX[name]}HOST": host for name in ports}
    jwks = f"http://{host}:{ports['gateway']}/.well-known/jwks.json"
    env |= {f"{PREFIX[name]}JWKS_URL": jwks for name in ("catalog", "requests", "feedback")}
    env |= {
        f"GATEWAY_{name.upper()}_URL": f"http://{host}:{ports[name]}"
        for name in ("catalog", "requests", "feedback")
    }
    env["REQUESTS_CATALOG_URL"] = f"http://{host}:{ports['catalog']}"
    env["FEEDBACK_CATALOG_URL"] = f"http://{host}:{ports['catalog']}"
    env["FEEDBACK_REQUESTS_URL"] = env["CATALOG_REQUESTS_URL"] = f"http://{host}:{ports['requests']}"
    env["REQUESTS_GATEWAY_URL"] = env["FEEDBACK_GATEWAY_URL"] = f"http://{host}:{ports['gateway']}"
    return env


@dataclass
class Cluster:
    """A running set of processes; `stop()` ends them all."""

    ports: dict[str, int]
    env: dict[str, str]
    cwd: Path
    log_dir: Path | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str = "gateway") -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", name],
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )

    def wait_healthy(self, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")
            try:
                if (
                    httpx.get(
                        f"{self.url(name)}/readyz" if name != "gateway" else f"{self.url(name)}/healthz",
                        timeout=1.0,
                    ).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name} did not become ready in {timeout}s")

    def start_all(self) -> None:
        for name in ORDER:
            self.start(name)
        for name in ORDER:
            self.wait_healthy(name)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in reversed(ORDER):
            self.stop(name)


def _run_module(module: str, *args: str) -> dict[str, Any]:
    """Runs a process's own demo module and reads its one JSON line: `shared` imports no process."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=True, timeout=300
    )
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def seed_demo(base_url: str) -> bool:
    """Seeds every process's demo data that is missing, through the public API: accounts and
    agencies (gateway), then documents (catalog). True when anything was added."""
    gateway = _run_module("gateway.demo", "seed", base_url)
    documents = _run_module("services.catalog.demo", base_url, str(gateway["token"]))
    return bool(documents["added"]) or bool(gateway["added"])


DEMO_STATE = {True: "已写入", False: "已存在，未重复写入", None: "未写入（配置了生产数据库）"}


def main() -> None:
    """`make run`: the whole system on embedded defaults, demo data seeded once."""
    from shared.cli import settings_for

    demo = _run_module("gateway.demo", "users")

    cwd = Path.cwd()
    (cwd / "var" / "log").mkdir(parents=True, exist_ok=True)
    ports = {name: settings_for(name).port for name in ORDER}
    cluster = Cluster(ports=ports, env=wiring_env(ports), cwd=cwd, log_dir=cwd / "var" / "log")
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start_all()
        embedded = all(settings_for(name).embedded for name in ORDER)
        seeded = seed_demo(cluster.url()) if embedded else None
        base = cluster.url()
        print(
            "\n"
            f"Gongkai 已启动：网关 {base}\n"
            f"  Swagger 文档    {base}/docs\n"
            f"  合并的 OpenAPI  {base}/openapi.json\n"
            f"  目录服务 {cluster.url('catalog')}  依申请公开 {cluster.url('requests')}  "
            f"意见反馈 {cluster.url('feedback')}\n"
            f"  演示数据：{DEMO_STATE[seeded]}\n"
            f"  日志            var/log/<进程>.log（JSON，每行带 request_id）\n"
            f"  演示账户（密码均为 {demo['password']}）：\n"
            + "".join(f"    {user:<10} {role}\n" for user, role in demo["users"])
            + "按 Ctrl-C 停止全部进程。\n",
            flush=True,
        )
        while not stopping:
            for name, proc in list(cluster.procs.items()):
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping all", flush=True)
                    stopping = True
            time.sleep(0.3)
    finally:
        cluster.stop_all()
        print("已停止全部进程。", flush=True)


if __name__ == "__main__":
    main()
