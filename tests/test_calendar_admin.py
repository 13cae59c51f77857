"""The holiday calendar admins enter (`/api/v1/admin/calendar`, served by the requests service).

Deadlines are derived on read from the events and the calendar, so entering a year's calendar moves
every open deadline in that year at its next read; a year nobody knows counts Monday–Friday less its
statutory holidays, marked provisional until an admin confirms the whole year, and never fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from shared.devrun import Cluster
from shared.errors import InvalidField
from tests.conftest import Tokens, _serve, create_database
from tests.test_requests_lifecycle import PATHS, URL, Clock, World

CALENDAR = "/api/v1/admin/calendar"
NEW_YEAR_2027 = [
    {"day": "2027-01-01", "working": False, "name": "元旦"},
    {"day": "2027-01-04", "working": False, "name": "元旦"},  # an extra day off, as a notice may give
    {"day": "2027-02-20", "working": True, "name": "春节调休"},  # a Saturday
]
CONFIRMED_2027 = {"days": NEW_YEAR_2027, "confirmed": True}


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[World]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    async def lookup(agency_id: int) -> str:
        if agency_id not in PATHS:
            raise InvalidField("agency_id", f"机关 {agency_id} 不存在", code="agency_not_found")
        return PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    clock = Clock()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.today = clock
    async for client in _serve(app, "http://requests"):
        yield World(client, tokens, clock)


def admin(world: World) -> dict[str, str]:
    return world.tokens.header("admin", sub="1")


async def test_entering_a_year_moves_the_open_deadlines_that_counted_it_provisionally(world: World) -> None:
    world.clock.today = date(2026, 12, 20)
    receipt = await world.apply()
    assert receipt["received_on"] == "2026-12-20"
    before = (await world.get(receipt["id"], world.clerk())).json()["deadline"]
    # 2027 is unknown to chinese_calendar: Monday–Friday less its statutory holidays (元旦 1/1 is
    # off, not counted as before), marked provisional.
    # 12/21–25(1–5) 12/28–31(6–9) [1/1] 1/4–8(10–14) 1/11–15(15–19) 1/18(20)
    assert before["due"] == "2027-01-18" and before["provisional"] is True
    shown = await world.client.get(CALENDAR, params={"year": 2027}, headers=world.clerk())
    assert shown.status_code == 200, shown.text
    assert shown.json() | {"days": [], "statutory": []} == {
        "year": 2027,
        "known_to_library": False,
        "entered": False,
        "confirmed": False,
        "confirmed_by": None,
        "confirmed_at": None,
        "provisional": True,
        "statutory": [],
        "days": [],
    }
    statutory = {(d["day"], d["name"]) for d in shown.json()["statutory"]}
    assert {("2027-01-01", "元旦"), ("2027-02-05", "春节"), ("2027-02-08", "春节")} <= statutory
    assert {("2027-04-05", "清明节"), ("2027-06-09", "端午节"), ("2027-09-15", "中秋节")} <= statutory

    # Dates entered, the year not confirmed: they count, and the year stays provisional.
    put = await world.client.put(f"{CALENDAR}/2027", json={"days": NEW_YEAR_2027}, headers=admin(world))
    assert put.status_code == 200, put.text
    assert (put.json()["entered"], put.json()["confirmed"], put.json()["provisional"]) == (True, False, True)
    assert [(d["day"], d["working"], d["name"]) for d in put.json()["days"]] == [
        ("2027-01-01", False, "元旦"),
        ("2027-01-04", False, "元旦"),
        ("2027-02-20", True, "春节调休"),
    ]
    entered = (await world.get(receipt["id"], world.clerk())).json()["deadline"]
    assert entered["due"] == "2027-01-19" and entered["provisional"] is True  # 1/4 off now too

    put = await world.client.put(f"{CALENDAR}/2027", json=CONFIRMED_2027, headers=admin(world))
    assert put.status_code == 200, put.text
    assert (put.json()["confirmed"], put.json()["provisional"], put.json()["confirmed_by"]) == (
        True,
        False,
        "1",
    )
    after = (await world.get(receipt["id"], world.clerk())).json()["deadline"]
    assert after["due"] == "2027-01-19" and after["provisional"] is False
    listed = (await world.client.get(URL, headers=world.clerk())).json()["items"]
    assert [(i["due"], i["provisional"]) for i in listed if i["id"] == receipt["id"]] == [
        ("2027-01-19", False)
    ]

    read = await world.client.get(CALENDAR, params={"year": 2027}, headers=world.inspector())
    assert read.status_code == 200 and len(read.json()["days"]) == 3 and read.json()["confirmed"] is True

    deleted = await world.client.delete(f"{CALENDAR}/2027", headers=admin(world))
    assert deleted.status_code == 200 and deleted.json()["days"] == []
    assert deleted.json()["confirmed"] is False and deleted.json()["provisional"] is True
    again = (await world.get(receipt["id"], world.clerk())).json()["deadline"]
    assert again["due"] == "2027-01-18" and again["provisional"] is True


async def test_entering_one_date_does_not_confirm_the_year(world: World) -> None:
    """The old answer: any date entered made the whole year known, so its deadlines lost the mark."""
    world.clock.today = date(2026, 12, 20)
    receipt = await world.apply()
    one = [{"day": "2027-02-20", "working": True, "name": "春节调休"}]
    put = await world.client.put(f"{CALENDAR}/2027", json={"days": one}, headers=admin(world))
    assert put.status_code == 200, put.text
    assert put.json()["entered"] is True and put.json()["provisional"] is True
    deadline = (await world.get(receipt["id"], world.clerk())).json()["deadline"]
    assert (deadline["due"], deadline["provisional"]) == ("2027-01-18", True)
    listed = (await world.client.get(URL, headers=world.clerk())).json()["items"]
    assert [i["provisional"] for i in listed if i["id"] == receipt["id"]] == [True]
    # Replacing the year without `confirmed` withdraws an earlier confirmation.
    await world.client.put(f"{CALENDAR}/2027", json={"days": one, "confirmed": True}, headers=admin(world))
    again = await world.client.put(f"{CALENDAR}/2027", json={"days": one}, headers=admin(world))
    assert again.json()["confirmed"] is False and again.json()["provisional"] is True


async def test_a_worker_that_counted_with_the_old_calendar_rewrites_its_due_dates_at_its_next_read(
    world: World, tokens: Tokens
) -> None:
    """Two workers on one database: the calendar is entered through the first while the second still
    holds the old one and stores a due date with it; the second's next read of the calendar finds
    the change and rewrites that due date."""
    from services.requests.app import create_app
    from services.requests.holidays import CACHE_TTL
    from services.requests.settings import RequestsSettings

    first = world.client.app  # type: ignore[attr-defined]
    second_app = create_app(
        RequestsSettings(database_url=first.state.settings.database_url, environment="test")
    )
    second_app.state.verifier = tokens.verifier()
    second_app.state.agency_lookup = first.state.agency_lookup
    second_app.state.today = world.clock
    world.clock.today = date(2026, 12, 20)
    async for second_client in _serve(second_app, "http://requests-2"):
        second = World(second_client, tokens, world.clock)
        warm = await second.client.get(URL, headers=second.clerk())  # the second now holds the calendar
        assert warm.status_code == 200
        put = await world.client.put(f"{CALENDAR}/2027", json=CONFIRMED_2027, headers=admin(world))
        assert put.status_code == 200, put.text

        receipt = await second.apply()
        assert receipt["due"] == "2027-01-18", "counted with the calendar the second worker still holds"
        stored = (await world.client.get(URL, headers=world.clerk())).json()["items"]
        assert [i["due"] for i in stored if i["id"] == receipt["id"]] == ["2027-01-18"]

        loaded_at, calendar, read_at = second_app.state.calendar_cache
        second_app.state.calendar_cache = (loaded_at - CACHE_TTL - 1, calendar, read_at)
        listed = (await second.client.get(URL, headers=second.clerk())).json()["items"]
        assert [(i["due"], i["provisional"]) for i in listed if i["id"] == receipt["id"]] == [
            ("2027-01-19", False)
        ]
        seen_by_first = (await world.client.get(URL, headers=world.clerk())).json()["items"]
        assert [i["due"] for i in seen_by_first if i["id"] == receipt["id"]] == ["2027-01-19"]


async def test_a_known_year_needs_no_entry_and_is_not_provisional(world: World) -> None:
    shown = await world.client.get(CALENDAR, params={"year": 2026}, headers=admin(world))
    assert shown.status_code == 200
    assert shown.json()["known_to_library"] is True and shown.json()["provisional"] is False
    default = await world.client.get(CALENDAR, headers=admin(world))
    assert default.json()["year"] == 2026


async def test_only_admins_write_and_the_public_cannot_read(world: World) -> None:
    body = {"days": NEW_YEAR_2027}
    assert (await world.client.put(f"{CALENDAR}/2027", json=body, headers=world.clerk())).status_code == 403
    assert (await world.client.delete(f"{CALENDAR}/2027", headers=world.inspector())).status_code == 403
    assert (await world.client.get(CALENDAR, headers=world.citizen())).status_code == 403
    assert (await world.client.get(CALENDAR)).status_code == 401


async def test_a_day_outside_the_year_is_named(world: World) -> None:
    days = [*NEW_YEAR_2027, {"day": "2028-01-01", "working": False, "name": "元旦"}]
    response = await world.client.put(f"{CALENDAR}/2027", json={"days": days}, headers=admin(world))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.days.3.day"
    twice = [*NEW_YEAR_2027, NEW_YEAR_2027[0]]
    response = await world.client.put(f"{CALENDAR}/2027", json={"days": twice}, headers=admin(world))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.days.3.day"
    shown = await world.client.get(CALENDAR, params={"year": 2027}, headers=admin(world))
    assert shown.json()["days"] == [], "a refused write changes nothing"


def test_an_admin_enters_a_year_through_the_gateway(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:

        def login(username: str) -> dict[str, str]:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}
            )
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        admin_h, clerk = login("admin"), login("clerk1")
        put = client.put(
            f"{CALENDAR}/2031", json={"days": [{"day": "2031-01-01", "working": False}]}, headers=admin_h
        )
        assert put.status_code == 200, put.text
        got = client.get(CALENDAR, params={"year": 2031}, headers=clerk)
        assert got.status_code == 200, got.text
        assert got.json()["entered"] is True and got.json()["days"][0]["day"] == "2031-01-01"
        assert got.json()["provisional"] is True, "one date entered, the year not confirmed"
        assert client.put(f"{CALENDAR}/2031", json={"days": []}, headers=clerk).status_code == 403
        assert client.get("/api/v1/admin/users", headers=admin_h).status_code == 200  # still the gateway's
