"""Gateway API shapes."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.auth import Role
from shared.schemas import MAX_ID, RequestModel

USERNAME = r"^[A-Za-z0-9_.-]{3,40}$"


class AccountType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class OrganisationCategory(StrEnum):
    """Applicant columns of the annual report (法人或其他组织)."""

    COMMERCIAL = "commercial_enterprise"
    RESEARCH = "research_institution"
    PUBLIC_INTEREST = "public_interest_organisation"
    LEGAL_SERVICE = "legal_service_institution"
    OTHER = "other"


ORGANISATION_CATEGORY_LABELS = {
    OrganisationCategory.COMMERCIAL: "商业企业",
    OrganisationCategory.RESEARCH: "科研机构",
    OrganisationCategory.PUBLIC_INTEREST: "社会公益组织",
    OrganisationCategory.LEGAL_SERVICE: "法律服务机构",
    OrganisationCategory.OTHER: "其他",
}


class Registration(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "zhangsan",
                    "password": "a-long-passphrase",
                    "display_name": "张三",
                    "account_type": "person",
                }
            ]
        },
    )

    username: str = Field(pattern=USERNAME, description="登录名：3–40 位字母、数字、`_.-`")
    password: str = Field(min_length=8, max_length=128, description="密码，至少 8 位")
    display_name: str = Field(min_length=1, max_length=100, description="姓名或组织名称")
    account_type: AccountType = Field(
        default=AccountType.PERSON, description="person 自然人；organisation 法人或其他组织"
    )
    organisation_category: OrganisationCategory | None = Field(
        default=None,
        description="组织类别（法人或其他组织必填）：商业企业、科研机构、社会公益组织、法律服务机构、其他",
    )
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{5,30}$")

    @model_validator(mode="after")
    def _organisation_needs_category(self) -> Registration:
        if self.account_type == AccountType.ORGANISATION and self.organisation_category is None:
            raise ValueError("法人或其他组织须填写 organisation_category")
        if self.account_type == AccountType.PERSON and self.organisation_category is not None:
            raise ValueError("自然人不填写 organisation_category")
        return self


class StaffCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "clerk3",
                    "password": "a-long-passphrase",
                    "display_name": "李四",
                    "role": "clerk",
                    "agency_id": 4,
                }
            ]
        },
    )

    username: str = Field(pattern=USERNAME)
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=100)
    role: Role = Field(
        description="clerk 经办人员（须有 agency_id）；inspector 监察人员（须有 region_id）；admin 管理员"
    )
    agency_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="经办人员所属机关")
    region_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="监察人员负责的地区（机关树中的一个机关及其下级）"
    )
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\- ]{5,30}$")


class PasswordReset(RequestModel):
    new_password: str = Field(min_length=8, max_length=128)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="访问令牌有效秒数")
    refresh_token: str
    refresh_expires_in: int = Field(description="刷新令牌有效秒数")


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    account_type: AccountType
    organisation_category: OrganisationCategory | None
    agency_id: int | None
    region_id: int | None
    is_active: bool
    created_at: datetime


class Colleague(BaseModel):
    """A working clerk of an agency, as the one who assigns or hands over work picks them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str


class KeyRotation(BaseModel):
    kid: str = Field(description="新的签名密钥标识")


# --- embedding sites (the search widget) -------------------------------------------------------

_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_SITE_RATE_LIMIT = "600/minute"


def normalise_origin(value: str) -> str:
    """`scheme://host[:port]` as a browser sends it in `Origin`: lower case, punycode, no default port."""
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("来源须以 http:// 或 https:// 开头")
    if parts.username is not None or parts.password is not None:
        raise ValueError("来源不能含用户名或密码")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("来源只含协议、主机名和端口，如 https://www.example.gov.cn")
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise ValueError("端口无效") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    else:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ValueError("主机名无效") from None
        if not _HOST.match(host):
            raise ValueError("主机名无效")
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")


def check_rate_limit(value: str) -> str:
    """One limit in the `limits` notation, e.g. `600/minute` or `20/second`."""
    value = value.strip()
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if len(items) != 1 or items[0].amount < 1:
        raise ValueError("限流格式应为“次数/时间单位”，如 600/minute、20/second")
    return value


class SiteCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "origin": "https://www.donghu.example.gov.cn",
                    "name": "东湖县人民政府门户网站",
                    "rate_limit": "600/minute",
                    "with_api_key": True,
                }
            ]
        },
    )

    origin: str = Field(
        min_length=8, max_length=255, description="嵌入检索挂件的网站来源：协议://主机名[:端口]，不含路径"
    )
    name: str = Field(min_length=1, max_length=100, description="网站名称")
    rate_limit: str = Field(
        default=DEFAULT_SITE_RATE_LIMIT, max_length=40, description="该网站的调用限额，如 600/minute"
    )
    with_api_key: bool = Field(
        default=False, description="同时生成 API 密钥（只在本次响应中显示一次，服务器只保存其摘要）"
    )

    @field_validator("origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        return normalise_origin(value)

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        return check_rate_limit(value)


class SiteUpdate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rate_limit": "1200/minute"}, {"is_active": False}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=100, description="网站名称")
    rate_limit: str | None = Field(default=None, max_length=40, description="调用限额，如 600/minute")
    is_active: bool | None = Field(default=None, description="false 停用：来源不再获得跨域许可，API 密钥失效")

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        return None if value is None else check_rate_limit(value)


class SitePublic(BaseModel):
    id: int
    origin: str = Field(description="网站来源（协议://主机名[:端口]）")
    name: str
    rate_limit: str
    is_active: bool
    has_api_key: bool = Field(description="是否设有 API 密钥（密钥本身不再显示）")
    created_at: datetime
    updated_at: datetime


class SiteStatus(BaseModel):
    """What the search widget learns about the page it is on, so it can say why it cannot search."""

    origin: str = Field(description="网页所在来源（浏览器发出的 Origin）")
    registered: bool = Field(description="true：该来源已登记，检索挂件可以调用检索接口")


class SiteWithKey(SitePublic):
    api_key: str | None = Field(
        default=None, description="API 密钥：只在创建和轮换时显示这一次，请求时放在 `X-Api-Key` 头中"
    )
