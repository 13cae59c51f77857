from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RequestsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REQUESTS_", extra="ignore")

    port: int = 8002
    # The catalog service, asked (with the service token) where an applied-to agency sits in the tree.
    catalog_url: str = "http://127.0.0.1:8001"
    # The gateway, asked (with the service token) whether an assignee is a working clerk of the agency.
    gateway_url: str = "http://127.0.0.1:8000"
    # The first year whose annual report (条例第四十九条) supervision follows: reports of earlier years
    # were published before this system kept them.
    annual_report_first_year: int = 2026

    @property
    def service_name(self) -> str:
        return "requests"

    @property
    def catalog_base_url(self) -> str:
        return self.catalog_url.rstrip("/")


@lru_cache
def get_settings() -> RequestsSettings:
    return RequestsSettings()
