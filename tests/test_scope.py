"""Agency and region scope has one home, `shared.scope`: the Python check and the SQL condition give
the same answer for the same agencies, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import Principal, Role
from shared.scope import in_scope, in_subtree, scope_condition, subtree_condition
from tests.conftest import create_database

# A small tree: 1 (province) > 2 (city) > 5 (district bureau); 1 > 3 (another city) > 7.
ITEM_PATHS = {1: "/1/", 2: "/1/2/", 5: "/1/2/5/", 3: "/1/3/", 7: "/1/3/7/", 12: "/12/"}
# The catalog's Agency.path: ancestors only.
ANCESTOR_PATHS = {1: "/", 2: "/1/", 5: "/1/2/", 3: "/1/", 7: "/1/3/", 12: "/"}

CLERK_OF_2 = Principal(subject="c", role=Role.CLERK, agency_id=2)
INSPECTOR_OF_2 = Principal(subject="i", role=Role.INSPECTOR, region_id=2)
INSPECTOR_OF_1 = Principal(subject="j", role=Role.INSPECTOR, region_id=1)
UNSCOPED = [
    Principal(subject="p", role=Role.PUBLIC),
    Principal(subject="a", role=Role.ADMIN),
    Principal(subject="c0", role=Role.CLERK),  # no agency
    Principal(subject="i0", role=Role.INSPECTOR),  # no region
]

EXPECTED = {
    "clerk of 2": (CLERK_OF_2, {2}),  # the own agency, not the one below it
    "inspector of 2": (INSPECTOR_OF_2, {2, 5}),  # the region's agency and all below it
    "inspector of 1": (INSPECTOR_OF_1, {1, 2, 5, 3, 7}),  # never 12 (/12/ does not contain /1/)
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_in_scope_names_the_own_agency_or_the_region(name: str) -> None:
    principal, agencies = EXPECTED[name]
    assert {a for a, path in ITEM_PATHS.items() if in_scope(principal, a, path)} == agencies
    assert {a for a, path in ANCESTOR_PATHS.items() if in_scope(principal, a, path)} == agencies


def test_nobody_else_has_a_scope() -> None:
    for principal in UNSCOPED:
        assert not any(in_scope(principal, a, path) for a, path in ITEM_PATHS.items())
        assert scope_condition(principal, sa.column("agency_id"), sa.column("agency_path")) is None


def test_in_subtree_matches_whole_ids_only() -> None:
    assert in_subtree(2, "/1/2/5/")
    assert not in_subtree(2, "/1/12/")
    assert not in_subtree(None, "/1/2/")
    assert in_subtree(2, "/1/", agency_id=2)  # an ancestor path with the agency's own id


async def test_scope_condition_selects_what_in_scope_allows(backend: str, tmp_path: Path) -> None:
    meta = sa.MetaData()
    items = sa.Table(
        "items",
        meta,
        sa.Column("agency_id", sa.Integer, primary_key=True),
        sa.Column("agency_path", sa.String),
        sa.Column("ancestors", sa.String),
    )
    engine = create_async_engine(await create_database(backend, tmp_path, "scope"))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(meta.create_all)
            await conn.execute(
                sa.insert(items),
                [
                    {"agency_id": a, "agency_path": p, "ancestors": ANCESTOR_PATHS[a]}
                    for a, p in ITEM_PATHS.items()
                ],
            )

            async def ids(where: object) -> set[int]:
                return set((await conn.execute(sa.select(items.c.agency_id).where(where))).scalars())  # type: ignore[arg-type]

            for principal, agencies in EXPECTED.values():
                assert (
                    await ids(scope_condition(principal, items.c.agency_id, items.c.agency_path)) == agencies
                )
                ancestors = scope_condition(
                    principal, items.c.agency_id, items.c.ancestors, path_has_self=False
                )
                assert await ids(ancestors) == agencies
            assert await ids(subtree_condition(3, items.c.agency_path)) == {3, 7}
            assert await ids(subtree_condition(3, items.c.ancestors, items.c.agency_id)) == {3, 7}
    finally:
        await engine.dispose()
