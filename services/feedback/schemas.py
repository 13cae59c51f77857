"""Feedback API shapes."""

from pydantic import BaseModel, Field

from services.feedback.models import Channel, FeedbackKind


class KindPublic(BaseModel):
    code: FeedbackKind
    label: str
    anonymous_allowed: bool = Field(description="是否允许匿名提交")


class ChannelPublic(BaseModel):
    code: Channel
    label: str


class FeedbackVocabulary(BaseModel):
    kinds: list[KindPublic]
    channels: list[ChannelPublic]
