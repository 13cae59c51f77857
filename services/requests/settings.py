from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RequestsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REQUESTS_", extra="ignore")

    port: int = 8002

    @property
    def service_name(self) -> str:
        return "requests"


@lru_cache
def get_settings() -> RequestsSettings:
    return RequestsSettings()
