"""Gateway API shapes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
        default=None, ge=1, description="监察人员负责的地区（机关树中的一个机关及其下级）"
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


class KeyRotation(BaseModel):
    kid: str = Field(description="新的签名密钥标识")
