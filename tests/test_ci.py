"""What `.ci/run` runs: the lint before the tests, so a change that breaks ruff does not land."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_lint_then_the_tests_after_starting_postgresql() -> None:
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    commands = [line.strip() for line in script.splitlines() if re.match(r"\s*(make|pg_ctlcluster)\b", line)]
    assert commands[-2:] == ["make lint", "make test"]
    assert commands[0].startswith("pg_ctlcluster") and "set -euo pipefail" in script


def test_make_lint_checks_the_format_and_the_types() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check ." in recipe and "ruff format --check ." in recipe
    assert "mypy" in recipe  # configured in pyproject.toml: which modules, how strict


def test_ci_starts_redis_when_it_is_down() -> None:
    """The Redis variants (shared rate limits, the revocation set) fail under CI=true without it."""
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "redis-server" in script and script.index("redis-server") < script.index("make test")
