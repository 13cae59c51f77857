"""Revoked login sessions and disabled accounts, refused by the gateway within seconds.

Access tokens live 15 minutes and every service verifies them alone, so without this a disabled
clerk could keep writing until the token expired. Every access token names its account (`sub`)
and its login session (`sid`, the refresh-token family). The gateway keeps the set of revoked
families (logout, refresh-token reuse, password reset, disable) and of disabled subjects:

* in Redis when `GATEWAY_REDIS_URL` is set, shared by every replica: a set of subjects, a sorted
  set of families scored by when their last access token expires, and a version number bumped by
  every change;
* otherwise in the gateway's database (table `revocations`), written in the change's transaction.

Each process holds the set in memory and looks again at most every `revocation_cache_seconds`
(5 at most): in Redis it reads the version and reloads the set only when it moved; in the
database it reads the live rows (a few: families leave after one access-token lifetime). A change
made by this process is applied to its own copy at once.

Re-enabling an account lifts the subject, not its sessions: disabling revoked every family that
could still hold a live access token, so tokens issued before the disable stay refused and only a
new login works again.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis import asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import delete, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.models import Revocation
from shared.auth import KeySource, Principal, TokenVerifier
from shared.db import utcnow
from shared.errors import ServiceUnavailable, Unauthorized

log = logging.getLogger("gongkai.revocation")

FAMILY, SUBJECT = "family", "subject"
# While the store cannot be read, the last copy is used this long before requests are refused.
STALE_LIMIT_SECONDS = 30.0
RETRY_SECONDS = 1.0


class TokenRevoked(Unauthorized):
    code = "token_revoked"

    def __init__(self) -> None:
        super().__init__("登录已失效（账户已停用、已退出登录或密码已重置），请重新登录", code=self.code)


@dataclass(frozen=True)
class Change:
    """What one account action revokes (or, for `restore_subjects`, lifts)."""

    families: tuple[str, ...] = ()
    revoke_subjects: tuple[str, ...] = ()
    restore_subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    families: frozenset[str]
    subjects: frozenset[str]
    version: str | None  # None: the store has no version, read it all each time


class Store(Protocol):
    async def stage(self, session: AsyncSession, change: Change, until: datetime) -> None:
        """Inside the change's own transaction (before its commit)."""

    async def publish(self, change: Change, until: datetime) -> None:
        """After the commit."""

    async def version(self) -> str | None: ...

    async def load(self) -> Snapshot: ...

    async def aclose(self) -> None: ...


class DatabaseStore:
    """The set as rows of the gateway's database, written with the change that causes them."""

    def __init__(self, sessionmaker: Callable[[], async_sessionmaker[AsyncSession]]) -> None:
        self._sessionmaker = sessionmaker

    async def stage(self, session: AsyncSession, change: Change, until: datetime) -> None:
        await session.exec(delete(Revocation).where(col(Revocation.expires_at) < utcnow()))
        if change.restore_subjects:
            await session.exec(
                delete(Revocation).where(
                    col(Revocation.kind) == SUBJECT, col(Revocation.value).in_(change.restore_subjects)
                )
            )
        for family in change.families:
            session.add(Revocation(kind=FAMILY, value=family, expires_at=until))
        for subject in change.revoke_subjects:
            session.add(Revocation(kind=SUBJECT, value=subject))

    async def publish(self, change: Change, until: datetime) -> None:
        return None

    async def version(self) -> str | None:
        return None

    async def load(self) -> Snapshot:
        async with self._sessionmaker()() as session:
            rows = await session.exec(
                select(Revocation.kind, Revocation.value).where(
                    or_(col(Revocation.expires_at).is_(None), col(Revocation.expires_at) > utcnow())
                )
            )
            found = rows.all()
        return Snapshot(
            families=frozenset(v for k, v in found if k == FAMILY),
            subjects=frozenset(v for k, v in found if k == SUBJECT),
            version=None,
        )

    async def aclose(self) -> None:
        return None


class RedisStore:
    """The set in Redis, shared by every gateway replica, with a version number to poll cheaply."""

    def __init__(self, url: str, prefix: str) -> None:
        # Bounded waits: a hung Redis must fail fast so the last copy of the set is used.
        self.client: Any = aioredis.from_url(
            url, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        self.families_key = f"{prefix}:families"
        self.subjects_key = f"{prefix}:subjects"
        self.version_key = f"{prefix}:version"

    async def stage(self, session: AsyncSession, change: Change, until: datetime) -> None:
        return None

    async def publish(self, change: Change, until: datetime) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(self.families_key, "-inf", time.time())
            if change.families:
                pipe.zadd(self.families_key, {f: until.timestamp() for f in change.families})
            if change.revoke_subjects:
                pipe.sadd(self.subjects_key, *change.revoke_subjects)
            if change.restore_subjects:
                pipe.srem(self.subjects_key, *change.restore_subjects)
            pipe.incr(self.version_key)
            await pipe.execute()

    async def version(self) -> str | None:
        value = await self.client.get(self.version_key)
        return str(value or "0")

    async def load(self) -> Snapshot:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zrangebyscore(self.families_key, time.time(), "+inf")
            pipe.smembers(self.subjects_key)
            pipe.get(self.version_key)
            families, subjects, version = await pipe.execute()
        return Snapshot(frozenset(families), frozenset(subjects), str(version or "0"))

    async def aclose(self) -> None:
        await self.client.aclose()


class Revocations:
    """This process's copy of the revocation set, looked at again at most every `ttl` seconds."""

    def __init__(self, store: Store, *, ttl: float, family_lifetime: timedelta) -> None:
        self.store = store
        self.ttl = ttl
        self.family_lifetime = family_lifetime
        self._families: frozenset[str] = frozenset()
        self._subjects: frozenset[str] = frozenset()
        self._version: str | None = None
        self._checked_at = float("-inf")  # when the store was last looked at (or a retry is due)
        self._confirmed_at = float("-inf")  # when the store last answered
        self._too_old = False  # the store has not answered for STALE_LIMIT_SECONDS: refuse
        self._lock = asyncio.Lock()
        self.loads = 0  # how many times the whole set was read (tests check the version is used)

    async def listed(self, subject: str | None, session_id: str | None) -> bool:
        """Whether the account is disabled or the session revoked (a dict lookup, mostly)."""
        if time.monotonic() - self._checked_at >= self.ttl:
            await self._refresh()
        if self._too_old:
            raise ServiceUnavailable("暂时无法核对登录是否已失效，请稍后重试", headers={"Retry-After": "1"})
        return subject in self._subjects or (session_id is not None and session_id in self._families)

    async def check(self, subject: str | None, session_id: str | None) -> None:
        """401 `token_revoked` when the token's account is disabled or its session revoked."""
        if await self.listed(subject, session_id):
            raise TokenRevoked()

    async def _refresh(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if now - self._checked_at < self.ttl:
                return
            try:
                version = await self.store.version()
                if version is None or version != self._version:
                    snapshot = await self.store.load()
                    self._families, self._subjects = snapshot.families, snapshot.subjects
                    self._version = snapshot.version
                    self.loads += 1
            except (RedisError, SQLAlchemyError, OSError) as exc:
                # Asked again after RETRY_SECONDS, not by every request meanwhile.
                self._checked_at = now - self.ttl + RETRY_SECONDS
                self._too_old = now - self._confirmed_at > STALE_LIMIT_SECONDS
                log.warning(
                    "revocation set unreadable (last read %.0fs ago%s): %r",
                    now - self._confirmed_at,
                    ", refusing bearer requests" if self._too_old else ", using that copy",
                    exc,
                )
                return
            self._checked_at = self._confirmed_at = time.monotonic()
            self._too_old = False

    def until(self) -> datetime:
        """A revoked family matters until the last access token it can have issued has expired."""
        return utcnow() + self.family_lifetime

    async def stage(self, session: AsyncSession, change: Change) -> None:
        await self.store.stage(session, change, self.until())

    async def announce(self, change: Change) -> None:
        """After the commit: this process refuses at once, the others within `ttl`."""
        self._families |= set(change.families)
        self._subjects = (self._subjects | set(change.revoke_subjects)) - set(change.restore_subjects)
        try:
            await self.store.publish(change, self.until())
        except (RedisError, OSError) as exc:
            log.error("revocation not published to the other gateways: %r", exc)
            raise ServiceUnavailable(
                "操作已生效，但未能通知所有网关实例，请重试一次", headers={"Retry-After": "1"}
            ) from exc
        self._checked_at = float("-inf")  # read the store's version on the next request

    async def aclose(self) -> None:
        await self.store.aclose()


class RevocationCheckingVerifier(TokenVerifier):
    """The gateway's own routes: a verified token is also checked against the revocation set."""

    def __init__(self, key_source: KeySource, *, revocations: Revocations, **kwargs: Any) -> None:
        super().__init__(key_source, **kwargs)
        self.revocations = revocations

    async def verify(self, token: str) -> Principal:
        principal = await super().verify(token)
        await self.revocations.check(principal.subject, principal.session_id)
        return principal


def token_session(authorization: bytes) -> tuple[str | None, str | None]:
    """`sub` and `sid` of a bearer token, read without checking its signature.

    Safe because the proxy only uses them to refuse: the service behind verifies every token
    itself (shared/auth.py), so a forged or altered token gains nothing by passing here, and a
    genuine one cannot change its claims without breaking its signature. A hit is verified before
    it is answered (`refuse_revoked_bearer`), so a forged token learns nothing about which
    accounts are disabled. Verifying every token here as well would add the dearest step of an
    authenticated request to the proxy's hot path.
    """
    scheme, _, token = authorization.partition(b" ")
    parts = token.strip().split(b".")
    if scheme.lower() != b"bearer" or len(parts) != 3:
        return None, None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None, None
    if not isinstance(claims, dict):
        return None, None
    sub, sid = claims.get("sub"), claims.get("sid")
    return (None if sub is None else str(sub)), (str(sid) if sid else None)


async def refuse_revoked_bearer(
    authorization: bytes, revocations: Revocations, verifier: TokenVerifier
) -> None:
    """The proxy's check of a request carrying `Authorization: Bearer`: 401 `token_revoked` for a
    genuine token of a disabled account or revoked session; anything else goes on to the service."""
    subject, session_id = token_session(authorization)
    if subject is None or not await revocations.listed(subject, session_id):
        return
    # Rare: verify before answering. A revoked token raises TokenRevoked; a forged one is refused as
    # the service would refuse it.
    await verifier.verify(authorization.partition(b" ")[2].strip().decode("latin-1"))


def make_store(
    *, redis_url: str, prefix: str, sessionmaker: Callable[[], async_sessionmaker[AsyncSession]]
) -> Store:
    if redis_url:
        return RedisStore(redis_url, prefix)
    return DatabaseStore(sessionmaker)
