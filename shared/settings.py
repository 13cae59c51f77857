"""One settings base for every process; each process subclasses it with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SERVICE_TOKEN = "dev-service-token-change-me"
VAR_DIR = Path("var")


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
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{VAR_DIR}/{self.service_name}.db"
        return self
