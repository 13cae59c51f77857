from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    port: int = 8001

    @property
    def service_name(self) -> str:
        return "catalog"


@lru_cache
def get_settings() -> CatalogSettings:
    return CatalogSettings()
