"""Feedback domain logic."""

from services.feedback.models import ANONYMOUS_ALLOWED, CHANNEL_LABELS, KIND_LABELS
from services.feedback.schemas import ChannelPublic, FeedbackVocabulary, KindPublic


def vocabulary() -> FeedbackVocabulary:
    """Kinds and channels with their labels, so forms are built from one list."""
    return FeedbackVocabulary(
        kinds=[
            KindPublic(code=k, label=v, anonymous_allowed=k in ANONYMOUS_ALLOWED)
            for k, v in KIND_LABELS.items()
        ],
        channels=[ChannelPublic(code=c, label=v) for c, v in CHANNEL_LABELS.items()],
    )
