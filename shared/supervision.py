"""电子监察 across services: each service lists its own yellow/red items in one shape, and the
gateway merges them into `/api/v1/supervision/overdue` so an inspector sees one list.

A service answers the first `limit` items in the merge order (due date, service, id) with its total;
the gateway merges those lists and cuts the page, which is exact while page × page_size ≤ limit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from shared.deadlines import Flag

MAX_ITEMS = 5000

FlagFilter = Annotated[
    Literal["yellow", "red"] | None, Query(description="yellow 黄牌；red 红牌；不填为两者")
]
Limit = Annotated[int, Query(ge=1, le=MAX_ITEMS, description=f"最多返回条数（最多 {MAX_ITEMS}）")]


ListedFlag = Literal["yellow", "red"]


def listed_flag(flag: Flag) -> ListedFlag:
    """The flag of an item on a supervision list, which holds only yellow and red items."""
    if flag == Flag.YELLOW:
        return "yellow"
    if flag == Flag.RED:
        return "red"
    raise ValueError(f"a {flag} item is not listed for supervision")


class SupervisionItem(BaseModel):
    service: str = Field(description="requests 依申请公开；feedback 意见反馈")
    item_type: str = Field(description="application 申请；feedback_case 留言、来电、来信来访事项")
    id: int
    tracking_no: str
    agency_id: int
    title: str
    state: str
    state_label: str
    due: date
    flag: ListedFlag
    provisional: bool
    owner_id: str | None
    url: str = Field(description="事项详情的 API 路径")


class OverdueList(BaseModel):
    items: list[SupervisionItem]
    total: int


class SupervisionPage(BaseModel):
    items: list[SupervisionItem]
    total: int
    page: int
    page_size: int
    incomplete: list[str] = Field(
        default_factory=list, description="暂时无法取得的服务（列表不完整时列出，如 requests）"
    )


def order_key(item: SupervisionItem) -> tuple[date, str, int]:
    return (item.due, item.service, item.id)


def merge(
    lists: dict[str, OverdueList], *, page: int, page_size: int, incomplete: list[str]
) -> SupervisionPage:
    items = sorted((i for found in lists.values() for i in found.items), key=order_key)
    start = (page - 1) * page_size
    return SupervisionPage(
        items=items[start : start + page_size],
        total=sum(found.total for found in lists.values()),
        page=page,
        page_size=page_size,
        incomplete=incomplete,
    )
