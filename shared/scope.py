"""Agency and region scope, the one home of the rule (docs/architecture.md, "Identity and roles"): a
clerk acts on the own agency only; an inspector reads every agency in the region (the region's agency and all
below it). Here as a Python check on one item and as a SQL condition on an item's agency columns.

Items store their agency path (`/1/2/5/`: ancestors and the agency itself, `shared.agencies`), so a
subtree is a substring test on `shared.auth.region_marker`. The catalog's own `Agency.path` lists the
ancestors only: there the agency's id column is passed too (`path_has_self=False`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, or_

from shared.auth import Principal, Role, region_marker


def in_subtree(root_id: int | None, agency_path: str | None, agency_id: int | None = None) -> bool:
    """Whether the agency (by its path, or its id) is `root_id`'s agency or below it."""
    if root_id is None:
        return False
    return agency_id == root_id or (agency_path is not None and region_marker(root_id) in agency_path)


def in_scope(principal: Principal, agency_id: int | None, agency_path: str | None) -> bool:
    """A clerk's own agency; an inspector's region; nobody else's (the public and admins have their
    own rules where they may see anything)."""
    if principal.role == Role.CLERK:
        return principal.is_clerk_of(agency_id)
    if principal.role == Role.INSPECTOR:
        return in_subtree(principal.region_id, agency_path, agency_id)
    return False


# An item's agency columns as the models give them (`col(Model.agency_id)`) or as Core columns.
Column = SQLColumnExpression[Any]


def subtree_condition(
    root_id: int, agency_path: Column, agency_id: Column | None = None
) -> ColumnElement[bool]:
    """SQL: `in_subtree` over a path column (and, where the path leaves the agency out, its id)."""
    inside = agency_path.contains(region_marker(root_id))
    return inside if agency_id is None else or_(agency_id == root_id, inside)


def scope_condition(
    principal: Principal, agency_id: Column, agency_path: Column, *, path_has_self: bool = True
) -> ColumnElement[bool] | None:
    """SQL: `in_scope` over an item's agency id and path columns. None when the rule gives the caller
    no scope (another role, a clerk without an agency, an inspector without a region): the caller
    decides what that means (nothing, or the public's view)."""
    if principal.role == Role.CLERK and principal.agency_id is not None:
        return agency_id == principal.agency_id
    if principal.role == Role.INSPECTOR and principal.region_id is not None:
        return subtree_condition(principal.region_id, agency_path, None if path_has_self else agency_id)
    return None
