from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FEEDBACK_", extra="ignore")

    port: int = 8003

    @property
    def service_name(self) -> str:
        return "feedback"


@lru_cache
def get_settings() -> FeedbackSettings:
    return FeedbackSettings()
