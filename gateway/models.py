"""Gateway tables: users, their refresh tokens, revoked sessions, and the sites that embed the
search widget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    display_name: str = Field(max_length=100)
    account_type: str = Field(default="person", max_length=20)
    organisation_category: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    agency_id: int | None = Field(default=None, index=True)
    region_id: int | None = Field(default=None, index=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. Tokens of one login form a family; reuse revokes the family."""

    __tablename__ = "refresh_tokens"

    id: str = Field(primary_key=True, max_length=32)
    family_id: str = Field(max_length=32, index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    secret_hash: str = Field(max_length=64)
    issued_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class EmbeddingSite(SQLModel, table=True):
    """A third-party site that embeds the search widget: its browser origin gets CORS, and its
    calls (by origin or by API key) are counted against its own rate limit."""

    __tablename__ = "embedding_sites"

    id: int | None = Field(default=None, primary_key=True)
    origin: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    name: str = Field(max_length=100)
    api_key_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True, nullable=True))
    rate_limit: str = Field(max_length=40)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Revocation(SQLModel, table=True):
    """A login session (refresh-token family, until its last access token has expired) or a
    disabled account (until it is enabled again) whose access tokens the gateway refuses, so a
    logout or a disable takes effect in seconds and not at token expiry. Used when the gateway
    has no Redis; with Redis the same set lives there."""

    __tablename__ = "revocations"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # "family" (the token's `sid`) or "subject" (its `sub`)
    value: str = Field(max_length=64, index=True)
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
