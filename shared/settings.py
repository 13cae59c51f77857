"""One settings base for every process; each process subclasses it with its own env prefix."""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SERVICE_TOKEN = "dev-service-token-change-me"
# Development keys for personal data (shared/personal_data.py): derived from fixed labels, so
# public; production refuses them.
DEV_PII_KEY = base64.b64encode(hashlib.sha256(b"gongkai development pii key").digest()).decode()
DEV_PII_BLIND_KEY = base64.b64encode(hashlib.sha256(b"gongkai development pii blind key").digest()).decode()
VAR_DIR = Path("var")


def decode_key(value: str) -> bytes:
    """A 32-byte key from its base64 (standard or URL-safe alphabet); ValueError otherwise."""
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(key) != 32:
        raise ValueError(f"{len(key)} bytes instead of 32")
    return key


class ServiceSettings(BaseSettings):
    """Settings every process has. Subclasses set `env_prefix` (e.g. `CATALOG_`)."""

    model_config = SettingsConfigDict(env_prefix="GONGKAI_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    log_level: str = "INFO"
    # Where the gateway publishes its public keys; services verify tokens themselves.
    jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    jwt_issuer: str = "gongkai-gateway"
    jwt_audience: str = "gongkai"
    # Shared secret that services present to each other (header X-Service-Token).
    service_token: str = DEV_SERVICE_TOKEN
    # Largest request body accepted, in bytes.
    max_body_bytes: int = 1_048_576
    # Largest upload (POST to …/attachments), in bytes.
    max_upload_bytes: int = 20 * 1_048_576
    outbox_poll_seconds: float = 0.5
    # Run Alembic migrations when the process starts (a deployment may run them as a job instead).
    migrate_on_start: bool = True
    # Server processes (uvicorn workers) sharing the port: one per core a replica is given. More than
    # one needs PostgreSQL (SQLite's embedded default is one process); migrations then run once first.
    workers: int = Field(default=1, ge=1, le=64)
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto this process believes: addresses or
    # CIDR ranges, comma-separated (uvicorn's `forwarded_allow_ips`). Empty (the default): none, so
    # a client cannot pick the address its rate limits are counted under. A deployment behind an
    # ingress sets the ingress's range on the gateway, and the gateway's on the services.
    forwarded_allow_ips: str = ""
    # Personal data: base64 of 32 random bytes each (`openssl rand -base64 32`). `pii_key` encrypts
    # (AES-256-GCM), `pii_blind_key` makes the lookup hashes; `pii_previous_keys` only decrypt.
    pii_key: str = DEV_PII_KEY
    pii_blind_key: str = DEV_PII_BLIND_KEY
    pii_previous_keys: list[str] = []

    @property
    def service_name(self) -> str:
        return "gongkai"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def embedded(self) -> bool:
        """True when running on the embedded SQLite default (demo data allowed)."""
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.is_production and self.service_token == DEV_SERVICE_TOKEN:
            raise ValueError("production requires a service_token other than the development default")
        dev_keys = {decode_key(DEV_PII_KEY), decode_key(DEV_PII_BLIND_KEY)}
        pii_keys = [("pii_key", self.pii_key), ("pii_blind_key", self.pii_blind_key)]
        for name, value in pii_keys + [("pii_previous_keys", key) for key in self.pii_previous_keys]:
            try:
                key = decode_key(value)
            except ValueError as exc:
                raise ValueError(
                    f"{name} must be the base64 of 32 bytes (openssl rand -base64 32): {exc}"
                ) from None
            if self.is_production and key in dev_keys:
                raise ValueError(f"production requires a {name} other than the development key")
        if decode_key(self.pii_key) == decode_key(self.pii_blind_key):
            raise ValueError("pii_key and pii_blind_key must differ")
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{VAR_DIR}/{self.service_name}.db"
        if self.workers > 1 and self.embedded:
            raise ValueError("workers > 1 needs a PostgreSQL database_url (SQLite serves one process)")
        return self
