"""`/api/v1/supervision/…`: one list across services for inspectors (docs/architecture.md,
"Supervision").

The gateway does not judge scope itself: it forwards the caller's token to each service's own
supervision endpoint, which verifies it and applies agency or region scope, and merges the answers.
A service that cannot answer is named in `incomplete` rather than hiding the others' items.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from fastapi import APIRouter, Request

from shared.auth import StaffReader
from shared.errors import PROBLEM_RESPONSES, InvalidField
from shared.pagination import PageDep
from shared.supervision import MAX_ITEMS, FlagFilter, OverdueList, SupervisionPage, merge

logger = logging.getLogger(__name__)
supervision = APIRouter(prefix="/api/v1/supervision", tags=["supervision"], responses=PROBLEM_RESPONSES)
# The services that keep deadlines, and where each lists its yellow and red items.
SOURCES = {
    "requests": "/api/v1/requests/supervision/overdue",
    "feedback": "/api/v1/feedback/supervision/overdue",
}


@supervision.get(
    "/overdue",
    response_model=SupervisionPage,
    summary="黄牌、红牌事项（跨服务汇总）",
    description="依申请公开和意见反馈中未办结且临近期限（黄牌）或已超期（红牌）的事项，期限最近的在前。"
    "监察人员看本辖区，经办人员看本机关。某个服务暂时不可用时，其名称列在 incomplete 中。",
)
async def overdue(
    request: Request, _: StaffReader, page: PageDep, flag: FlagFilter = None
) -> SupervisionPage:
    limit = page.page * page.page_size
    if limit > MAX_ITEMS:
        raise InvalidField("query.page", f"最多列出前 {MAX_ITEMS} 条，请按 flag 缩小范围")
    settings = request.app.state.settings
    params: dict[str, str | int] = {"limit": limit, **({"flag": flag} if flag else {})}
    headers = {"Authorization": request.headers["authorization"]}

    async def fetch(name: str) -> OverdueList | None:
        url = settings.upstreams[name].rstrip("/") + SOURCES[name]
        try:
            response = await request.app.state.http.get(
                url, params=params, headers=headers, timeout=settings.upstream_timeout_seconds
            )
        except httpx.HTTPError as exc:
            logger.warning("supervision source %s unreachable: %s", name, type(exc).__name__)
            return None
        if response.status_code != 200:
            logger.warning("supervision source %s answered %s", name, response.status_code)
            return None
        return OverdueList.model_validate_json(response.content)

    found = dict(zip(SOURCES, await asyncio.gather(*(fetch(name) for name in SOURCES)), strict=True))
    lists = {name: result for name, result in found.items() if result is not None}
    incomplete = [name for name, result in found.items() if result is None]
    return merge(lists, page=page.page, page_size=page.page_size, incomplete=incomplete)
