"""Each service's domain layer owns its unit of work: what `shared/` offers takes the caller's session
and never commits, so the caller's rows, events and outbox go out in one commit (or none)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import func, select

from shared import idempotency
from shared.db import make_engine, make_sessionmaker
from shared.idempotency import IdempotencyKey
from shared.personal_data import PersonalDataCipher
from tests.conftest import create_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "shared"
ROUTE_METHODS = {"get", "post", "put", "patch", "delete"}
CIPHER = PersonalDataCipher(os.urandom(32), os.urandom(32))


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _commits(node: ast.AST) -> bool:
    return any(
        isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "commit"
        for call in ast.walk(node)
    )


def test_no_function_in_shared_that_takes_a_session_commits() -> None:
    offenders = [
        f"{path.name}:{node.name}"
        for path in sorted(SHARED.glob("*.py"))
        for node in _functions(path)
        if "session" in {a.arg for a in [*node.args.args, *node.args.kwonlyargs]} and _commits(node)
    ]
    assert offenders == []


def test_no_route_commits() -> None:
    """A route parses, calls one domain function (which commits) and shapes the answer."""
    offenders = []
    for path in sorted([*ROOT.glob("services/**/*.py"), *ROOT.glob("gateway/**/*.py")]):
        if "migrations" in path.parts:
            continue
        for node in _functions(path):
            routed = any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS
                for d in node.decorator_list
            )
            if routed and _commits(node):
                offenders.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert offenders == []


class Answer(BaseModel):
    number: int


class Thing(BaseModel):
    name: str


async def test_run_once_leaves_the_commit_to_the_caller_and_a_racing_retry_gets_the_first_answer(
    backend: str, tmp_path: Path
) -> None:
    engine = make_engine(await create_database(backend, tmp_path, "idem", schema="feedback"))
    sessions = make_sessionmaker(engine)
    once = {"service": "feedback", "owner": "7", "key": "k-1", "data": Thing(name="a"), "cipher": CIPHER}

    async def stored() -> int:
        async with sessions() as other:
            return (await other.exec(select(func.count()).select_from(IdempotencyKey))).one()

    try:
        async with sessions() as first, sessions() as retry:

            async def create_first() -> Answer:
                return Answer(number=1)

            async def create_retry() -> Answer:
                # The first request finishes while the retry is under way: its own commit.
                answer = await idempotency.run_once(first, answer_type=Answer, create=create_first, **once)
                assert answer == Answer(number=1)
                assert await stored() == 0  # run_once did not commit
                await first.commit()
                assert await stored() == 1
                return Answer(number=2)

            got = await idempotency.run_once(retry, answer_type=Answer, create=create_retry, **once)
            await retry.commit()
            assert got == Answer(number=1)  # the retry's own answer was never written
            assert await stored() == 1
    finally:
        await engine.dispose()
