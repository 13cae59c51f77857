"""`make run`'s launcher: starts all four, seeds demo data once, prints the accounts, Ctrl-C stops all."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.devrun import ORDER, PREFIX, free_port
from tests.conftest import PG_OK, create_database

pytestmark = pytest.mark.e2e


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_search_examples() -> list[tuple[str, dict[str, str]]]:
    """The README's public search examples (GET lines with no token, the query encoded by curl)."""
    pattern = r"^curl -s -G (http://127\.0\.0\.1:8000/api/v1/catalog/search\S*) --data-urlencode '([a-z_]+)=([^']*)'$"
    found = re.findall(pattern, README.read_text("utf-8"), flags=re.MULTILINE)
    assert len(found) >= 4
    return [(url, {name: value}) for url, name, value in found]


def launch(cwd: Path, ports: dict[str, int], extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, **{f"{PREFIX[n]}PORT": str(p) for n, p in ports.items()}, **(extra or {})}
    env.pop("CI", None)
    return subprocess.Popen(
        [sys.executable, "-m", "shared.devrun"],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 90) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    proc.kill()
    raise AssertionError("launcher output so far:\n" + "".join(seen))


def interrupt(proc: subprocess.Popen[str]) -> str:
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    return out


def test_the_launcher_seeds_once_and_ctrl_c_stops_all_four(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ORDER}
    first = launch(tmp_path, ports)
    banner = read_until(first, "Ctrl-C")
    assert "演示数据：已写入" in banner
    for user in ("admin", "clerk1", "clerk2", "inspector", "citizen"):
        assert user in banner
    base = f"http://127.0.0.1:{ports['gateway']}"
    assert f"{base}/docs" in banner
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "clerk1", "password": "gongkai-demo"})
    assert token.status_code == 200
    assert httpx.get(f"{base}/api/v1/catalog/agencies").json()["total"] >= 6
    assert httpx.get(f"{base}/api/v1/catalog/documents").json()["total"] >= 300
    deadline = time.monotonic() + 30
    while httpx.get(f"{base}/api/v1/catalog/search", params={"q": "最低生活保障"}).json()["total"] == 0:
        assert time.monotonic() < deadline, "a newcomer's first search finds nothing"
        time.sleep(0.2)
    for url, params in readme_search_examples():  # what a newcomer pastes from the README
        answer = httpx.get(url.replace("http://127.0.0.1:8000", base), params=params)
        assert answer.status_code == 200, (url, answer.text)
        assert "hits" in answer.json() or "items" in answer.json()
    question = httpx.get(f"{base}/api/v1/catalog/search", params={"q": "低保申请需要什么材料"}).json()
    assert question["total"] > 0 and "什么" not in question["query_words"]
    assert "已停止全部进程" in interrupt(first)
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    second = launch(tmp_path, ports)
    assert "演示数据：已存在，未重复写入" in read_until(second, "Ctrl-C")
    assert httpx.get(f"{base}/api/v1/catalog/agencies").json()["total"] == 9
    assert httpx.get(f"{base}/api/v1/catalog/documents").json()["total"] == 320
    interrupt(second)


@pytest.mark.skipif(not PG_OK, reason="needs PostgreSQL (required under CI=true)")
async def test_no_demo_data_is_written_when_a_production_database_is_configured(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ORDER}
    url = await create_database("postgresql", tmp_path, "catalog")
    proc = launch(tmp_path, ports, {"CATALOG_DATABASE_URL": url})
    try:
        assert "演示数据：未写入" in read_until(proc, "Ctrl-C")
        async with httpx.AsyncClient() as client:
            listed = await client.get(f"http://127.0.0.1:{ports['gateway']}/api/v1/catalog/agencies")
        assert listed.json()["total"] == 0
    finally:
        interrupt(proc)
