from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import VAR_DIR, ServiceSettings

DEV_ADMIN_PASSWORD = "gongkai-demo"


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    port: int = 8000
    # Signing keys. Production: `signing_key` (PEM, RSA private key) and optionally
    # `previous_public_keys` (PEM public keys still published in JWKS during a rotation).
    # Embedded default: keys generated on first start and kept under `key_dir`.
    signing_key: str = ""
    previous_public_keys: list[str] = Field(default_factory=list)
    key_dir: Path = VAR_DIR / "keys"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    catalog_url: str = "http://127.0.0.1:8001"
    requests_url: str = "http://127.0.0.1:8002"
    feedback_url: str = "http://127.0.0.1:8003"
    upstream_timeout_seconds: float = 10.0
    upstream_connect_timeout_seconds: float = 2.0
    cors_origins: list[str] = Field(default_factory=list)
    # Registered embedding sites (search widget) are cached this long per gateway process.
    site_cache_seconds: float = 10.0
    redis_url: str = Field(default="", validation_alias=AliasChoices("GATEWAY_REDIS_URL", "REDIS_URL"))
    # Revoked sessions and disabled accounts (gateway/revocation.py): each process looks at the set
    # again at most this often, so a revocation is refused everywhere within it.
    revocation_cache_seconds: float = Field(default=2.0, gt=0, le=5)
    # Key prefix of the set in Redis (tests give each gateway group its own).
    revocation_redis_prefix: str = "gongkai:revoked"
    rate_limit_login: str = "10/minute"
    rate_limit_register: str = "5/minute"
    rate_limit_anonymous_post: str = "30/minute"
    # Anonymous POSTs carrying `X-Device-Token` (a mobile app's install id), per device, counted
    # besides the per-address limit (many phones share a carrier's address; one phone may hop).
    rate_limit_device: str = "10/minute"
    # Lookups by tracking number and query code (anonymous GETs): slows down guessing.
    rate_limit_tracking: str = "30/minute"
    # First admin (`admin`), created at start when the user table is empty. In production only
    # when this is set to something other than the development default.
    bootstrap_admin_password: str = DEV_ADMIN_PASSWORD

    @property
    def service_name(self) -> str:
        return "gateway"

    @property
    def may_bootstrap_admin(self) -> bool:
        return not self.is_production or self.bootstrap_admin_password != DEV_ADMIN_PASSWORD

    @property
    def upstreams(self) -> dict[str, str]:
        return {"catalog": self.catalog_url, "requests": self.requests_url, "feedback": self.feedback_url}

    @model_validator(mode="after")
    def _production_needs_a_key(self) -> GatewaySettings:
        if self.is_production and not self.signing_key:
            raise ValueError("production requires GATEWAY_SIGNING_KEY (PEM private key)")
        if self.workers > 1 and not (self.redis_url and self.signing_key):
            # Each worker would count rate limits alone and make its own signing key.
            raise ValueError("workers > 1 needs GATEWAY_REDIS_URL and GATEWAY_SIGNING_KEY")
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
