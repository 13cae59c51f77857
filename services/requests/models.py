"""Requests tables and the legal enumerations they use."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """Decision outcomes; each maps to exactly one row of annual-report table 三 (DOMAIN.md)."""

    DISCLOSED = "disclosed"
    PARTIAL = "partially_disclosed"
    STATE_SECRET = "withheld.state_secret"
    PROHIBITED_BY_LAW = "withheld.prohibited_by_law"
    SECURITY_STABILITY = "withheld.three_securities_one_stability"
    THIRD_PARTY_RIGHTS = "withheld.third_party_rights"
    INTERNAL_AFFAIRS = "withheld.internal_affairs"
    PROCESS_INFORMATION = "withheld.process_information"
    ENFORCEMENT_CASE_FILE = "withheld.enforcement_case_file"
    ADMINISTRATIVE_INQUIRY = "withheld.administrative_inquiry"
    NOT_HELD = "unavailable.not_held"
    NEEDS_CREATION = "unavailable.needs_creation"
    STILL_UNCLEAR = "unavailable.still_unclear"
    PETITION_OR_COMPLAINT = "not_processed.petition_or_complaint"
    DUPLICATE = "not_processed.duplicate"
    PUBLICATION = "not_processed.publication"
    MASS_UNREASONABLE = "not_processed.mass_unreasonable"
    CONFIRM_OR_REISSUE = "not_processed.confirm_or_reissue"
    NO_CORRECTION = "other.no_correction"
    FEE_UNPAID = "other.fee_unpaid"
    OTHER = "other.other"


# (report row, label) — the wording of 政府信息公开工作年度报告格式 table 三.
OUTCOME_REPORT_ROWS: dict[Outcome, tuple[str, str]] = {
    Outcome.DISCLOSED: ("（一）", "予以公开"),
    Outcome.PARTIAL: ("（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Outcome.STATE_SECRET: ("（三）1", "属于国家秘密"),
    Outcome.PROHIBITED_BY_LAW: ("（三）2", "其他法律行政法规禁止公开"),
    Outcome.SECURITY_STABILITY: ("（三）3", "危及“三安全一稳定”"),
    Outcome.THIRD_PARTY_RIGHTS: ("（三）4", "保护第三方合法权益"),
    Outcome.INTERNAL_AFFAIRS: ("（三）5", "属于三类内部事务信息"),
    Outcome.PROCESS_INFORMATION: ("（三）6", "属于四类过程性信息"),
    Outcome.ENFORCEMENT_CASE_FILE: ("（三）7", "属于行政执法案卷"),
    Outcome.ADMINISTRATIVE_INQUIRY: ("（三）8", "属于行政查询事项"),
    Outcome.NOT_HELD: ("（四）1", "本机关不掌握相关政府信息"),
    Outcome.NEEDS_CREATION: ("（四）2", "没有现成信息需要另行制作"),
    Outcome.STILL_UNCLEAR: ("（四）3", "补正后申请内容仍不明确"),
    Outcome.PETITION_OR_COMPLAINT: ("（五）1", "信访举报投诉类申请"),
    Outcome.DUPLICATE: ("（五）2", "重复申请"),
    Outcome.PUBLICATION: ("（五）3", "要求提供公开出版物"),
    Outcome.MASS_UNREASONABLE: ("（五）4", "无正当理由大量反复申请"),
    Outcome.CONFIRM_OR_REISSUE: ("（五）5", "要求行政机关确认或重新出具已获取信息"),
    Outcome.NO_CORRECTION: ("（六）1", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    Outcome.FEE_UNPAID: ("（六）2", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    Outcome.OTHER: ("（六）3", "其他"),
}
