"""`GET /widget/search.js`: the search widget (`<gongkai-search>`) a third-party page includes
with one script tag. The file is `gateway/static/search.js`, read once when the app is built."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from gateway.schemas import SiteStatus, normalise_origin
from shared.errors import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Forbidden, Problem

SCRIPT_PATH = Path(__file__).parent / "static" / "search.js"
MEDIA_TYPE = "text/javascript; charset=utf-8"
MAX_AGE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Script:
    body: bytes
    etag: str

    @classmethod
    def load(cls, path: Path = SCRIPT_PATH) -> Script:
        body = path.read_bytes()
        return cls(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')


widget = APIRouter(tags=["widget"])


@widget.get(
    "/widget/search.js",
    summary="检索挂件脚本（<gongkai-search>）",
    description=(
        '第三方网页用一个 script 标签引入，即可放置 `<gongkai-search agency="机关ID">` 检索框：调用公开检索接口，'
        "边输入边检索（输入停顿后自动检索，过时请求自动取消），输入联想（键盘上下键选择），无结果时给出“您是不是要找”，"
        "每条结果标出未包含的检索词；显示命中高亮、分面筛选和分页，适配手机屏幕；打开结果时上报点击（不含个人信息）。网页所在来源须先由管理员登记（`/api/v1/admin/sites`）。"
        "可缓存 5 分钟（带 ETag）。"
    ),
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}, "description": "JavaScript（无外部依赖）"}},
)
async def search_script(request: Request) -> Response:
    script: Script = request.app.state.widget_script
    headers = {
        "ETag": script.etag,
        "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
        # Pages isolated with COEP may still load it from the gateway's origin.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    inm = request.headers.get("if-none-match")
    if inm and (
        inm.strip() == "*" or script.etag in {tag.strip().removeprefix("W/") for tag in inm.split(",")}
    ):
        return Response(status_code=304, headers=headers)
    return Response(script.body, media_type=MEDIA_TYPE, headers=headers)


@widget.get(
    "/widget/site",
    response_model=SiteStatus,
    summary="检索挂件所在网站是否已登记",
    description="检索挂件在检索失败时调用，以区分“本站点尚未登记”与“检索服务暂不可用”。按浏览器发出的 "
    "`Origin` 判断：已登记（或在网关的跨域许可名单中）的来源 200；未登记、已停用或没有来源（如本地文件打开的网页）"
    "403 `site_not_registered`。任何来源都可跨域读取这一回答（`Access-Control-Allow-Origin: *`），"
    "它只说明调用者自己的来源是否已登记。",
    responses={
        403: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "该来源未登记"},
        422: PROBLEM_RESPONSES[422],
    },
)
async def site_status(
    request: Request,
    origin: Annotated[
        str | None, Header(max_length=300, description="网页所在来源，由浏览器自动发送")
    ] = None,
) -> SiteStatus:
    seen = _normalised(origin)
    if seen is not None and await _registered(request, seen):
        return SiteStatus(origin=seen, registered=True)
    raise Forbidden(
        "本站点尚未登记，请联系网站管理员",
        code="site_not_registered",
        headers={"Access-Control-Allow-Origin": "*"},  # a registered origin gets its own from the middleware
    )


def _normalised(origin: str | None) -> str | None:
    try:
        return normalise_origin(origin) if origin and origin != "null" else None
    except ValueError:
        return None


async def _registered(request: Request, origin: str) -> bool:
    """The same two sources of CORS permission as `SiteAccessMiddleware`: the settings, the registry."""
    static = {_normalised(o) for o in request.app.state.settings.cors_origins}
    return origin in static or await request.app.state.sites.by_origin(origin) is not None
