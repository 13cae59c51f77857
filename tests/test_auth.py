"""Accounts and tokens at the gateway: registration, login, /me, refresh rotation, reuse, disable."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import login

PASSWORD = "correct horse battery"


async def register(gateway: httpx.AsyncClient, username: str, **extra: object) -> httpx.Response:
    body = {"username": username, "password": PASSWORD, "display_name": "张三", **extra}
    return await gateway.post("/api/v1/auth/register", json=body)


async def admin_headers(gateway: httpx.AsyncClient) -> dict[str, str]:
    tokens = await login(gateway, "admin")
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def user_id(gateway: httpx.AsyncClient, username: str) -> int:
    tokens = await login(gateway, username, PASSWORD)
    me = await gateway.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    return me.json()["id"]


async def test_a_citizen_registers_logs_in_and_sees_herself(gateway) -> None:
    created = await register(gateway, "zhangsan")
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "public"
    assert "password" not in created.text and "password_hash" not in created.text
    tokens = await login(gateway, "zhangsan", PASSWORD)
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 15 * 60
    me = await gateway.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "zhangsan" and me.json()["display_name"] == "张三"


async def test_an_organisation_registers_with_its_category(gateway) -> None:
    missing = await register(gateway, "acme-ltd", account_type="organisation")
    assert missing.status_code == 422
    created = await register(
        gateway, "acme-ltd", account_type="organisation", organisation_category="commercial_enterprise"
    )
    assert created.status_code == 201, created.text
    assert created.json()["organisation_category"] == "commercial_enterprise"


async def test_registration_cannot_choose_a_role(gateway) -> None:
    response = await register(gateway, "sneaky", role="admin")
    assert response.status_code == 422
    assert any(e["field"].endswith("role") for e in response.json()["errors"])


async def test_a_username_is_taken_once_whatever_its_case(gateway) -> None:
    assert (await register(gateway, "Lisi")).status_code == 201
    again = await register(gateway, "lisi")
    assert again.status_code == 409 and again.json()["code"] == "username_taken"


async def test_wrong_password_and_unknown_user_look_the_same(gateway) -> None:
    await register(gateway, "wangwu")
    wrong = await gateway.post("/api/v1/auth/token", data={"username": "wangwu", "password": "nope-nope"})
    unknown = await gateway.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_refresh_rotates_and_the_old_token_is_then_refused(gateway) -> None:
    await register(gateway, "rotator")
    first = await login(gateway, "rotator", PASSWORD)
    second = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    third = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert third.status_code == 200


async def test_reusing_a_refresh_token_revokes_its_whole_family(gateway) -> None:
    await register(gateway, "victim")
    stolen = (await login(gateway, "victim", PASSWORD))["refresh_token"]
    legit = (await gateway.post("/api/v1/auth/refresh", json={"refresh_token": stolen})).json()[
        "refresh_token"
    ]
    replay = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert replay.status_code == 401 and replay.json()["code"] == "refresh_token_reused"
    after = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": legit})
    assert after.status_code == 401 and after.json()["code"] == "refresh_token_revoked"
    # Another login (another family) is unaffected.
    other = await login(gateway, "victim", PASSWORD)
    assert (
        await gateway.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    ).status_code == 200


async def test_of_two_concurrent_refreshes_of_one_token_exactly_one_wins(gateway) -> None:
    await register(gateway, "racer")
    token = (await login(gateway, "racer", PASSWORD))["refresh_token"]
    results = await asyncio.gather(
        *(gateway.post("/api/v1/auth/refresh", json={"refresh_token": token}) for _ in range(4))
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 401, 401, 401], [r.text for r in results]
    # The losers presented a used token (or one whose family a loser already revoked).
    codes = {r.json()["code"] for r in results if r.status_code == 401}
    assert codes <= {"refresh_token_reused", "refresh_token_revoked"}, codes


async def test_a_forged_refresh_token_is_refused(gateway) -> None:
    await register(gateway, "forger")
    real = (await login(gateway, "forger", PASSWORD))["refresh_token"]
    token_id = real.split(".")[0]
    forged = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": f"{token_id}.guessed-secret"})
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_refresh_token"


async def test_logout_ends_the_refresh_family(gateway) -> None:
    await register(gateway, "leaver")
    tokens = await login(gateway, "leaver", PASSWORD)
    assert (
        await gateway.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204
    again = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


async def test_a_disabled_user_cannot_refresh_or_log_in(gateway) -> None:
    await register(gateway, "tobedisabled")
    tokens = await login(gateway, "tobedisabled", PASSWORD)
    uid = await user_id(gateway, "tobedisabled")
    headers = await admin_headers(gateway)
    disabled = await gateway.post(f"/api/v1/admin/users/{uid}/disable", headers=headers)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    refresh = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    relogin = await gateway.post(
        "/api/v1/auth/token", data={"username": "tobedisabled", "password": PASSWORD}
    )
    assert relogin.status_code == 401 and relogin.json()["code"] == "account_disabled"
    enabled = await gateway.post(f"/api/v1/admin/users/{uid}/enable", headers=headers)
    assert enabled.json()["is_active"] is True
    assert (await login(gateway, "tobedisabled", PASSWORD))["access_token"]


async def test_an_admin_resets_a_password_and_old_sessions_end(gateway) -> None:
    await register(gateway, "forgetful")
    tokens = await login(gateway, "forgetful", PASSWORD)
    uid = await user_id(gateway, "forgetful")
    headers = await admin_headers(gateway)
    reset = await gateway.post(
        f"/api/v1/admin/users/{uid}/password", headers=headers, json={"new_password": "a brand new secret"}
    )
    assert reset.status_code == 200
    assert (
        await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 401
    assert (await login(gateway, "forgetful", "a brand new secret"))["access_token"]


async def test_an_admin_cannot_disable_herself(gateway) -> None:
    headers = await admin_headers(gateway)
    me = (await gateway.get("/api/v1/auth/me", headers=headers)).json()
    response = await gateway.post(f"/api/v1/admin/users/{me['id']}/disable", headers=headers)
    assert response.status_code == 409


async def test_staff_creation_needs_the_catalog_and_says_so_when_it_is_down(gateway) -> None:
    headers = await admin_headers(gateway)
    response = await gateway.post(
        "/api/v1/admin/users",
        headers=headers,
        json={
            "username": "clerk9",
            "password": PASSWORD,
            "display_name": "刘九",
            "role": "clerk",
            "agency_id": 3,
        },
    )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "clerk"}, "agency_id"),
        ({"role": "inspector"}, "region_id"),
        ({"role": "clerk", "agency_id": 3, "region_id": 2}, "region_id"),
        ({"role": "public"}, "role"),
    ],
)
async def test_staff_scope_must_match_the_role(gateway, body: dict, field: str) -> None:
    headers = await admin_headers(gateway)
    response = await gateway.post(
        "/api/v1/admin/users",
        headers=headers,
        json={"username": "staffer", "password": PASSWORD, "display_name": "员工", **body},
    )
    assert response.status_code == 422
    assert field in response.json()["detail"]


async def test_the_jwks_publishes_the_signing_key_and_keeps_the_old_one_after_rotation(gateway) -> None:
    headers = await admin_headers(gateway)
    before = (await gateway.get("/.well-known/jwks.json")).json()["keys"]
    assert len(before) == 1 and before[0]["alg"] == "RS256" and "d" not in before[0]
    rotated = await gateway.post("/api/v1/admin/keys/rotate", headers=headers)
    assert rotated.status_code == 200
    after = (await gateway.get("/.well-known/jwks.json")).json()["keys"]
    assert [k["kid"] for k in after] == [rotated.json()["kid"], before[0]["kid"]]
    # A token signed before the rotation still works until it expires.
    assert (await gateway.get("/api/v1/auth/me", headers=headers)).status_code == 200


async def test_login_is_rate_limited_with_retry_after(tmp_path, backend) -> None:
    from gateway.app import create_app
    from gateway.settings import GatewaySettings
    from tests.conftest import _serve, create_database

    settings = GatewaySettings(
        database_url=await create_database(backend, tmp_path, "gw", schema="gateway"),
        environment="test",
        key_dir=tmp_path / "keys",
        rate_limit_login="3/minute",
        rate_limit_register="2/minute",
    )
    async for client in _serve(create_app(settings), "http://gateway"):
        codes = [
            (await client.post("/api/v1/auth/token", data={"username": "admin", "password": "x"})).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        limited = await client.post("/api/v1/auth/token", data={"username": "admin", "password": "x"})
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) in range(1, 61)
        statuses = [(await register(client, f"user{i}")).status_code for i in range(3)]
        assert statuses == [201, 201, 429]


async def test_a_region_beyond_any_id_is_422_not_a_catalog_outage(gateway) -> None:
    headers = await admin_headers(gateway)
    body = {"username": "inspector9", "password": PASSWORD, "display_name": "员工", "role": "inspector"}
    response = await gateway.post("/api/v1/admin/users", headers=headers, json={**body, "region_id": 2**40})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.region_id"


async def test_the_user_search_takes_percent_and_underscore_as_typed(gateway) -> None:
    for username, display_name in (("lilei", "李_雷"), ("lixlei", "李x雷"), ("wang5", "王%5")):
        assert (await register(gateway, username, display_name=display_name)).status_code == 201
    headers = await admin_headers(gateway)

    async def found(q: str) -> list[str]:
        response = await gateway.get("/api/v1/admin/users", params={"q": q}, headers=headers)
        return sorted(u["username"] for u in response.json()["items"])

    assert await found("李_") == ["lilei"]  # "_" is not "any one character"
    assert await found("%") == ["wang5"]
