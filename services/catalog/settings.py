from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import VAR_DIR, ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    port: int = 8001
    # Search engine: `embedded` (on-disk index under var/) or `meilisearch` (production).
    search_engine: Literal["embedded", "meilisearch"] = "embedded"
    meili_url: str = ""
    meili_api_key: str = ""
    # Attachments: `local` (files under attachment_dir) or `s3` (an S3-compatible bucket).
    attachment_storage: Literal["local", "s3"] = "local"
    attachment_dir: Path = VAR_DIR / "attachments"
    s3_endpoint_url: str = ""
    s3_bucket: str = "gongkai-attachments"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "cn-north-1"
    search_index_dir: Path = VAR_DIR / "search" / "catalog"
    # Search analytics: query-log and click rows older than this are deleted.
    search_log_retention_days: int = Field(default=180, ge=1, le=3650)
    # The requests service keeps the holiday calendar the 20-working-day publication rule counts with.
    requests_url: str = "http://127.0.0.1:8002"
    # How often scheduled publications are checked.
    scheduler_seconds: float = 5.0
    outbox_poll_seconds: float = 0.25

    @property
    def service_name(self) -> str:
        return "catalog"


@lru_cache
def get_settings() -> CatalogSettings:
    return CatalogSettings()
