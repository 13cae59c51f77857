"""Feedback tables and enumerations."""

from enum import StrEnum


class FeedbackKind(StrEnum):
    SUGGESTION = "suggestion"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    REPORT = "report"


class Channel(StrEnum):
    MAILBOX = "mailbox"
    HOTLINE = "hotline"
    LETTER = "letter"
    VISIT = "visit"


KIND_LABELS = {
    FeedbackKind.SUGGESTION: "建议",
    FeedbackKind.CONSULTATION: "咨询",
    FeedbackKind.COMPLAINT: "投诉",
    FeedbackKind.REPORT: "举报",
}
# Only suggestions and reports may be sent without a name (DOMAIN.md, Feedback).
ANONYMOUS_ALLOWED = frozenset({FeedbackKind.SUGGESTION, FeedbackKind.REPORT})
CHANNEL_LABELS = {
    Channel.MAILBOX: "意见箱（网站、移动端）",
    Channel.HOTLINE: "举报电话",
    Channel.LETTER: "来信",
    Channel.VISIT: "来访",
}
