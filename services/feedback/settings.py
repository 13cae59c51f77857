from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    port: int = 8003
    # The catalog service, asked (with the service token) where an agency sits in the tree.
    catalog_url: str = "http://127.0.0.1:8001"
    # The requests service keeps the holiday calendar every deadline counts with.
    requests_url: str = "http://127.0.0.1:8002"
    # The gateway, asked (with the service token) whether a colleague handed a case is a working clerk.
    gateway_url: str = "http://127.0.0.1:8000"

    @property
    def service_name(self) -> str:
        return "feedback"


@lru_cache
def get_settings() -> FeedbackSettings:
    return FeedbackSettings()
