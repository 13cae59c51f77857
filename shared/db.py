"""Async engine, sessions and Alembic migrations that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Protocol

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import DateTime, Table, TypeDecorator, event, exc, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.errors import DatabaseUnreachable, database_lost

POOL_SIZE = 20  # PostgreSQL connections per server process, at most


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """SQLite gets WAL, a busy timeout and foreign keys; PostgreSQL a fixed pool of 20."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # A fixed pool: connections beyond `pool_size` would be opened and closed again on every burst
    # (a new server process and a TLS negotiation each time); waiting a moment for a free one is
    # cheaper than that, and 20 keep a 2-core database server busy.
    engine = create_async_engine(
        url, echo=echo, pool_size=20, max_overflow=0, pool_timeout=30, pool_recycle=1800
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _drop_closed(
        dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        # Instead of `pool_pre_ping` (BEGIN; a query; ROLLBACK: three round trips on every checkout,
        # the most expensive part of a small write): a connection the server has closed (a restart,
        # a failover) is noticed by asyncpg without a round trip, and the pool then opens a new one.
        raw = getattr(dbapi_conn, "_connection", None)
        if raw is not None and raw.is_closed():
            raise exc.DisconnectionError("connection closed by the server")

    @event.listens_for(engine.sync_engine, "handle_error")
    def _mark_lost(context: ExceptionContext) -> None:
        # SQLAlchemy calls a connection dead only once asyncpg says it is closed; a server shutting
        # down says so a moment earlier. Marked dead, the connection is discarded and so is every
        # pooled one opened before it (SQLAlchemy's pool invalidation), and the error is answered
        # as a 503 (shared/errors.py), not a 500.
        if not context.is_disconnect and _connection_gone(context.original_exception):
            context.is_disconnect = True

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(
        dialect: Dialect, _record: ConnectionPoolEntry, cargs: tuple[object, ...], cparams: dict[str, object]
    ) -> DBAPIConnection:
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as error:  # refused or unreachable: asyncpg raises these unwrapped
            raise DatabaseUnreachable(*error.args) from error

    return engine


def _connection_gone(error: BaseException) -> bool:
    """The server refused or dropped the connection, or its last message left asyncpg's protocol
    waiting for an answer that never comes: a FATAL "terminating connection" that reaches an idle
    pooled connection puts it in state 2 (ERROR_CONSUME) before the socket is seen closed, and its
    next statement fails with "another operation (2) is in progress"."""
    if database_lost(error):
        return True
    cause = error.__cause__ or error
    wedged = "another operation (2) is in progress"
    return type(cause).__name__ == "InternalClientError" and wedged in str(cause)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the service layer owns commits."""
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def backend_name(session: AsyncSession) -> str:
    """The database the session talks to: "postgresql" or "sqlite"."""
    return session.get_bind().dialect.name


class _Keyed(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Keyed) -> int:
    """The key of a row loaded or flushed (SQLModel types `id` as `int | None` for unsaved rows)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id before it is flushed")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for statements compiled once and run with bound values."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, undeclared
    return table


def database_key(session: AsyncSession) -> str:
    """The database's URL, naming it in caches shared by every session of a process."""
    return str(session.get_bind().engine.url)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def alembic_config(migrations_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(migrations_dir: Path, url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision` (synchronous: run before serving or in a thread)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(migrations_dir, url), revision)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
