"""The body of every service's Alembic `env.py`: online async migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import ModuleType
from typing import Any

from alembic import context
from sqlalchemy import Table, Text, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

MIGRATION_LOCK_ID = 7_316_020_190  # any constant; serialises concurrent migrators on PostgreSQL


def tables_of(*modules: ModuleType) -> frozenset[str]:
    """The tables declared in `modules`. SQLModel keeps one metadata for every table imported into
    the interpreter (all four processes' in the tests), so a process names its own share."""
    return frozenset(
        value.__table__.name
        for module in modules
        for value in vars(module).values()
        if isinstance(getattr(value, "__table__", None), Table) and value.__module__ == module.__name__
    )


def _include_object(tables: frozenset[str], dialect: str) -> Callable[..., bool]:
    """Compares the process's own tables, and an index the model builds on one dialect only
    (`Index.ddl_if`) only on that dialect."""

    def include(item: Any, name: str | None, kind: str, reflected: bool, _compare_to: Any) -> bool:
        if kind == "table" and not reflected and name not in tables:
            return False
        only_on = getattr(item, "_ddl_if", None)
        if only_on is None or only_on.dialect is None:
            return True
        return dialect in ({only_on.dialect} if isinstance(only_on.dialect, str) else set(only_on.dialect))

    return include


def _compare_type(
    _context: object, _inspected: object, _column: object, found: object, declared: object
) -> bool | None:
    """TEXT in the database where the model has an unbounded `str` is no difference: SQLModel
    declares such a field as VARCHAR without a length, which is TEXT on SQLite and the same type
    as TEXT on PostgreSQL; the migrations write TEXT. Anything else: Alembic's own comparison."""
    if isinstance(found, Text) and isinstance(declared, AutoString) and declared.length is None:
        return False
    return None


def _do_run(connection: Connection, tables: frozenset[str]) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_object=_include_object(tables, connection.dialect.name),
        compare_type=_compare_type,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table="alembic_version",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two replicas starting together must not both migrate: the second waits, then finds nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


async def _run_async(tables: frozenset[str]) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, tables)
    await engine.dispose()


def run(*model_modules: ModuleType) -> None:
    """Runs the migrations; `model_modules` declare the process's tables (Alembic's target metadata,
    which autogenerate and tests/test_migrations.py compare with what the migrations built)."""
    tables = tables_of(*model_modules)
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=SQLModel.metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async(tables))
        return
    raise RuntimeError("migrations must run outside an event loop (use a thread)")
