"""Who may see and act on which agency's documents (one place for the rule).

Clerks act on their own agency only; inspectors read everything in their region (the region
agency and all below it); the public and admins see only what is published to everyone.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from services.catalog.models import Agency
from shared.auth import Principal, Role, region_marker
from shared.errors import Forbidden


def agency_in_region(agency: Agency, region_id: int | None) -> bool:
    return region_id is not None and (agency.id == region_id or region_marker(region_id) in agency.path)


def can_read_internal(principal: Principal | None, agency: Agency) -> bool:
    """May see drafts, history and revoked documents of this agency."""
    if principal is None:
        return False
    if principal.role == Role.CLERK:
        return principal.agency_id == agency.id
    if principal.role == Role.INSPECTOR:
        return agency_in_region(agency, principal.region_id)
    return False


def ensure_clerk_of(principal: Principal, agency_id: int) -> None:
    if not principal.is_clerk_of(agency_id):
        raise Forbidden("只能处理本机关的文件", code="agency_scope")


def internal_scope_filter(principal: Principal) -> ColumnElement[bool] | None:
    """SQL condition on `Agency` for the agencies whose internal records the principal may read."""
    if principal.role == Role.CLERK and principal.agency_id is not None:
        return col(Agency.id) == principal.agency_id
    if principal.role == Role.INSPECTOR and principal.region_id is not None:
        return or_(
            col(Agency.id) == principal.region_id,
            col(Agency.path).contains(region_marker(principal.region_id)),
        )
    return None
