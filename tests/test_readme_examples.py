"""The README's curl examples, pasted as a user would: every `sh` block after the two commands runs
in order in one bash (later blocks use the variables earlier ones set) against a running system,
and every request must succeed. The feedback block runs twice: a user who pastes it again is not
refused as a duplicate."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from shared.devrun import Cluster
from tests.conftest import BACKENDS

pytestmark = pytest.mark.e2e
README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
DEFAULT_BASE = "http://127.0.0.1:8000"
# Every curl reports its status on stderr, and fails the script (set -e) on a 4xx or 5xx.
PREAMBLE = """set -euo pipefail
curl() { command curl --fail-with-body -w '%{stderr}STATUS %{http_code} %{method} %{url_effective}\\n' "$@"; }
"""
STATUS = re.compile(r"^STATUS (\d{3}) (\S+) (\S+)$", re.MULTILINE)


def examples() -> list[str]:
    blocks = re.findall(r"^```sh\n(.*?)^```", README, re.DOTALL | re.MULTILINE)
    return [block for block in blocks if "curl" in block]


def run(script: str, base: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], list[tuple[str, ...]]]:
    done = subprocess.run(
        ["bash", "-c", PREAMBLE + script.replace(DEFAULT_BASE, base)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    return done, STATUS.findall(done.stderr)


@pytest.mark.parametrize("cluster", [BACKENDS[-1]], indirect=True)
def test_every_readme_example_runs_as_pasted(cluster: Cluster, tmp_path: Path) -> None:
    blocks = examples()
    assert len(blocks) >= 6
    assert not any(
        "<" in line and ">" in line for b in blocks for line in b.splitlines() if "curl" in line
    ), "an example still has a placeholder to fill in"
    feedback = next(b for b in blocks if "/feedback/messages" in b)
    # The test cluster's gateway gives up on a service after 3 s (for its own hang test); the first
    # search of a fresh catalog loads its dictionaries, which can take longer on a busy machine.
    httpx.get(f"{cluster.url('catalog')}/api/v1/catalog/search", params={"q": "预热"}, timeout=60)
    # Pasted again a moment later (the report's text carries the time to the second).
    done, statuses = run("\n".join([*blocks, "sleep 1", feedback]), cluster.url(), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    calls = sum(block.count("curl ") for block in [*blocks, feedback])
    assert len(statuses) == calls, (len(statuses), calls)
    failed = [s for s in statuses if not s[0].startswith("2")]
    assert failed == [], failed
    # What the examples say they do, they did.
    assert (tmp_path / "answer.pdf").read_bytes().startswith(b"%PDF")
    assert any(method == "POST" and url.endswith("/rating") for _, method, url in statuses)
