"""Information-processing fees (条例第四十二条; 国办函〔2020〕109号): the fee notice, its receipt, a
reduction or waiver, the payment, and the totals per agency and year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from services.requests import fees, report, service
from services.requests.api.common import agency_info, clock
from services.requests.schemas import (
    FeeNoticeIn,
    FeeNoticePublic,
    FeePaidIn,
    FeeReceiptIn,
    FeeReliefIn,
    FeeTotals,
)
from shared.auth import ClerkUser, StaffUser
from shared.db import SessionDep
from shared.schemas import IdPath

router = APIRouter()


@router.get(
    "/fees/totals",
    response_model=FeeTotals,
    summary="信息处理费统计（按机关和年度）",
    description="所选机关及其全部下级机关在该年度的信息处理费（国办函〔2020〕109号）：发出的收费通知（件数、"
    "减免前的金额）、其中减收的（件数、减收金额）、免收的（件数、免收金额）、减免后应缴的（件数、金额），"
    "以上按收费通知发出的年度计；实际收取的（件数、金额）按缴费日期计入年度。金额单位为元。"
    "经办人员只能查看本机关，监察人员查看本辖区，管理员可查看任何机关（与年度报告相同）。",
)
async def fee_totals(
    request: Request,
    session: SessionDep,
    actor: StaffUser,
    year: Annotated[int, Query(ge=2008, le=2100, description="年度")],
    agency_id: Annotated[int, Query(ge=1, le=2_147_483_647, description="机关或地区（含全部下级机关）")],
) -> FeeTotals:
    path = await report.authorize(actor, agency_id, request.app.state.agency_lookup)
    return await fees.totals(session, path, year)


@router.post(
    "/{application_id}/fee-notice",
    response_model=FeeNoticePublic,
    status_code=status.HTTP_201_CREATED,
    summary="发出收费通知（经办人员）",
    description="条例第四十二条、国办函〔2020〕109号：by_count 按件计收（同一申请人一个自然月内向本机关申请，"
    "第 1—10 件免费，第 11—30 件每件 100 元，第 31 件起每 10 件一档、每档每件加收 100 元）；"
    "by_pages 按量计收（本申请 1—30 页免费，31—100 页每页 10 元，101—200 页每页 20 元，201 页起每页 40 元）。"
    "缴费期限为自申请人收到收费通知之日起 20 个工作日：delivery 为 online、email 的，发出当日即为收到；"
    "post、in_person 的，缴费期限在登记回执日期（…/fee-receipt）后确定，此前 due_on 为空。"
    "自发出收费通知起答复期限中止计算（缴费期间不计入）；金额为 0 时不能发出。"
    "当场查阅的申请不按量计收（422，字段 method）；答复期限届满后不能发出（409）。"
    "出具编号的收费通知书（…/notices）；目录服务不可用时答复 503，不写入任何内容。",
)
async def fee_notice(
    request: Request, session: SessionDep, application_id: IdPath, data: FeeNoticeIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.notify(
        session, application, data, actor, agency_info=agency_info(request), **(await clock(request))
    )


@router.post(
    "/{application_id}/fee-receipt",
    response_model=FeeNoticePublic,
    summary="登记收费通知的送达日期（经办人员）",
    description="邮寄或当面送达的收费通知，按回执（送达回证）上的日期登记申请人收到的日期，"
    "缴费期限自该日起 20 个工作日。收到日期不能早于通知日期、不能晚于今天（422，字段 received_on）；"
    "网上、电子邮件送达的无需登记，已登记的不能再登记（409）。",
)
async def fee_receipt(
    request: Request, session: SessionDep, application_id: IdPath, data: FeeReceiptIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.record_receipt(session, application, data, actor, **(await clock(request)))


@router.post(
    "/{application_id}/fee-relief",
    response_model=FeeNoticePublic,
    summary="减免信息处理费（经办人员）",
    description="对待缴费的收费通知减收（reduced，给出减收金额，须少于收费金额，否则 422 字段 amount）"
    "或免收（waived，免收全部）；须给出原因代码和具体理由，记录日期和经办人员。"
    "减收后在原缴费期限内缴纳余额，答复期限仍中止；免收后无需缴费，答复期限自免收之日起恢复计算（与缴费相同）。"
    "每份收费通知只能减免一次；缴费期限已届满的不能减免（409）。",
)
async def fee_relief(
    request: Request, session: SessionDep, application_id: IdPath, data: FeeReliefIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.grant_relief(session, application, data, actor, **(await clock(request)))


@router.post(
    "/{application_id}/fee-paid",
    response_model=FeeNoticePublic,
    summary="记录申请人已缴费（经办人员）",
    description="缴费期限内缴纳（减免后的）应缴金额的，答复期限恢复计算（收费通知到缴费之间的工作日不计入）。",
)
async def fee_paid(
    request: Request, session: SessionDep, application_id: IdPath, data: FeePaidIn, actor: ClerkUser
) -> FeeNoticePublic:
    application = await service.load_as_clerk(session, application_id, actor)
    return await fees.record_payment(session, application, data, actor, **(await clock(request)))
