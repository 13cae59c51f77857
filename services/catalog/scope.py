"""Who may see and act on which agency's documents: the rule of `shared.scope` over the catalog's
agencies.

Clerks act on their own agency only; inspectors read everything in their region (the region
agency and all below it); the public and admins see only what is published to everyone.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from services.catalog.models import Agency
from shared.auth import Principal
from shared.errors import Forbidden
from shared.scope import in_scope, scope_condition


def can_read_internal(principal: Principal | None, agency: Agency) -> bool:
    """May see drafts, history and revoked documents of this agency (`shared.scope`)."""
    return principal is not None and in_scope(principal, agency.id, agency.path)


def ensure_clerk_of(principal: Principal, agency_id: int) -> None:
    if not principal.is_clerk_of(agency_id):
        raise Forbidden("只能处理本机关的文件", code="agency_scope")


def internal_scope_filter(principal: Principal) -> ColumnElement[bool] | None:
    """SQL condition on `Agency` for the agencies whose internal records the principal may read
    (`Agency.path` lists ancestors only, so the id counts too)."""
    return scope_condition(principal, col(Agency.id), col(Agency.path), path_has_self=False)
