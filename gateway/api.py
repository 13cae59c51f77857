"""Gateway's own routes: authentication, account administration, keys."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from gateway import service
from gateway.schemas import (
    Colleague,
    KeyRotation,
    PasswordReset,
    RefreshRequest,
    Registration,
    StaffCreate,
    TokenPair,
    UserPublic,
)
from shared.auth import AdminUser, CurrentUser, Role, StaffOrService
from shared.db import SessionDep
from shared.errors import PROBLEM_RESPONSES, Conflict, Forbidden, InvalidField, ServiceUnavailable
from shared.pagination import Page, PageDep
from shared.schemas import MAX_ID, IdPath
from shared.scope import in_scope

auth = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEM_RESPONSES)
admin = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEM_RESPONSES)
wellknown = APIRouter(tags=["auth"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@auth.post(
    "/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    summary="注册公众账户",
    description="公民、法人或其他组织自行注册，角色固定为 `public`。按来源地址限流。",
)
async def register(request: Request, session: SessionDep, data: Registration) -> UserPublic:
    await request.app.state.ratelimits.hit("register", client_ip(request))
    return UserPublic.model_validate(await service.register(session=session, data=data))


@auth.post(
    "/token",
    response_model=TokenPair,
    summary="登录：用户名和密码换取令牌",
    description="OAuth2 密码模式（表单字段 `username`、`password`）。访问令牌 15 分钟有效，另给一个刷新令牌。",
)
async def token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenPair:
    for field, value, limit in (("username", form.username, 64), ("password", form.password, 128)):
        if len(value) > limit or "\x00" in value:
            raise InvalidField(f"body.{field}", f"长度不能超过 {limit} 个字符，且不能含空字符")
    await request.app.state.ratelimits.hit("login", client_ip(request), form.username.lower())
    return await service.login(
        session=session, username=form.username, password=form.password, policy=request.app.state.token_policy
    )


@auth.post(
    "/refresh",
    response_model=TokenPair,
    summary="刷新令牌（轮换）",
    description="每个刷新令牌只能用一次，换回新的一对令牌；重复使用旧令牌会注销整个登录（令牌族）。",
)
async def refresh(request: Request, session: SessionDep, data: RefreshRequest) -> TokenPair:
    return await service.refresh(
        session=session,
        presented=data.refresh_token,
        policy=request.app.state.token_policy,
        revocations=request.app.state.revocations,
    )


@auth.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="退出登录（注销刷新令牌族）",
    description="注销这次登录：其刷新令牌随即失效，其访问令牌在数秒内被网关拒绝（401 `token_revoked`）。"
    "同一用户的其他登录不受影响。",
)
async def logout(request: Request, session: SessionDep, data: RefreshRequest) -> Response:
    await service.logout(
        session=session, presented=data.refresh_token, revocations=request.app.state.revocations
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth.get("/me", response_model=UserPublic, summary="当前用户")
async def me(session: SessionDep, principal: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(await service.get_user(session=session, user_id=int(principal.subject)))


@auth.get(
    "/colleagues",
    response_model=list[Colleague],
    summary="机关的在岗经办人员（分派申请、移交事项时选人）",
    description="经办人员看本机关（agency_id 可不填）；监察人员、管理员和内部服务（X-Service-Token）须填 agency_id。"
    "只列已启用的经办人员账户，按账户编号排序。",
)
async def colleagues(
    session: SessionDep,
    actor: StaffOrService,
    agency_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="机关编号")] = None,
) -> list[Colleague]:
    if actor.role == Role.CLERK:
        if agency_id is not None and not in_scope(actor, agency_id, None):
            raise Forbidden("经办人员只能查看本机关的经办人员", code="agency_scope")
        agency_id = actor.agency_id
    if agency_id is None:
        raise InvalidField("agency_id", "请填写机关编号 agency_id")
    return [Colleague.model_validate(u) for u in await service.colleagues(session, agency_id)]


@wellknown.get("/.well-known/jwks.json", summary="令牌验签公钥（JWKS）", operation_id="auth-jwks")
async def jwks(request: Request) -> Response:
    return JSONResponse(request.app.state.keyring.jwks(), headers={"Cache-Control": "public, max-age=60"})


async def _check_agency(request: Request, field: str, agency_id: int | None) -> None:
    """Staff scope must name an agency that exists in the catalog."""
    if agency_id is None:
        return
    try:
        response = await request.app.state.catalog.get(f"/api/v1/catalog/agencies/{agency_id}")
    except httpx.HTTPError as exc:
        raise ServiceUnavailable("目录服务暂不可用，无法核对机关") from exc
    if response.status_code == 404:
        raise InvalidField(field, f"机关 {agency_id} 不存在", code="agency_not_found")
    if response.status_code != 200:
        raise ServiceUnavailable("目录服务暂不可用，无法核对机关")


@admin.post(
    "/users",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    summary="创建工作人员账户",
    description="经办人员须指定所属机关 `agency_id`，监察人员须指定负责地区 `region_id`（均为机关树中的机关）。",
)
async def create_staff(
    request: Request, session: SessionDep, data: StaffCreate, actor: AdminUser
) -> UserPublic:
    service.check_staff_scope(data)
    await _check_agency(request, "agency_id", data.agency_id)
    await _check_agency(request, "region_id", data.region_id)
    return UserPublic.model_validate(await service.create_staff(session=session, data=data, actor=actor))


@admin.get("/users", response_model=Page[UserPublic], summary="账户列表")
async def list_users(
    session: SessionDep,
    page: PageDep,
    _: AdminUser,
    role: Annotated[Role | None, Query(description="按角色筛选")] = None,
    agency_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=50, description="登录名或姓名包含")] = None,
) -> Page[UserPublic]:
    rows, total = await service.list_users(session=session, page=page, role=role, agency_id=agency_id, q=q)
    return Page[UserPublic](
        items=[UserPublic.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@admin.post(
    "/users/{user_id}/disable",
    response_model=UserPublic,
    summary="停用账户（其全部登录随即失效）",
    description="刷新令牌立即失效；已签发的访问令牌在数秒内被网关拒绝（401 `token_revoked`），不等到过期。",
)
async def disable_user(
    request: Request, session: SessionDep, user_id: IdPath, actor: AdminUser
) -> UserPublic:
    if str(user_id) == actor.subject:
        raise Conflict("不能停用自己的账户", code="cannot_disable_self")
    user = await service.set_active(
        session=session, user_id=user_id, active=False, actor=actor, revocations=request.app.state.revocations
    )
    return UserPublic.model_validate(user)


@admin.post(
    "/users/{user_id}/enable",
    response_model=UserPublic,
    summary="重新启用账户",
    description="启用后须重新登录：停用前签发的令牌仍然无效。",
)
async def enable_user(request: Request, session: SessionDep, user_id: IdPath, actor: AdminUser) -> UserPublic:
    user = await service.set_active(
        session=session, user_id=user_id, active=True, actor=actor, revocations=request.app.state.revocations
    )
    return UserPublic.model_validate(user)


@admin.post(
    "/users/{user_id}/password",
    response_model=UserPublic,
    summary="重置密码（注销该用户全部登录）",
    description="该用户的刷新令牌立即失效，访问令牌在数秒内被网关拒绝（401 `token_revoked`）。",
)
async def reset_password(
    request: Request, session: SessionDep, user_id: IdPath, data: PasswordReset, actor: AdminUser
) -> UserPublic:
    user = await service.reset_password(
        session=session, user_id=user_id, data=data, actor=actor, revocations=request.app.state.revocations
    )
    return UserPublic.model_validate(user)


@admin.post(
    "/keys/rotate",
    response_model=KeyRotation,
    summary="轮换令牌签名密钥",
    description="生成新密钥签发此后的令牌；旧公钥继续在 JWKS 中发布，直到它签发的令牌全部过期。生产环境的密钥由配置提供，在配置中轮换。",
)
async def rotate_keys(request: Request, _: AdminUser) -> KeyRotation:
    keyring = request.app.state.keyring
    if keyring.key_dir is None:
        raise Conflict("签名密钥由配置提供，请在配置中轮换", code="keys_from_settings")
    return KeyRotation(kid=keyring.rotate())
