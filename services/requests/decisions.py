"""Answers that close an application: a decision (条例第三十六条), a referral to where the
information is or who holds it, and the end of an application whose correction never came
(第三十条). Each is checked here, then written with its numbered notice and event in one
transaction (`lifecycle.perform`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.requests import fees, lifecycle, notices, service
from services.requests.models import Application, ApplicationState, Outcome
from services.requests.schemas import DOCUMENT_REFERRALS, DecisionIn, ReferralIn, ReferralKind
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.db import row_id
from shared.deadlines import Deadline
from shared.errors import Conflict, InvalidField
from shared.http import ServiceClient
from shared.personal_data import PersonalDataCipher

Writer = Callable[[AsyncSession, Application], Awaitable[None]]


@dataclass(frozen=True)
class Context:
    """What an answer needs beyond the record: the day, the calendar, the key to the applicant's
    name, and where agency names come from (the catalog; None: generic names)."""

    today: date
    calendar: WorkingCalendar
    cipher: PersonalDataCipher
    agency_info: notices.AgencyInfo | None

    def clock(self) -> dict[str, Any]:
        return {"calendar": self.calendar, "today": self.today}


def check_decision(data: DecisionIn) -> list[dict[str, str]]:
    """The shape a decision must have before anything is read (第三十七条 for partial disclosure);
    returns the withheld parts."""
    if data.outcome == Outcome.NO_CORRECTION:
        raise InvalidField("outcome", "申请人逾期不补正的，请用“视为放弃”（…/abandonment）")
    withheld = [w.model_dump() for w in data.withheld or []]
    if data.outcome == Outcome.PARTIAL:
        if not withheld:
            raise InvalidField("withheld", "部分公开的，须列出不予公开的部分及理由（条例第三十七条）")
        if not (data.disclosed or "").strip():
            raise InvalidField("disclosed", "部分公开的，须写明公开的部分")
    elif withheld:
        raise InvalidField("withheld", "只有部分公开（partially_disclosed）才列出不予公开的部分")
    return withheld


def check_referral(data: ReferralIn) -> None:
    if data.kind in DOCUMENT_REFERRALS and data.document_id is None:
        raise InvalidField("document_id", "已主动公开或应当主动公开的，须给出目录中公开文件的 ID")
    if data.kind == ReferralKind.OTHER_AGENCY and not (data.agency_name or "").strip():
        raise InvalidField("agency_name", "不属于本机关的，须告知掌握该信息的机关")


async def check_fee_state(
    session: AsyncSession, application: Application, outcome: Outcome, today: date
) -> None:
    """条例第四十二条: while a fee notice is unpaid only other.fee_unpaid ends processing, and only
    after the 20 working days to pay (from the applicant's receipt) have passed; other.fee_unpaid
    needs such a notice."""
    notified = application.state == str(ApplicationState.FEE_NOTIFIED)
    if outcome != Outcome.FEE_UNPAID:
        if notified:
            raise Conflict(
                "已发出收费通知、申请人尚未缴费：缴费后再作答复，或缴费期限届满后以 other.fee_unpaid 终止办理",
                code="fee_notice_pending",
            )
        return
    notice = await fees.latest(session, row_id(application)) if notified else None
    if notice is None or notice.paid_on is not None or notice.amount_due == 0:
        raise Conflict("没有未缴费的收费通知，不能以“逾期未缴费”终止办理", code="fee_not_notified")
    fees.check_unpaid_period_over(notice, today)


async def notice_writer(
    application: Application,
    actor: Principal,
    ctx: Context,
    *,
    outcome: Outcome,
    reason: str,
    legal_basis: str,
    disclosed: str | None = None,
    withheld: list[dict[str, str]] | None = None,
    referral: dict[str, Any] | None = None,
) -> Writer:
    """Looks the names up first (the catalog may be down: nothing is written then), and returns the
    writer that adds the numbered notice to the answer's transaction."""
    agency_name, body = await notices.names(ctx.agency_info, application.agency_id)
    applicant_name = service.masked_name(application, ctx.cipher)

    async def write(session: AsyncSession, app: Application) -> None:
        await notices.issue(
            session,
            app,
            outcome=outcome,
            reason=reason,
            legal_basis=legal_basis,
            applicant_name=applicant_name,
            agency_name=agency_name,
            reconsideration_body=body,
            issued_on=ctx.today,
            actor_id=actor.subject,
            disclosed=disclosed,
            withheld=withheld,
            referral=referral,
        )

    return write


async def decide(
    session: AsyncSession, application: Application, data: DecisionIn, actor: Principal, ctx: Context
) -> Application:
    withheld = check_decision(data)
    lifecycle.check_transition(application, "decide")  # before asking the catalog for names
    await check_fee_state(session, application, data.outcome, ctx.today)
    details: dict[str, Any] = {"legal_basis": data.legal_basis}
    if data.disclosed:
        details["disclosed"] = data.disclosed
    if withheld:
        details["withheld"] = withheld
    write = await notice_writer(
        application,
        actor,
        ctx,
        outcome=data.outcome,
        reason=data.reason,
        legal_basis=data.legal_basis,
        disclosed=data.disclosed,
        withheld=withheld,
    )
    step = lifecycle.Step(
        "decide", actor, ctx.today, reason=data.reason, outcome=data.outcome, details=details
    )
    return await lifecycle.perform(session, application, step, write=write, **ctx.clock())


async def refer(
    session: AsyncSession,
    application: Application,
    data: ReferralIn,
    actor: Principal,
    ctx: Context,
    catalog: ServiceClient,
) -> Application:
    """Already published or should have been (the catalog confirms the document), or another agency's."""
    check_referral(data)
    outcome = Outcome.DISCLOSED if data.kind in DOCUMENT_REFERRALS else Outcome.NOT_HELD
    details: dict[str, Any] = {"referral": str(data.kind)}
    if data.document_id is not None:
        details["document_id"] = data.document_id
    if data.agency_name:
        details["agency_name"] = data.agency_name
    lifecycle.check_transition(application, "refer")  # before asking the catalog
    if data.kind in DOCUMENT_REFERRALS:
        assert data.document_id is not None
        details["document"] = await service.referred_document(
            catalog, data.kind, data.document_id, application
        )
    write = await notice_writer(
        application,
        actor,
        ctx,
        outcome=outcome,
        reason=data.reason,
        legal_basis="；".join(notices.REFERRAL_BASIS[str(data.kind)]),
        referral=details,
    )
    step = lifecycle.Step("refer", actor, ctx.today, reason=data.reason, outcome=outcome, details=details)
    return await lifecycle.perform(session, application, step, write=write, **ctx.clock())


async def abandon(
    session: AsyncSession, application: Application, reason: str, actor: Principal, ctx: Context
) -> Application:
    """第三十条: the correction period passed without a correction — the application is given up, and
    the applicant is told so in a numbered 答复告知书 (outcome other.no_correction), as for every
    outcome."""
    today = ctx.today
    lifecycle.check_transition(application, "abandon")  # before asking the catalog for names

    def check(_: Any, deadline: Deadline) -> None:
        if deadline.correction_due is None or deadline.correction_due >= today:
            raise Conflict(
                f"补正期限（{deadline.correction_due or '未定'}）尚未届满，不能视为放弃",
                code="correction_period_running",
            )

    basis = "；".join(notices.default_basis(Outcome.NO_CORRECTION))
    write = await notice_writer(
        application, actor, ctx, outcome=Outcome.NO_CORRECTION, reason=reason, legal_basis=basis
    )
    step = lifecycle.Step("abandon", actor, today, reason=reason, outcome=Outcome.NO_CORRECTION)
    return await lifecycle.perform(session, application, step, check=check, write=write, **ctx.clock())
