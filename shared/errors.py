"""RFC 9457 problem+json for every failure, with Chinese titles and a stable `code`.

Domain code raises `DomainError` subclasses named for the broken rule; one set of handlers
installed by `install_error_handlers` turns them (and validation, HTTP and unexpected errors)
into problem documents, so no route writes its own error shape.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("gongkai.errors")


class FieldError(BaseModel):
    field: str = Field(description="出错字段的路径，如 `body.name`、`query.page`")
    message: str = Field(description="中文说明")
    type: str = Field(description="错误类型代码")


class Problem(BaseModel):
    """The one error shape of the API (RFC 9457)."""

    type: str = Field(examples=["urn:gongkai:problem:validation_failed"])
    title: str = Field(examples=["请求参数有误"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["字段 body.name 缺少必填字段"])
    code: str = Field(examples=["validation_failed"])
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status: int = 400
    code: str = "bad_request"
    title: str = "请求有误"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(self.detail)


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "未认证或令牌无效"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "无权执行此操作"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "资源不存在"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "与当前状态冲突"


class InvalidField(DomainError):
    """A rule about one field was broken (beyond what the schema can say)."""

    status, code, title = 422, "validation_failed", "请求参数有误"

    def __init__(
        self, field: str, message: str, *, code: str = "validation_failed", also: tuple[str, ...] = ()
    ) -> None:
        """`also`: other fields the same rule names (e.g. "give one of these two"), listed after `field`."""
        super().__init__(
            f"字段 {field}：{message}",
            code=code,
            errors=[{"field": f, "message": message, "type": code} for f in (field, *also)],
        )


class TooManyRequests(DomainError):
    status, code, title = 429, "rate_limited", "请求过于频繁"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(
            detail or f"请求过于频繁，请 {retry_after} 秒后再试", headers={"Retry-After": str(retry_after)}
        )


class ServiceUnavailable(DomainError):
    status, code, title = 503, "service_unavailable", "服务暂不可用"


class DatabaseUnavailable(ServiceUnavailable):
    """The database connection was lost or refused (a restart, a failover): a retry in a moment works,
    and one with the same `Idempotency-Key` is done at most once (shared/idempotency.py)."""

    code, title = "database_unavailable", "数据库暂不可用"
    RETRY_AFTER = 3  # seconds: a PostgreSQL restart takes about that long

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail or "数据库连接暂时中断，请稍后重试；带同一个 Idempotency-Key 重试不会重复提交",
            headers={"Retry-After": str(self.RETRY_AFTER)},
        )


class DatabaseUnreachable(ConnectionError):
    """The database refused a new connection or could not be reached (shared/db.py raises it in
    place of asyncpg's bare OSError). Still an OSError, so code that keeps a last good copy when
    the database is away (`except (SQLAlchemyError, OSError)`) goes on doing so; unhandled, it is
    answered as `DatabaseUnavailable`."""


class UpstreamTimeout(DomainError):
    status, code, title = 504, "upstream_timeout", "上游服务响应超时"


_HTTP_TITLES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "未认证或令牌无效"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持此请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "与当前状态冲突"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_failed", "请求参数有误"),
    429: ("rate_limited", "请求过于频繁"),
    500: ("internal_error", "服务器内部错误"),
    503: ("service_unavailable", "服务暂不可用"),
    504: ("upstream_timeout", "上游服务响应超时"),
}

# Pydantic error types → Chinese messages (`{…}` filled from the error's context).
_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "必须小于或等于 {le}",
    "enum": "取值无效，应为：{expected}",
    "literal_error": "取值无效，应为：{expected}",
    "string_pattern_mismatch": "格式不正确",
    "uuid_parsing": "应为 UUID",
    "uuid_type": "应为 UUID",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "timezone_aware": "须带时区，如 +08:00",
    "bool_type": "应为布尔值 true 或 false",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
}


def _message_for(err: dict[str, Any]) -> str:
    if err.get("type") == "value_error" and _is_chinese(str((err.get("ctx") or {}).get("error", ""))):
        return str(err["ctx"]["error"])  # our own validators write Chinese messages
    template = _VALIDATION_MESSAGES.get(err.get("type", ""))
    if template is None:
        return "取值无效"
    # A bound that is a date reads as one (2099-12-31), not as Python's repr of it.
    context = {k: v.isoformat() if isinstance(v, date) else v for k, v in (err.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：，, ")


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    body = {
        "type": f"urn:gongkai:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
    }
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_problem(exc: RequestValidationError, instance: str | None = None) -> JSONResponse:
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        loc = err.get("loc") or ()
        field = _field_path(loc[:1]) if err.get("type") == "json_invalid" else _field_path(loc)
        errors.append({"field": field, "message": _message_for(err), "type": err.get("type", "value_error")})
    if malformed:
        return problem_response(
            400,
            "malformed_json",
            "请求体不是有效的 JSON",
            "请求体不是有效的 JSON",
            errors=errors,
            instance=instance,
        )
    detail = "；".join(f"字段 {e['field']}：{e['message']}" for e in errors[:10]) or "请求参数有误"
    return problem_response(
        422, "validation_failed", "请求参数有误", detail, errors=errors, instance=instance
    )


def _driver_lost() -> tuple[type[BaseException], ...]:
    """asyncpg's errors for a connection that is gone or not accepted yet (not needed on SQLite)."""
    try:
        from asyncpg import exceptions as pg  # type: ignore[import-untyped]  # asyncpg ships no stubs
    except ImportError:  # pragma: no cover - asyncpg is a dependency; SQLite-only installs may lack it
        return ()
    return (
        pg.PostgresConnectionError,  # ConnectionDoesNotExistError, ConnectionFailureError, …
        pg.CannotConnectNowError,  # "the database system is starting up / shutting down"
        pg.AdminShutdownError,
        pg.CrashShutdownError,
    )


_DRIVER_LOST = _driver_lost()


def database_lost(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is a lost or refused database connection, not a bug.

    SQLAlchemy marks a connection it finds dead (`connection_invalidated`, see shared/db.py, which
    also turns a refused connect into `DatabaseUnreachable`); the driver's own errors are looked for
    through the chain, as SQLAlchemy wraps them."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, DatabaseUnavailable | DatabaseUnreachable):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        if isinstance(link, _DRIVER_LOST):
            return True
        link = link.__cause__ or link.__context__
    return False


def unexpected_problem(exc: BaseException, instance: str | None = None) -> JSONResponse:
    """The answer to an exception no handler expected: 503 with Retry-After when the database went
    away under the request (the caller may retry), else a logged 500."""
    if database_lost(exc):
        log.warning("database unavailable: %s", type(exc).__name__, exc_info=exc)
        lost = exc if isinstance(exc, DatabaseUnavailable) else DatabaseUnavailable()
        return problem_response(
            lost.status, lost.code, lost.title, lost.detail, headers=lost.headers, instance=instance
        )
    log.exception("unhandled error", exc_info=exc)
    return problem_response(
        500, "internal_error", "服务器内部错误", "服务器内部错误，请稍后重试", instance=instance
    )


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the process as problem+json."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            errors=_located_errors(exc, request),
            headers=exc.headers,
            instance=request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        allowed = _literal_route_methods(request) if _has_path_error(exc) else None
        if allowed:
            return problem_response(
                405,
                "method_not_allowed",
                "不支持此请求方法",
                f"{request.url.path} 只接受 {', '.join(allowed)} 请求",
                headers={"Allow": ", ".join(allowed)},
                instance=request.url.path,
            )
        return validation_problem(exc, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_TITLES.get(exc.status_code, ("http_error", "请求失败"))
        detail = exc.detail if isinstance(exc.detail, str) and _is_chinese(exc.detail) else title
        # A multipart body the parser gave up on (no boundary, cut short, a header too long).
        multipart = request.headers.get("content-type", "").startswith("multipart/") and not _is_chinese(
            str(exc.detail)
        )
        if exc.status_code == 400 and ("parsing the body" in str(exc.detail) or multipart):
            code, title, detail = (
                "malformed_body",
                "请求体无法解析",
                "请求体无法解析（须为 UTF-8 编码的 JSON，或完整的 multipart/form-data）",
            )
        return problem_response(
            exc.status_code,
            code,
            title,
            detail,
            headers=getattr(exc, "headers", None),
            instance=request.url.path,
        )

    # Registered for SQLAlchemy's errors so that they are answered where the route raised them;
    # anything else reaches the catch-all (and UnexpectedErrorMiddleware) and the same mapping.
    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_problem(exc, instance=request.url.path)


LOCATIONS = ("body", "query", "path", "header")


def _located_errors(exc: DomainError, request: Request) -> list[dict[str, str]]:
    """An `InvalidField` names a field of the request; other errors may name a stored record's fields
    (the personal data found in a document's `body_text` at approval), which were not sent."""
    if not isinstance(exc, InvalidField):
        return exc.errors
    return [{**e, "field": _located(e["field"], request)} for e in exc.errors]


def _located(field: str, request: Request) -> str:
    """A rule checked beyond the schema names its field where it was sent, as the schema's own errors
    do (`body.days.0.day`, `query.from`, `path.year`): one convention for every `errors[].field`."""
    name = field.split(".", 1)[0]
    if name in LOCATIONS:
        return field
    if name in request.path_params:
        return f"path.{field}"
    if name in request.query_params:
        return f"query.{field}"
    return f"body.{field}"


def _has_path_error(exc: RequestValidationError) -> bool:
    return any((err.get("loc") or ("",))[0] == "path" for err in exc.errors())


def _literal_route_methods(request: Request) -> list[str]:
    """`GET /documents/import` is read as document id "import" (a 422) only because the literal route
    `/documents/import` takes POST: the caller used the wrong method, and is told so (405, Allow)."""
    operations = request.app.openapi().get("paths", {}).get(request.url.path)  # literal paths only
    methods = sorted(m.upper() for m in operations or {} if m in {"get", "put", "post", "delete", "patch"})
    return methods if request.method not in methods else []


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": _HTTP_TITLES[status][1]}
    for status in (400, 401, 403, 404, 409, 422, 429)
}
