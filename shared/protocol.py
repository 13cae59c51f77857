"""The HTTP protocol the processes serve with: uvicorn's httptools parser, answering a request it
cannot parse with a Chinese problem+json instead of uvicorn's plain-text `Invalid HTTP request`.

The common case is a URL typed with raw Chinese (`/search?q=加装电梯`): HTTP allows only ASCII in
the request target, so the parser refuses it before any application code runs. Only the error path
is replaced; parsing and every well-formed request go through uvicorn's code unchanged.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import PROBLEM_MEDIA_TYPE

UNPARSABLE = json.dumps(
    {
        "type": "urn:gongkai:problem:invalid_http_request",
        "title": "请求无法解析",
        "status": 400,
        "detail": "请求不符合 HTTP 格式。地址中的中文等非 ASCII 字符须先按 UTF-8 百分号编码，"
        "例如 q=%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF（加装电梯）；"
        "用 curl 时写 curl -G --data-urlencode 'q=加装电梯' <地址>。",
        "code": "invalid_http_request",
        "errors": [],
    },
    ensure_ascii=False,
).encode()


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: " + PROBLEM_MEDIA_TYPE.encode() + b"\r\n",
                b"content-length: " + str(len(UNPARSABLE)).encode() + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                UNPARSABLE,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
