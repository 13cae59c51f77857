"""Accounts and tokens: registration, login, refresh rotation with reuse detection, staff admin."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import NotRequired, TypedDict, Unpack

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.keys import KeyRing
from gateway.models import RefreshToken, User
from gateway.revocation import Change, Revocations
from gateway.schemas import PasswordReset, Registration, StaffCreate, TokenPair, UserPublic
from shared.auth import Principal, Role
from shared.db import utcnow
from shared.errors import Conflict, InvalidField, NotFound, Unauthorized
from shared.events import record_event
from shared.pagination import PageParams

hasher = PasswordHasher()
_DUMMY_HASH = hasher.hash("timing-equaliser")


@dataclass(frozen=True)
class TokenPolicy:
    keyring: KeyRing
    issuer: str
    audience: str
    access_ttl: timedelta
    refresh_ttl: timedelta


def _user_snapshot(user: User) -> dict[str, object]:
    return UserPublic.model_validate(user).model_dump(mode="json")


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _ensure_username_free(session: AsyncSession, username: str) -> None:
    taken = (await session.exec(select(User.id).where(func.lower(User.username) == username.lower()))).first()
    if taken is not None:
        raise Conflict(f"登录名 {username} 已被使用", code="username_taken")


class _UserFields(TypedDict):
    """What registration and staff creation set on a new `User` besides its password."""

    username: str
    role: str
    display_name: str
    account_type: NotRequired[str]
    organisation_category: NotRequired[str | None]
    email: str | None
    phone: str | None
    agency_id: NotRequired[int | None]
    region_id: NotRequired[int | None]


async def _add_user(
    session: AsyncSession,
    *,
    action: str,
    actor: Principal | None,
    password: str,
    **fields: Unpack[_UserFields],
) -> User:
    """One way a user is created: unique name, hashed password, event in the same transaction."""
    await _ensure_username_free(session, fields["username"])
    user = User(password_hash=hasher.hash(password), **fields)
    session.add(user)
    await session.flush()
    who = actor or Principal(subject=str(user.id), role=Role(user.role), username=user.username)
    record_event(
        session,
        aggregate_type="user",
        aggregate_id=user.id,
        action=action,
        actor=who,
        after=_user_snapshot(user),
    )
    await session.commit()
    return user


async def register(*, session: AsyncSession, data: Registration) -> User:
    """Citizens and organisations sign themselves up, always as `public`."""
    return await _add_user(
        session,
        action="registered",
        actor=None,
        password=data.password,
        username=data.username,
        role=Role.PUBLIC,
        display_name=data.display_name,
        account_type=data.account_type,
        organisation_category=data.organisation_category,
        email=data.email,
        phone=data.phone,
    )


def check_staff_scope(data: StaffCreate) -> None:
    """Clerks belong to one agency, inspectors watch one region, admins have neither."""
    if data.role not in (Role.CLERK, Role.INSPECTOR, Role.ADMIN):
        raise InvalidField("role", "此接口只创建工作人员：clerk、inspector 或 admin")
    needs = {Role.CLERK: "agency_id", Role.INSPECTOR: "region_id"}.get(data.role)
    for field in ("agency_id", "region_id"):
        present = getattr(data, field) is not None
        if field == needs and not present:
            raise InvalidField(field, f"角色 {data.role} 须指定 {field}", code="scope_required")
        if field != needs and present:
            raise InvalidField(field, f"角色 {data.role} 不设 {field}", code="scope_not_allowed")


async def create_staff(*, session: AsyncSession, data: StaffCreate, actor: Principal) -> User:
    check_staff_scope(data)
    return await _add_user(
        session,
        action="staff_created",
        actor=actor,
        password=data.password,
        username=data.username,
        role=data.role,
        display_name=data.display_name,
        agency_id=data.agency_id,
        region_id=data.region_id,
        email=data.email,
        phone=data.phone,
    )


async def authenticate(*, session: AsyncSession, username: str, password: str) -> User:
    user = (await session.exec(select(User).where(func.lower(User.username) == username.lower()))).first()
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("用户名或密码错误", code="invalid_credentials") from None
    if user is None:
        raise Unauthorized("用户名或密码错误", code="invalid_credentials")
    if not user.is_active:
        raise Unauthorized("账户已停用，请联系管理员", code="account_disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.add(user)
    return user


def access_token(user: User, policy: TokenPolicy, session_id: str) -> str:
    """`sid` names the login session (refresh-token family): revoking it refuses this token too."""
    now = utcnow()
    claims = {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": str(user.id),
        "name": user.username,
        "role": user.role,
        "agency_id": user.agency_id,
        "region_id": user.region_id,
        "typ": "access",
        "sid": session_id,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + policy.access_ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return policy.keyring.sign(claims)


def _new_refresh(user: User, family_id: str, policy: TokenPolicy) -> tuple[RefreshToken, str]:
    token_id, secret = uuid.uuid4().hex, secrets.token_urlsafe(32)
    row = RefreshToken(
        id=token_id,
        family_id=family_id,
        user_id=user.id or 0,
        secret_hash=_hash_secret(secret),
        expires_at=utcnow() + policy.refresh_ttl,
    )
    return row, f"{token_id}.{secret}"


def _pair(user: User, refresh: str, family_id: str, policy: TokenPolicy) -> TokenPair:
    return TokenPair(
        access_token=access_token(user, policy, family_id),
        expires_in=int(policy.access_ttl.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int(policy.refresh_ttl.total_seconds()),
    )


async def login(*, session: AsyncSession, username: str, password: str, policy: TokenPolicy) -> TokenPair:
    user = await authenticate(session=session, username=username, password=password)
    family_id = uuid.uuid4().hex
    row, refresh = _new_refresh(user, family_id, policy)
    session.add(row)
    record_event(
        session,
        aggregate_type="user",
        aggregate_id=user.id,
        action="logged_in",
        actor=Principal(subject=str(user.id), role=Role(user.role), username=user.username),
    )
    await session.commit()
    return _pair(user, refresh, family_id, policy)


async def _find_refresh(session: AsyncSession, presented: str) -> RefreshToken:
    token_id, _, secret = presented.partition(".")
    row = await session.get(RefreshToken, token_id) if token_id and secret else None
    if row is None or not hmac.compare_digest(row.secret_hash, _hash_secret(secret)):
        raise Unauthorized("刷新令牌无效", code="invalid_refresh_token")
    return row


async def _revoke_family(session: AsyncSession, family_id: str, revocations: Revocations) -> Change:
    """Ends a login: its refresh tokens now, its access tokens at the gateway (staged with this
    transaction; announce the change after the commit)."""
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    change = Change(families=(family_id,))
    await revocations.stage(session, change)
    return change


async def _revoke_all_sessions(
    session: AsyncSession, user_id: int, revocations: Revocations, *, disable: bool
) -> Change:
    """Every login of a user: its refresh tokens, and each family that may still hold a live access
    token (one issued with a refresh token less than one access-token lifetime ago). Idempotent, so
    a retried disable publishes the same families again."""
    since = utcnow() - revocations.family_lifetime
    families = await session.exec(
        select(RefreshToken.family_id)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.issued_at) > since)
        .distinct()
    )
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    change = Change(
        families=tuple(sorted(families.all())), revoke_subjects=(str(user_id),) if disable else ()
    )
    await revocations.stage(session, change)
    return change


async def refresh(
    *, session: AsyncSession, presented: str, policy: TokenPolicy, revocations: Revocations
) -> TokenPair:
    """Rotates a refresh token. Presenting an already-used one revokes its whole family, its
    access tokens included."""
    row = await _find_refresh(session, presented)
    if row.revoked_at is not None:
        raise Unauthorized("刷新令牌已被撤销，请重新登录", code="refresh_token_revoked")
    if row.expires_at <= utcnow():
        raise Unauthorized("刷新令牌已过期，请重新登录", code="refresh_token_expired")
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        change = await _revoke_family(session, row.family_id, revocations)
        await session.commit()
        await revocations.announce(change)
        raise Unauthorized("账户已停用，请联系管理员", code="account_disabled")
    # Claim the token atomically: only one concurrent refresh can win.
    claimed = await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        change = await _revoke_family(session, row.family_id, revocations)
        record_event(
            session,
            aggregate_type="user",
            aggregate_id=user.id,
            action="refresh_token_reused",
            actor=None,
            reason=f"family {row.family_id} revoked",
        )
        await session.commit()
        await revocations.announce(change)
        raise Unauthorized(
            "刷新令牌已被使用过，出于安全考虑已注销该登录，请重新登录", code="refresh_token_reused"
        )
    new_row, new_refresh = _new_refresh(user, row.family_id, policy)
    session.add(new_row)
    await session.commit()
    return _pair(user, new_refresh, row.family_id, policy)


async def logout(*, session: AsyncSession, presented: str, revocations: Revocations) -> None:
    """Ends this login only (its family); the user's other sessions go on."""
    row = await _find_refresh(session, presented)
    change = await _revoke_family(session, row.family_id, revocations)
    await session.commit()
    await revocations.announce(change)


async def get_user(*, session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在", code="user_not_found")
    return user


async def list_users(
    *, session: AsyncSession, page: PageParams, role: Role | None, agency_id: int | None, q: str | None
) -> tuple[list[User], int]:
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    if q:
        # autoescape: a % or _ typed by the admin is that character, not a wildcard
        query = query.where(
            col(User.username).contains(q, autoescape=True)
            | col(User.display_name).contains(q, autoescape=True)
        )
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(col(User.id)).offset(page.offset).limit(page.page_size))
    return list(rows.all()), total


MAX_COLLEAGUES = 500


async def colleagues(session: AsyncSession, agency_id: int) -> list[User]:
    """The agency's clerks whose accounts are enabled (whom work may be assigned or handed over to)."""
    query = (
        select(User)
        .where(User.role == Role.CLERK, User.agency_id == agency_id, col(User.is_active).is_(True))
        .order_by(col(User.id))
        .limit(MAX_COLLEAGUES)
    )
    return list((await session.exec(query)).all())


async def set_active(
    *, session: AsyncSession, user_id: int, active: bool, actor: Principal, revocations: Revocations
) -> User:
    """Disabling ends every session at once: refresh tokens revoked, access tokens refused by the
    gateway within seconds. Enabling lifts the account, not those sessions: only a new login works."""
    user = await get_user(session=session, user_id=user_id)
    before = _user_snapshot(user)
    user.is_active = active
    user.updated_at = utcnow()
    session.add(user)
    if active:
        change = Change(restore_subjects=(str(user.id),))
        await revocations.stage(session, change)
    else:
        change = await _revoke_all_sessions(session, user.id or 0, revocations, disable=True)
    record_event(
        session,
        aggregate_type="user",
        aggregate_id=user.id,
        action="enabled" if active else "disabled",
        actor=actor,
        before=before,
        after=_user_snapshot(user),
    )
    await session.commit()
    await revocations.announce(change)
    return user


async def reset_password(
    *, session: AsyncSession, user_id: int, data: PasswordReset, actor: Principal, revocations: Revocations
) -> User:
    """Whoever knew the old password is logged out everywhere, access tokens included."""
    user = await get_user(session=session, user_id=user_id)
    user.password_hash = hasher.hash(data.new_password)
    user.updated_at = utcnow()
    session.add(user)
    change = await _revoke_all_sessions(session, user.id or 0, revocations, disable=False)
    record_event(session, aggregate_type="user", aggregate_id=user.id, action="password_reset", actor=actor)
    await session.commit()
    await revocations.announce(change)
    return user


async def bootstrap_admin(*, session: AsyncSession, password: str) -> bool:
    """Creates `admin` when there are no users at all (embedded default only)."""
    if (await session.exec(select(func.count()).select_from(User))).one() > 0:
        return False
    user = User(
        username="admin", password_hash=hasher.hash(password), role=Role.ADMIN, display_name="系统管理员"
    )
    session.add(user)
    await session.flush()
    record_event(session, aggregate_type="user", aggregate_id=user.id, action="bootstrap_admin", actor=None)
    await session.commit()
    return True
