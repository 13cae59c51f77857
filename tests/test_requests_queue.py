"""The clerk queue reads the deadline kept on each application row (`lifecycle.stored_deadline`):
it always says what the deadline computed from the events says, its flag and due-date filters
select exactly the applications the events would, and a calendar change rewrites it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from services.requests.lifecycle import INVALID_STAGE, stored_deadline
from services.requests.models import Application
from shared.calendar import WorkingCalendar
from shared.deadlines import NATIONAL_2019, ClockEvent, ClockEventKind, compute_deadline
from tests import test_requests_lifecycle
from tests.conftest import create_database
from tests.test_requests_lifecycle import URL, World, body

CALENDAR = "/api/v1/admin/calendar"
world = test_requests_lifecycle.world  # the requests app in process, with a settable today
K = ClockEventKind


async def listed(world: World, **params: Any) -> dict[int, dict[str, Any]]:
    response = await world.client.get(URL, params={"page_size": 100, **params}, headers=world.clerk())
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


async def detail(world: World, app_id: int) -> dict[str, Any]:
    response = await world.get(app_id, world.clerk())
    assert response.status_code == 200, response.text
    return response.json()


async def assert_queue_agrees_with_the_events(world: World, ids: list[int]) -> None:
    """Every row, every filter: what the queue says is what the events say today."""
    items = await listed(world)
    details = {app_id: await detail(world, app_id) for app_id in ids}
    for app_id, found in details.items():
        d = found["deadline"]
        shown = items[app_id]
        assert (shown["due"], shown["flag"], shown["provisional"]) == (
            d["due"],
            d["flag"],
            d["provisional"],
        ), (
            app_id,
            found["state"],
        )
    open_ = {i for i, f in details.items() if f["deadline"]["flag"] != "closed"}
    for flag in ("red", "yellow"):
        expected = {i for i in open_ if details[i]["deadline"]["flag"] == flag}
        assert set(await listed(world, flag=flag)) == expected, flag
    # 电子监察: the service's yellow/red list (merged by the gateway) says the same, nearest due first.
    response = await world.client.get(f"{URL}/supervision/overdue", headers=world.inspector())
    assert response.status_code == 200, response.text
    overdue = response.json()
    flagged = {
        i: details[i]["deadline"] for i in open_ if details[i]["deadline"]["flag"] in ("red", "yellow")
    }
    assert {i["id"]: (i["flag"], i["due"]) for i in overdue["items"]} == {
        i: (d["flag"], d["due"]) for i, d in flagged.items()
    }
    assert overdue["total"] == len(flagged)
    assert [i["due"] for i in overdue["items"]] == sorted(i["due"] for i in overdue["items"])
    for before in ("2026-12-10", "2026-12-23", "2027-01-10"):
        expected = {
            i
            for i in open_
            if details[i]["deadline"]["due"] is not None and details[i]["deadline"]["due"] < before
        }
        assert set(await listed(world, due_before=before)) == expected, before
    page = (await world.client.get(URL, params={"flag": "red", "page_size": 1}, headers=world.clerk())).json()
    assert page["total"] == len({i for i in open_ if details[i]["deadline"]["flag"] == "red"})


async def test_the_queue_shows_the_deadline_of_the_events_in_every_stage(world: World) -> None:
    clerk = world.clerk()
    registered = (await world.apply())["id"]
    correcting = (await world.apply())["id"]
    r = await world.act(
        correcting, "correction-request", {"items": [{"text": "请写明文件名称"}], "days": 10}, clerk
    )
    assert r.status_code == 200, r.text
    consulting = (await world.apply())["id"]
    r = await world.act(
        consulting, "consultation", {"kind": "third_party", "party": "某公司", "reason": "商业秘密"}, clerk
    )
    assert r.status_code == 200, r.text
    extended = (await world.apply())["id"]
    assert (
        await world.act(
            extended,
            "extension",
            {"days": 5, "reason": "需要汇总", "approver_name": "王明", "approver_role": "主任"},
            clerk,
        )
    ).status_code == 200
    decided = (await world.apply())["id"]
    decision = {"outcome": "disclosed", "reason": "予以公开", "legal_basis": "条例第三十六条"}
    assert (await world.act(decided, "decision", decision, clerk)).status_code == 200
    fee = (await world.apply())["id"]
    r = await world.act(fee, "fee-notice", {"method": "by_pages", "pages": 31, "reason": "页数较多"}, clerk)
    assert r.status_code == 201, r.text
    ids = [registered, correcting, consulting, extended, decided, fee]

    assert (await listed(world))[registered]["due"] == "2026-12-22"
    await assert_queue_agrees_with_the_events(world, ids)
    world.clock.today = date(2026, 12, 18)  # 2 working days before 12-22: yellow
    assert (await listed(world))[registered]["flag"] == "yellow"
    await assert_queue_agrees_with_the_events(world, ids)
    world.clock.today = date(2026, 12, 23)  # past it: red; the extended one is not
    assert (await listed(world))[registered]["flag"] == "red"
    await assert_queue_agrees_with_the_events(world, ids)

    # The paused clocks resume; their stored due dates move by the days not counted.
    end = await world.act(consulting, "consultation/end", {"opinion": "同意公开"}, clerk)
    assert end.status_code == 200, end.text
    assert (await listed(world))[consulting]["due"] > "2026-12-22"
    await assert_queue_agrees_with_the_events(world, ids)


async def test_a_clock_paused_while_overdue_stays_red_in_the_queue_and_its_filter(world: World) -> None:
    late = (await world.apply())["id"]
    on_time = (await world.apply())["id"]
    clerk = world.clerk()
    world.clock.today = date(2026, 12, 1)
    start = {"kind": "other_agency", "party": "青山市民政局", "reason": "征求意见"}
    assert (await world.act(on_time, "consultation", start, clerk)).status_code == 200
    world.clock.today = date(2026, 12, 23)
    assert (await world.act(late, "consultation", start, clerk)).status_code == 200
    world.clock.today = date(2027, 1, 6)
    items = await listed(world)
    assert items[late]["flag"] == "red" and items[on_time]["flag"] == "none"
    assert set(await listed(world, flag="red")) == {late}
    await assert_queue_agrees_with_the_events(world, [late, on_time])


async def test_an_unanswered_third_party_consultation_turns_yellow_then_red_in_the_queue(
    world: World,
) -> None:
    # 条例第三十二条: received 10/12/2026, third party asked 10/16; no reply by 11/6, so the clock runs
    # again from 11/9 and the answer is due 11/30. Another agency's opinion (第三十四条) has no limit.
    clerk = world.clerk()
    world.clock.today = date(2026, 10, 12)
    silent = (await world.apply())["id"]
    agency = (await world.apply())["id"]
    world.clock.today = date(2026, 10, 16)
    third_party = {"kind": "third_party", "party": "某公司", "reason": "商业秘密"}
    other_agency = {"kind": "other_agency", "party": "青山市民政局", "reason": "征求意见"}
    assert (await world.act(silent, "consultation", third_party, clerk)).status_code == 200
    assert (await world.act(agency, "consultation", other_agency, clerk)).status_code == 200
    await assert_queue_agrees_with_the_events(world, [silent, agency])
    world.clock.today = date(2026, 11, 26)  # 11/27, 11/30 left: yellow
    assert (await listed(world))[silent]["flag"] == "yellow"
    assert set(await listed(world, flag="yellow")) == {silent}
    await assert_queue_agrees_with_the_events(world, [silent, agency])
    world.clock.today = date(2026, 12, 1)
    items = await listed(world)
    assert (items[silent]["flag"], items[silent]["due"]) == ("red", "2026-11-30")
    assert items[agency]["flag"] == "none"
    assert set(await listed(world, flag="red")) == {silent}
    await assert_queue_agrees_with_the_events(world, [silent, agency])


async def test_a_calendar_change_rewrites_the_stored_due_dates(world: World) -> None:
    clerk, admin = world.clerk(), world.tokens.header("admin", sub="1")
    open_id = (await world.apply())["id"]
    closed_id = (await world.apply())["id"]
    decision = {"outcome": "disclosed", "reason": "予以公开", "legal_basis": "条例第三十六条"}
    assert (await world.act(closed_id, "decision", decision, clerk)).status_code == 200
    items = await listed(world)
    assert items[open_id]["due"] == items[closed_id]["due"] == "2026-12-22"

    holiday = {"days": [{"day": "2026-12-01", "working": False, "name": "测试假日"}]}
    put = await world.client.put(f"{CALENDAR}/2026", json=holiday, headers=admin)
    assert put.status_code == 200, put.text
    items = await listed(world)
    assert items[open_id]["due"] == items[closed_id]["due"] == "2026-12-23"
    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = {a.id: a.due_on for a in (await session.exec(select(Application))).all()}
    assert stored == {open_id: date(2026, 12, 23), closed_id: date(2026, 12, 23)}
    await assert_queue_agrees_with_the_events(world, [open_id, closed_id])

    assert (await world.client.delete(f"{CALENDAR}/2026", headers=admin)).status_code == 200
    items = await listed(world)
    assert items[open_id]["due"] == items[closed_id]["due"] == "2026-12-22"


def test_the_stored_deadline_is_the_engine_s_answer_without_today() -> None:
    calendar = WorkingCalendar()
    received = ClockEvent(K.RECEIVED, date(2026, 11, 24))
    assert stored_deadline("national-2019", [received], calendar) == {
        "due_on": date(2026, 12, 22),
        "due_provisional": False,
        "paused_since": None,
        "deadline_stage": "answer",
    }
    # Paused on 12-01 and again (overlapping) on 12-03: the due date as it stood at the first start.
    paused = [
        received,
        ClockEvent(K.PAUSE_STARTED, date(2026, 12, 1)),
        ClockEvent(K.PAUSE_STARTED, date(2026, 12, 3)),
    ]
    assert stored_deadline("national-2019", paused, calendar) == {
        "due_on": date(2026, 12, 22),
        "due_provisional": False,
        "paused_since": date(2026, 12, 1),
        "deadline_stage": "answer",
    }
    # A third-party consultation from 11/24 ends by itself on 12/15 at the latest (条例第三十二条): the
    # due date kept is the one the clock has when it runs again (12/22 + 15 working days).
    consulting = [received, ClockEvent(K.CONSULTATION_STARTED, date(2026, 11, 24))]
    assert stored_deadline("national-2019", consulting, calendar)["paused_since"] == date(2026, 11, 24)
    assert (
        stored_deadline("national-2019", consulting, calendar)["due_on"]
        == compute_deadline(consulting, NATIONAL_2019, calendar, date(2026, 12, 16)).due
    )
    waiting = [received, ClockEvent(K.CORRECTION_REQUESTED, date(2026, 11, 25), 10)]
    assert stored_deadline("national-2019", waiting, calendar)["deadline_stage"] == "awaiting_correction"
    assert stored_deadline("national-2019", waiting, calendar)["due_on"] is None
    broken = [received, ClockEvent(K.EXTENDED, date(2026, 11, 25), 30)]  # more than 20 days
    assert stored_deadline("national-2019", broken, calendar)["deadline_stage"] == INVALID_STAGE
    unknown_year = [ClockEvent(K.RECEIVED, date(2027, 12, 20))]
    assert stored_deadline("national-2019", unknown_year, calendar)["due_provisional"] is True


async def legacy_database(
    backend: str,
    tmp_path: Path,
    revision: str,
    applications: list[tuple[int, str, str]],
    history: list[tuple[str, str, dict[str, Any]]],
) -> tuple[str, AsyncEngine]:
    """A requests database at an older `revision` holding applications (id, received, state) and
    their events (application id, action, clock fact), as rows written before a migration."""
    import asyncio

    from services.requests.app import MIGRATIONS
    from shared.db import make_engine, migrate

    url = await create_database(backend, tmp_path, f"requests_{revision}")
    await asyncio.to_thread(migrate, MIGRATIONS, url, revision)
    engine = make_engine(url)
    async with engine.begin() as conn:
        for app_id, received, state in applications:
            await conn.execute(
                sa.text(
                    "INSERT INTO applications (id, tracking_no, query_code_hash, agency_id, agency_path, "
                    "applicant_type, applicant_name, id_type, id_number, id_number_index, phone, description, "
                    "form, delivery, channel, received_on, rule_set, state, created_at, updated_at) VALUES "
                    "(:id, :t, 'x', 3, '/1/2/3/', 'natural_person', 'x', 'resident_id', 'x', 'x', 'x', :d, "
                    "'electronic', 'email', 'online', :r, 'national-2019', :s, :now, :now)"
                ),
                {
                    "id": app_id,
                    "t": f"YSQ-MIGR{revision}-{app_id}",
                    "d": body()["description"],
                    "r": date.fromisoformat(received),
                    "s": state,
                    "now": datetime(2025, 12, 1, tzinfo=UTC),
                },
            )
        events = sa.table(
            "events",
            sa.column("aggregate_type", sa.String),
            sa.column("aggregate_id", sa.String),
            sa.column("action", sa.String),
            sa.column("after", sa.JSON),
            sa.column("at", sa.DateTime),
        )
        for aggregate_id, action, fact in history:
            await conn.execute(
                events.insert().values(
                    aggregate_type="application",
                    aggregate_id=aggregate_id,
                    action=action,
                    after={"clock": fact},
                    at=sa.func.current_timestamp(),
                )
            )
    return url, engine


async def test_applications_from_before_the_columns_get_them_when_the_process_starts(
    backend: str, tmp_path: Path
) -> None:
    """Migration 0007 adds the columns empty (its revision cannot know today's deadline rules); the
    process fills them from the events when it starts, once."""
    import asyncio

    from services.requests.app import MIGRATIONS, create_app
    from services.requests.settings import RequestsSettings
    from shared.db import migrate

    url, engine = await legacy_database(
        backend,
        tmp_path,
        "0006",
        [(1, "2026-11-24", "registered"), (2, "2026-11-24", "consultation")],
        [
            ("1", "applied", {"kind": "received", "on": "2026-11-24"}),
            ("2", "applied", {"kind": "received", "on": "2026-11-24"}),
            ("2", "start_consultation", {"kind": "pause_started", "on": "2026-11-30"}),
        ],
    )
    query = sa.text("SELECT id, due_on, paused_since, deadline_stage FROM applications ORDER BY id")
    await asyncio.to_thread(migrate, MIGRATIONS, url)
    async with engine.connect() as conn:
        assert [tuple(r) for r in (await conn.execute(query)).all()] == [
            (1, None, None, None),
            (2, None, None, None),
        ]
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    async with app.router.lifespan_context(app):
        pass
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    await engine.dispose()
    as_dates = [
        (r[0], r[1] if isinstance(r[1], date) or r[1] is None else date.fromisoformat(r[1]), r[2], r[3])
        for r in rows
    ]
    assert [(i, due, stage) for i, due, _, stage in as_dates] == [
        (1, date(2026, 12, 22), "answer"),
        (2, date(2026, 12, 22), "answer"),
    ]
    assert [str(r[2]) if r[2] else None for r in rows] == [None, "2026-11-30"]


async def test_the_migration_fills_the_closing_date_from_the_closing_event(
    backend: str, tmp_path: Path
) -> None:
    import asyncio

    from services.requests.app import MIGRATIONS
    from shared.db import migrate

    url, engine = await legacy_database(
        backend,
        tmp_path,
        "0008",
        [(1, "2025-12-01", "decided"), (2, "2025-12-01", "registered"), (3, "2025-12-01", "withdrawn")],
        [
            ("1", "applied", {"kind": "received", "on": "2025-12-01"}),
            ("1", "extend", {"kind": "extended", "on": "2025-12-20", "days": 10}),
            ("1", "decide", {"kind": "decided", "on": "2026-01-09"}),
            ("2", "applied", {"kind": "received", "on": "2025-12-01"}),
            ("3", "applied", {"kind": "received", "on": "2025-12-01"}),
            ("3", "withdraw", {"kind": "withdrawn", "on": "2025-12-03"}),
        ],
    )
    await asyncio.to_thread(migrate, MIGRATIONS, url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT id, closed_on FROM applications ORDER BY id"))).all()
    await engine.dispose()
    assert [(i, str(on) if on else None) for i, on in rows] == [
        (1, "2026-01-09"),
        (2, None),
        (3, "2025-12-03"),
    ]
