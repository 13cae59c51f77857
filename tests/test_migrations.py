"""Every process's migrations go down to nothing and up again, one revision at a time or all at
once, on SQLite and PostgreSQL; and the database they build is the one the models declare."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from shared.cli import PROCESSES, migrations_dir
from shared.db import alembic_config
from tests.conftest import create_database

pytestmark = pytest.mark.parametrize("process", list(PROCESSES))

Schema = dict[str, Any]


def _schema(conn: Connection) -> Schema:
    """What a migration can leave behind, in a form that does not depend on how a table was
    (re)built: tables with their columns, keys and indexes, and the triggers, functions, sequences,
    views and types outside them."""
    inspector = sa.inspect(conn)
    tables = {
        name: {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ),
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(name)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(name)
            ),
        }
        for name in inspector.get_table_names()
    }
    if conn.dialect.name == "sqlite":
        rows = conn.execute(sa.text("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')"))
    else:
        rows = conn.execute(
            sa.text(
                "SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' "
                "UNION ALL SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal "
                "UNION ALL SELECT 'sequence', sequencename FROM pg_sequences WHERE schemaname = 'public' "
                "UNION ALL SELECT 'view', viewname FROM pg_views WHERE schemaname = 'public' "
                "UNION ALL SELECT 'type', t.typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r')"
            )
        )
    return {"tables": tables, "others": sorted((kind, name) for kind, name in rows)}


async def _read(url: str) -> Schema:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_schema)
    finally:
        await engine.dispose()


async def _alembic(step: str, url: str, process: str, revision: str) -> None:
    """`command.upgrade`/`downgrade` in a thread: the env runs its own event loop."""
    await asyncio.to_thread(getattr(command, step), alembic_config(migrations_dir(process), url), revision)


def _revisions(process: str) -> list[str]:
    """Base to head."""
    script = ScriptDirectory.from_config(alembic_config(migrations_dir(process), "sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


EMPTY: Schema = {
    "tables": {
        "alembic_version": {
            "columns": [("version_num", "VARCHAR(32)", False, "None")],
            "primary_key": ["version_num"],
            "foreign_keys": [],
            "unique": [],
            "indexes": [],
        }
    },
    "others": [],
}


async def test_down_to_base_leaves_nothing_and_up_again_builds_the_same(
    process: str, backend: str, tmp_path: Path
) -> None:
    url = await create_database(backend, tmp_path, f"mig_{process}", schema=process)
    at_head = await _read(url)
    assert {"events", "outbox", "alembic_version"} <= set(at_head["tables"])

    await _alembic("downgrade", url, process, "base")
    assert await _read(url) == EMPTY

    await _alembic("upgrade", url, process, "head")
    assert await _read(url) == at_head


async def test_each_revision_goes_down_to_exactly_what_was_there_before_it(
    process: str, backend: str, tmp_path: Path
) -> None:
    url = await create_database(backend, tmp_path, f"mig_step_{process}")
    revisions = _revisions(process)
    assert revisions[0] == "0001" and len(revisions) >= 2
    built: dict[str, Schema] = {}
    for revision in revisions:
        await _alembic("upgrade", url, process, "+1")
        built[revision] = await _read(url)
    for revision, below in reversed(list(zip(revisions, [None, *revisions[:-1]], strict=True))):
        await _alembic("downgrade", url, process, "-1")
        assert await _read(url) == (EMPTY if below is None else built[below]), f"down from {revision}"
    for revision in revisions:
        await _alembic("upgrade", url, process, "+1")
        assert await _read(url) == built[revision], f"up to {revision}"


def _differences(url: str, process: str) -> list[Any]:
    """`compare_metadata` in the process's own env: its target metadata, filters and type rules."""
    config = alembic_config(migrations_dir(process), url)
    script = ScriptDirectory.from_config(config)
    found: list[Any] = []

    def compare(_revision: Any, context: MigrationContext) -> list[Any]:
        found.extend(compare_metadata(context, context.opts["target_metadata"]))
        return []

    with EnvironmentContext(config, script, fn=compare):
        script.run_env()
    return found


async def test_the_models_declare_what_the_migrations_build(
    process: str, backend: str, tmp_path: Path
) -> None:
    url = await create_database(backend, tmp_path, f"mig_models_{process}", schema=process)
    assert await asyncio.to_thread(_differences, url, process) == []


def test_a_revision_imports_no_project_code(process: str) -> None:
    """A revision keeps the schema and data steps of its day: code of the project's it imported
    would change (or break) under it, as the events' trigger function once did."""
    found = []
    for path in sorted((migrations_dir(process) / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"gateway", "services", "shared"}
            ]
    assert found == []
