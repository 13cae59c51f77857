"""Whether a user is a working clerk of an agency: asked of the gateway, which owns the accounts.

Services assign and hand over work to clerks by account id; they check the id here first, so work
never goes to a stranger, a disabled account or a clerk of another agency.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from shared.errors import InvalidField, ServiceUnavailable
from shared.http import ServiceClient

COLLEAGUES = "/api/v1/auth/colleagues"

# (agency id, user id, the request field naming the user) → None, or InvalidField / ServiceUnavailable
ClerkCheck = Callable[[int, str, str], Awaitable[None]]


UNAVAILABLE = "网关暂不可用，无法核对经办人员，请稍后重试"


def gateway_clerks(client: ServiceClient) -> ClerkCheck:
    async def check(agency_id: int, user_id: str, field: str) -> None:
        try:
            response = await client.get(COLLEAGUES, params={"agency_id": agency_id})
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(UNAVAILABLE) from exc
        if response.status_code != 200:
            raise ServiceUnavailable(UNAVAILABLE)
        if user_id not in {str(c.get("id")) for c in response.json()}:
            raise InvalidField(
                field, f"账户 {user_id} 不是该机关在岗的经办人员", code="not_a_clerk_of_agency"
            )

    return check
