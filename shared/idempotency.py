"""`Idempotency-Key` on POSTs that create things (docs/architecture.md, "API conventions"): a
retry with the same key and the same body gets the first answer; the same key with another body is
a 409.

Each service keeps the table in its own database (created by its migrations). The stored answer is
encrypted: it may hold a one-time query code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import sqlalchemy as sa
from fastapi import Header
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Column, Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import UTCDateTime, utcnow
from shared.errors import Conflict
from shared.personal_data import PersonalDataCipher

T = TypeVar("T", bound=BaseModel)
ANONYMOUS = "anonymous"  # the owner of keys sent without logging in
IdempotencyKeyHeader = Annotated[
    str | None, Header(min_length=1, max_length=200, description="幂等键：客户端重试同一请求时带同一个值")
]


class IdempotencyKey(SQLModel, table=True):
    """A POST answered once per (owner, key)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=64)
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: str  # encrypted JSON
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


def body_hash(data: BaseModel) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _context(service: str, owner: str, key: str) -> str:
    return f"{service}.idempotency:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"


async def replay(
    session: AsyncSession,
    *,
    service: str,
    owner: str,
    key: str,
    digest: str,
    cipher: PersonalDataCipher,
    answer_type: type[T],
) -> T | None:
    """The first answer to (owner, key), or None; 409 when the key came with another body."""
    row = (
        await session.exec(
            select(IdempotencyKey).where(IdempotencyKey.user_id == owner).where(IdempotencyKey.key == key)
        )
    ).first()
    if row is None:
        return None
    if not hmac.compare_digest(row.request_hash, digest):
        raise Conflict(
            "同一个 Idempotency-Key 已用于内容不同的请求；新的请求请使用新的键", code="idempotency_key_reused"
        )
    return answer_type.model_validate_json(
        cipher.decrypt(row.response, context=_context(service, owner, key))
    )


def remember(
    session: AsyncSession,
    *,
    service: str,
    owner: str,
    key: str,
    digest: str,
    answer: BaseModel,
    cipher: PersonalDataCipher,
    status_code: int = 201,
) -> None:
    """Adds the answer to the caller's transaction (a racing retry then fails on the unique key)."""
    session.add(
        IdempotencyKey(
            user_id=owner,
            key=key,
            request_hash=digest,
            status_code=status_code,
            response=cipher.encrypt(answer.model_dump_json(), context=_context(service, owner, key)),
        )
    )


async def run_once(
    session: AsyncSession,
    *,
    service: str,
    owner: str,
    key: str | None,
    data: BaseModel,
    cipher: PersonalDataCipher,
    answer_type: type[T],
    create: Callable[[], Awaitable[T]],
) -> T:
    """Runs `create` (which adds rows without committing) and adds the remembered answer to the same
    transaction, which the caller commits — or answers what the first request with this key got.

    A retry racing in with the same key fails here, on the unique key as the rows are flushed: its
    transaction is rolled back (nothing of it was to be written) and the first answer is read."""
    if key is None:
        return await create()
    digest = body_hash(data)

    async def first_answer() -> T | None:
        return await replay(
            session,
            service=service,
            owner=owner,
            key=key,
            digest=digest,
            cipher=cipher,
            answer_type=answer_type,
        )

    earlier = await first_answer()
    if earlier is not None:
        return earlier
    answer = await create()
    remember(session, service=service, owner=owner, key=key, digest=digest, answer=answer, cipher=cipher)
    try:
        await session.flush()
    except IntegrityError:  # the same key raced in from a retry: answer what the first one got
        await session.rollback()
        earlier = await first_answer()
        if earlier is None:
            raise
        return earlier
    return answer
