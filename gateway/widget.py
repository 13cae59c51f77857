"""`GET /widget/search.js`: the search widget (`<gongkai-search>`) a third-party page includes
with one script tag. The file is `gateway/static/search.js`, read once when the app is built."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

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
