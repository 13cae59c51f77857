"""The holiday calendar the deadlines count with; served by this service, reached through the
gateway's admin prefix (`/api/v1/admin/calendar`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.requests import holidays
from services.requests.schemas import CalendarYearIn, CalendarYearPublic
from shared.auth import AdminUser, StaffOrService
from shared.db import SessionDep
from shared.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/admin/calendar", tags=["calendar"], responses=PROBLEM_RESPONSES)

Year = Annotated[int, Path(ge=2000, le=2099, description="年份")]


@router.get(
    "",
    response_model=CalendarYearPublic,
    summary="工作日历：某年录入的节假日与调休（工作人员）",
    description="列出管理员为该年录入的例外日期和该年的法定节假日，并说明 chinese_calendar 是否已收录该年、"
    "管理员是否已确认该年录入完整。两者皆无的年份，法定节假日照常休息、其余周一至周五计为工作日，"
    "期限标为暂定（调休尚未公布）。",
)
async def get_calendar(
    request: Request,
    session: SessionDep,
    _: StaffOrService,
    year: Annotated[int | None, Query(ge=2000, le=2099, description="年份，默认今年")] = None,
) -> CalendarYearPublic:
    return await holidays.get_year(session, year or request.app.state.today().year)


@router.put(
    "/{year}",
    response_model=CalendarYearPublic,
    summary="录入某年的工作日历（管理员）",
    description="整体替换该年的例外日期：working=false 为节假日，working=true 为调休上班的周末。"
    "所有日期须在该年内。法定节假日无须录入。按国务院通知录入全年后以 confirmed=true 确认，"
    "该年期限才不再为暂定；只录入部分日期的年份仍为暂定。"
    "保存后，所有未办结申请的期限按新日历重新计算（下次读取即生效）。",
)
async def put_calendar(
    request: Request, session: SessionDep, year: Year, data: CalendarYearIn, actor: AdminUser
) -> CalendarYearPublic:
    result = await holidays.replace_year(session, year, data, actor)
    holidays.invalidate(request.app.state)
    return result


@router.delete(
    "/{year}",
    response_model=CalendarYearPublic,
    summary="删除某年录入的工作日历（管理员）",
    description="删除该年录入的日期及其确认。删除后该年按 chinese_calendar 计算；它也未收录的，"
    "法定节假日休息、其余周一至周五计为工作日，并标为暂定。",
)
async def delete_calendar(
    request: Request, session: SessionDep, year: Year, actor: AdminUser
) -> CalendarYearPublic:
    result = await holidays.replace_year(session, year, None, actor)
    holidays.invalidate(request.app.state)
    return result
