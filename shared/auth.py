"""Token verification against the gateway's JWKS, principals, and role dependencies.

Every service verifies bearer tokens itself (never trusting a forwarded header): RS256 only,
issuer and audience checked, keys fetched from the gateway's JWKS, cached, and re-fetched
when a token names an unknown `kid` (at most once per `min_refresh_seconds`, and once per
`UNKNOWN_KID_RETRY_SECONDS` for the same unknown kid).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from jose import jwk, jwt
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError, JWTError

from shared.errors import Forbidden, Unauthorized

ALGORITHM = "RS256"
TOKEN_URL = "/api/v1/auth/token"
SERVICE_TOKEN_HEADER = "X-Service-Token"
UNKNOWN_KID_RETRY_SECONDS = 30.0
VERIFIED_CACHE_SIZE = 4096


class Role(StrEnum):
    PUBLIC = "public"
    CLERK = "clerk"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    SERVICE = "service"


ROLE_LABELS = {
    Role.PUBLIC: "公众（公民、法人或其他组织）",
    Role.CLERK: "经办人员",
    Role.INSPECTOR: "监察人员",
    Role.ADMIN: "系统管理员",
    Role.SERVICE: "内部服务",
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified claims of an access token (or the service identity)."""

    subject: str
    role: Role
    username: str = ""
    agency_id: int | None = None
    region_id: int | None = None
    # The login session (refresh-token family) the token was issued in: the gateway refuses a
    # token whose session was revoked (logout, refresh-token reuse) before it expires.
    session_id: str | None = None

    def is_clerk_of(self, agency_id: int | None) -> bool:
        return self.role == Role.CLERK and agency_id is not None and self.agency_id == agency_id


def region_marker(region_id: int) -> str:
    """What every agency path below (or, for paths that include the agency, at) a region contains;
    the scope rule built on it is `shared.scope`."""
    return f"/{region_id}/"


KeySource = Callable[[], Awaitable[dict[str, Any]]]


def http_key_source(url: str, client: httpx.AsyncClient | None = None, timeout: float = 3.0) -> KeySource:
    async def fetch() -> dict[str, Any]:
        if client is not None:
            response = await client.get(url, timeout=timeout)
        else:
            async with httpx.AsyncClient(timeout=timeout) as own:
                response = await own.get(url)
        response.raise_for_status()
        keys: dict[str, Any] = response.json()
        return keys

    return fetch


class TokenVerifier:
    def __init__(
        self,
        key_source: KeySource,
        *,
        issuer: str,
        audience: str,
        min_refresh_seconds: float = 1.0,
        max_age_seconds: float = 300.0,
        leeway_seconds: int = 5,
    ) -> None:
        self.key_source = key_source
        self.issuer = issuer
        self.audience = audience
        self.min_refresh = min_refresh_seconds
        self.max_age = max_age_seconds
        self.leeway = leeway_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        # kid -> when a fetch was last made for it: junk kids cannot starve a real new key.
        self._asked: dict[str, float] = {}
        self._built: dict[str, tuple[dict[str, Any], Any]] = {}  # kid -> (its JWK, the key object)
        # token -> (principal, exp, kid, the JWK that verified it): checking an RS256 signature is
        # the dearest step of an authenticated request, and a client sends the same token many times.
        self._verified: dict[str, tuple[Principal, float, str, dict[str, Any]]] = {}

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.min_refresh and self._keys:
                return
            try:
                jwks = await self.key_source()
            except (httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    raise Unauthorized("暂时无法获取令牌公钥，请稍后重试", code="jwks_unavailable") from exc
                return
            self._keys = {k["kid"]: k for k in jwks.get("keys", []) if "kid" in k}
            self._fetched_at = time.monotonic()

    async def key_for(self, kid: str) -> dict[str, Any]:
        now = time.monotonic()
        stale = now - self._fetched_at > self.max_age
        unknown = (
            kid not in self._keys and now - self._asked.get(kid, float("-inf")) > UNKNOWN_KID_RETRY_SECONDS
        )
        if unknown or stale:
            if unknown:
                if len(self._asked) > 1000:
                    self._asked.clear()
                self._asked[kid] = now
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("令牌签名密钥未知", code="unknown_key")
        return key

    def _constructed(self, kid: str, key: dict[str, Any]) -> Any:
        """The key object for a JWK, made once: building it from the JWK's numbers on every
        request cost as much as checking the signature."""
        cached = self._built.get(kid)
        if cached is None or cached[0] is not key:
            try:
                cached = (key, jwk.construct(key, ALGORITHM))
            except JOSEError as exc:
                raise Unauthorized("令牌签名密钥无效", code="unknown_key") from exc
            self._built[kid] = cached
        return cached[1]

    async def verify(self, token: str) -> Principal:
        """A token verified before is answered from memory while it has not expired and the key that
        signed it is still the gateway's (a key taken out of the JWKS drops its tokens at once)."""
        known = self._verified.get(token)
        if known is not None:
            principal, exp, kid, key = known
            if time.time() > exp + self.leeway:
                self._verified.pop(token, None)
                raise Unauthorized("令牌已过期", code="token_expired")
            if await self.key_for(kid) is key:
                return principal
            self._verified.pop(token, None)
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise Unauthorized("令牌格式无效", code="invalid_token") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("令牌签名算法不被接受", code="invalid_token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("令牌缺少密钥标识", code="invalid_token")
        key = await self.key_for(kid)
        try:
            claims = jwt.decode(
                token,
                self._constructed(kid, key),
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_aud": True,
                    "require_iss": True,
                    "leeway": self.leeway,
                },
            )
        except ExpiredSignatureError as exc:
            raise Unauthorized("令牌已过期", code="token_expired") from exc
        except JWTClaimsError as exc:
            raise Unauthorized("令牌声明无效（签发者、受众或时间）", code="invalid_token") from exc
        except JWTError as exc:
            raise Unauthorized("令牌签名无效", code="invalid_token") from exc
        principal = principal_from_claims(claims)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]), kid, key)
        return principal


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    if claims.get("typ") != "access":
        raise Unauthorized("不是访问令牌", code="invalid_token")
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError) as exc:
        raise Unauthorized("令牌角色无效", code="invalid_token") from exc
    if role == Role.SERVICE:
        raise Unauthorized("令牌角色无效", code="invalid_token")
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        username=str(claims.get("name", "")),
        agency_id=claims.get("agency_id"),
        region_id=claims.get("region_id"),
        session_id=str(claims["sid"]) if claims.get("sid") else None,
    )


oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False, scheme_name="OAuth2PasswordBearer")


async def optional_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal | None:
    """The caller if a credential was presented (a bad one is 401, never anonymous)."""
    service_token = request.headers.get(SERVICE_TOKEN_HEADER)
    if service_token is not None:
        expected = request.app.state.settings.service_token
        if not hmac.compare_digest(service_token.encode(), expected.encode()):
            raise Unauthorized("服务令牌无效", code="invalid_service_token")
        return Principal(subject="service", role=Role.SERVICE, username="service")
    if token is None:
        if "authorization" in request.headers:
            raise Unauthorized("只接受 Bearer 令牌", code="invalid_token")
        return None
    principal: Principal = await request.app.state.verifier.verify(token)
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency: 401 without a valid credential, 403 when the role is not among `roles`."""
    allowed = frozenset(roles)

    async def dependency(principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise Unauthorized("需要登录", code="authentication_required")
        if principal.role not in allowed:
            raise Forbidden("当前角色无权执行此操作", code="role_forbidden")
        return principal

    dependency.__name__ = "require_" + "_or_".join(sorted(allowed))
    return dependency


# The role sets routes admit, one name each, for every service and the gateway.
CurrentUser = Annotated[
    Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK, Role.INSPECTOR, Role.ADMIN))
]
PublicUser = Annotated[Principal, Depends(require_roles(Role.PUBLIC))]
ClerkUser = Annotated[Principal, Depends(require_roles(Role.CLERK))]
AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ServiceUser = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
# the applicant or sender, or the clerk acting for them (paper, attachments)
ApplicantOrClerk = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK))]
# clerks and inspectors: queues, internal records, supervision lists (scope checked in the service)
StaffReader = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR))]
# an item's owner and the staff in scope
Reader = Annotated[Principal, Depends(require_roles(Role.PUBLIC, Role.CLERK, Role.INSPECTOR))]
# staff including admins: statistics and reports
StaffUser = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR, Role.ADMIN))]
ClerkOrAdmin = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.ADMIN))]
# staff and the other services (the calendar, colleagues' names)
StaffOrService = Annotated[
    Principal, Depends(require_roles(Role.CLERK, Role.INSPECTOR, Role.ADMIN, Role.SERVICE))
]
