"""An agency's place in the tree, asked of the catalog service (which owns agencies).

Services store each item's agency path (`/1/2/5/`: ancestors and the agency itself) so region scope
is a substring test (`shared.auth.region_marker`) without a join across databases.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from shared.errors import InvalidField, ServiceUnavailable
from shared.http import ServiceClient


class AgencyLookup(Protocol):
    async def __call__(self, agency_id: int, field: str = "agency_id") -> str: ...


def catalog_lookup(client: ServiceClient) -> AgencyLookup:
    """`agency_id` → its path, walking parents through `GET /api/v1/catalog/agencies/{id}`;
    parents are cached (agencies rarely move). An unknown agency is a 422 naming `field`."""
    parents: dict[int, int | None] = {}

    async def parent_of(agency_id: int, field: str) -> int | None:
        if agency_id in parents:
            return parents[agency_id]
        try:
            response = await client.get(f"/api/v1/catalog/agencies/{agency_id}")
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("目录服务暂不可用，无法核对机关，请稍后重试") from exc
        if response.status_code == 404:
            raise InvalidField(field, f"机关 {agency_id} 不存在", code="agency_not_found")
        if response.status_code != 200:
            raise ServiceUnavailable("目录服务暂不可用，无法核对机关，请稍后重试")
        parents[agency_id] = response.json().get("parent_id")
        return parents[agency_id]

    async def lookup(agency_id: int, field: str = "agency_id") -> str:
        chain = [agency_id]
        parent = await parent_of(agency_id, field)
        while parent is not None and parent not in chain and len(chain) < 20:
            chain.append(parent)
            parent = await parent_of(parent, field)
        return "/" + "/".join(str(i) for i in reversed(chain)) + "/"

    return lookup


def parent_in_path(path: str) -> int | None:
    """The parent of the agency a path ends with (None for a root)."""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    return ids[-2] if len(ids) > 1 else None
