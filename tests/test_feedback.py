"""Feedback: the mailbox, hotline/letter/visit records, one case life cycle, time limits, reporter
protection, published replies, tracking with a code and the statistics.

The feedback app runs in process on a fresh database (SQLite and PostgreSQL) with a fake catalog
(agency paths), the library's holiday calendar and a settable clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlmodel import select

from shared.audit import PersonalDataRead
from shared.calendar import SHANGHAI, WorkingCalendar
from shared.devrun import Cluster
from shared.errors import InvalidField
from tests.conftest import Tokens, _serve, create_database, gateway_with_clerks

URL = "/api/v1/feedback"
# province 1 › city 2 › counties 3 (east) and 4 (west) › east's bureau 6; another city 5.
PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/2/4/", 5: "/1/5/", 6: "/1/2/3/6/"}
NAMES = {
    1: "江南省人民政府",
    2: "清河市人民政府",
    3: "东湖县人民政府",
    4: "西山县人民政府",
    6: "东湖县民政局",
}
EAST, WEST, BUREAU, CITY = 3, 4, 6, 2


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)  # a Tuesday

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 9, minute: int = 0) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class LibraryCalendar:
    """The library's calendar plus what a test enters (as an admin would in the requests service)."""

    def __init__(self) -> None:
        self.overrides: dict[date, bool] = {}
        self.confirmed: set[int] = set()

    async def current(self, today: date) -> WorkingCalendar:
        return WorkingCalendar(self.overrides, self.confirmed)


def message(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "agency_id": EAST,
        "subject": "小区门口路灯长期不亮",
        "content": "城关镇人民路12号小区门口的路灯已经坏了一个多月，夜间出行很不安全，请尽快维修。",
        "sender": {"name": "张三丰", "phone": "13812345678"},
        **extra,
    }


class World:
    calendar: LibraryCalendar

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, clock: Clock) -> None:
        self.client, self.tokens, self.clock = client, tokens, clock

    def citizen(self, sub: str = "5001") -> dict[str, str]:
        return self.tokens.header("public", sub=sub)

    def clerk(self, agency: int = EAST, sub: str = "101") -> dict[str, str]:
        return self.tokens.header("clerk", sub=sub, agency_id=agency)

    def inspector(self, region: int = CITY) -> dict[str, str]:
        return self.tokens.header("inspector", sub="900", region_id=region)

    async def send(self, headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
        response = await self.client.post(f"{URL}/messages", json=message(**extra), headers=headers or {})
        assert response.status_code == 201, response.text
        return response.json()

    async def act(
        self, case_id: int, route: str, data: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(f"{URL}/messages/{case_id}/{route}", json=data, headers=headers)

    async def ok(
        self, case_id: int, route: str, data: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        response = await self.act(case_id, route, data, headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def get(self, case_id: int, headers: dict[str, str], suffix: str = "") -> httpx.Response:
        return await self.client.get(f"{URL}/messages/{case_id}{suffix}", headers=headers)

    async def call(self, headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
        data = {
            "channel": "hotline",
            "occurred_at": self.clock.now.isoformat(),
            "duration_seconds": 185,
            "contact_number": "13912345678",
            "contact_name": "李四",
            "kind": "complaint",
            "summary": "反映东湖县城关镇农贸市场周边占道经营严重，早高峰交通堵塞。",
            "disposition": "case_opened",
            **extra,
        }
        response = await self.client.post(
            f"{URL}/contact-records", json=data, headers=headers or self.clerk()
        )
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[World]:
    from services.feedback.app import create_app
    from services.feedback.settings import FeedbackSettings

    async def lookup(agency_id: int, field: str = "agency_id") -> str:
        if agency_id not in PATHS:
            raise InvalidField(field, f"机关 {agency_id} 不存在", code="agency_not_found")
        return PATHS[agency_id]

    async def agency_names(agency_id: int) -> str | None:
        return NAMES.get(agency_id)

    url = await create_database(backend, tmp_path, "feedback", schema="feedback")
    app = create_app(FeedbackSettings(database_url=url, environment="test"))
    clock = Clock()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.agency_names = agency_names
    app.state.calendar_source = calendar = LibraryCalendar()
    app.state.now = clock
    app.state.clerk_check = gateway_with_clerks({EAST: [101, 102], WEST: [201]})
    async for client in _serve(app, "http://feedback"):
        world = World(client, tokens, clock)
        world.calendar = calendar
        yield world


def field_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()["errors"][0]["field"]


# --- the mailbox ----------------------------------------------------------------------------------


async def test_an_anonymous_report_gets_a_tracking_number_and_code_and_is_tracked(world: World) -> None:
    receipt = await world.send(kind="report", anonymous=True, sender=None)
    assert receipt["tracking_no"].startswith("FK2026-") and len(receipt["query_code"]) == 10
    # the local rule before a clerk sets the level: the longest, one week (natural days, ends on a working day)
    assert receipt["received_on"] == "2026-11-24" and receipt["due"] == "2026-12-01"
    tracked = await world.client.get(
        f"{URL}/track/{receipt['tracking_no']}", params={"code": receipt["query_code"]}
    )
    assert tracked.status_code == 200 and tracked.json()["state"] == "received"
    assert tracked.headers["cache-control"] == "no-store"
    wrong = await world.client.get(f"{URL}/track/{receipt['tracking_no']}", params={"code": "WRONGCODE2"})
    unknown = await world.client.get(f"{URL}/track/FK2026-NOSUCH22", params={"code": receipt["query_code"]})
    assert wrong.status_code == unknown.status_code == 404
    assert (
        wrong.json()["code"] == unknown.json()["code"] and wrong.json()["detail"] == unknown.json()["detail"]
    )


async def test_the_mailbox_refuses_what_it_cannot_accept_naming_the_field(world: World) -> None:
    anonymous_complaint = await world.client.post(
        f"{URL}/messages", json=message(anonymous=True, sender=None)
    )
    assert anonymous_complaint.status_code == 422 and field_of(anonymous_complaint) == "body.anonymous"
    no_sender = await world.client.post(f"{URL}/messages", json=message(sender=None))
    assert no_sender.status_code == 422 and field_of(no_sender) == "body.sender"
    both = await world.client.post(f"{URL}/messages", json=message(region_id=CITY))
    assert both.status_code == 422 and [e["field"] for e in both.json()["errors"]] == [
        "body.agency_id",
        "body.region_id",
    ]
    unknown = await world.client.post(f"{URL}/messages", json=message(agency_id=77))
    assert unknown.status_code == 422 and field_of(unknown) == "body.agency_id"
    accused_in_complaint = await world.client.post(f"{URL}/messages", json=message(accused_agency_id=BUREAU))
    assert field_of(accused_in_complaint) == "body.accused_agency_id"
    too_long = await world.client.post(f"{URL}/messages", json=message(content="长" * 5001))
    assert too_long.status_code == 422 and "content" in too_long.text
    staff = await world.client.post(f"{URL}/messages", json=message(), headers=world.clerk())
    assert staff.status_code == 403


async def test_the_same_message_twice_within_a_day_is_refused_as_a_duplicate(world: World) -> None:
    await world.send()
    again = await world.client.post(
        f"{URL}/messages", json=message(content=message()["content"].replace("，", " ，"))
    )
    assert again.status_code == 422 and again.json()["code"] == "duplicate_message"
    assert field_of(again) == "body.content"
    elsewhere = await world.client.post(f"{URL}/messages", json=message(agency_id=WEST))
    assert elsewhere.status_code == 201  # another agency: not the same message
    world.clock.now += timedelta(hours=25)
    assert (await world.client.post(f"{URL}/messages", json=message())).status_code == 201


async def test_dont_know_goes_to_the_regions_intake(world: World) -> None:
    receipt = await world.send(agency_id=None, region_id=EAST, headers=world.citizen())
    case = (await world.get(receipt["id"], world.clerk())).json()
    assert case["agency_id"] == EAST and case["intake"] is True
    # the intake routes it on to the agency that handles it, with the reason on record
    moved = await world.ok(
        receipt["id"], "hand-over", {"to_agency_id": BUREAU, "reason": "属城管事项"}, world.clerk()
    )
    assert moved["agency_id"] == BUREAU and moved["state"] == "received" and moved["owner_id"] is None
    assert (await world.get(receipt["id"], world.clerk())).status_code == 404
    assert (await world.get(receipt["id"], world.clerk(BUREAU, "601"))).status_code == 200


# --- the hotline, letters and visits ----------------------------------------------------------------


async def test_a_hotline_call_becomes_a_case_handled_on_time_and_rated_with_the_code(world: World) -> None:
    recorded = await world.call()
    record, receipt = recorded["record"], recorded["case"]
    assert record["contact_number"] == "139****5678" and record["contact_name"] == "李*"
    assert record["duration_seconds"] == 185 and record["case_id"] == receipt["id"]
    assert record["labels"]["disposition"] == "转为办理事项"
    case_id = receipt["id"]
    taken = await world.ok(case_id, "take", {"level": "area_coordination"}, world.clerk())
    assert taken["owner_id"] == "101" and taken["deadline"]["due"] == "2026-11-27"  # 3 natural days
    assert taken["deadline"]["flag"] == "yellow"
    world.clock.set(date(2026, 11, 26))
    replied = await world.ok(
        case_id, "reply", {"reply": "已联系城管中队，每天早高峰安排巡查。"}, world.clerk()
    )
    assert replied["state"] == "replied" and replied["replied_on"] == "2026-11-26"
    closed = await world.ok(case_id, "close", {}, world.clerk())
    assert closed["state"] == "closed"
    status = (
        await world.client.get(
            f"{URL}/track/{receipt['tracking_no']}", params={"code": receipt["query_code"]}
        )
    ).json()
    assert status["can_rate"] and status["reply"].startswith("已联系")
    rated = await world.client.post(
        f"{URL}/track/{receipt['tracking_no']}/rating",
        json={"code": receipt["query_code"], "rating": "satisfied", "comment": "处理及时"},
    )
    assert rated.status_code == 200 and rated.json()["rating"] == "satisfied" and not rated.json()["can_rate"]
    twice = await world.client.post(
        f"{URL}/track/{receipt['tracking_no']}/rating",
        json={"code": receipt["query_code"], "rating": "satisfied"},
    )
    assert twice.status_code == 409
    visited = await world.ok(
        case_id, "return-visit", {"visited_on": "2026-11-26", "note": "电话回访，市场秩序好转"}, world.clerk()
    )
    assert visited["return_visited_on"] == "2026-11-26"
    timeline = [e["action"] for e in (await world.get(case_id, world.clerk(), "/timeline")).json()]
    assert timeline == ["recorded", "take", "reply", "close", "rate", "return_visit"]


async def test_contact_records_are_checked_and_listed_in_scope(world: World) -> None:
    answered = await world.call(disposition="answered", kind="consultation")
    assert answered["case"] is None and answered["record"]["case_id"] is None
    transferred = await world.client.post(
        f"{URL}/contact-records",
        json={
            "channel": "visit",
            "occurred_at": world.clock.now.isoformat(),
            "kind": "consultation",
            "summary": "咨询社保卡补办地点",
            "disposition": "transferred",
        },
        headers=world.clerk(),
    )
    assert transferred.status_code == 422 and field_of(transferred) == "body.transferred_to"
    letter_with_duration = await world.client.post(
        f"{URL}/contact-records",
        json={
            "channel": "letter",
            "occurred_at": world.clock.now.isoformat(),
            "duration_seconds": 10,
            "kind": "complaint",
            "summary": "来信反映噪音扰民",
            "disposition": "answered",
        },
        headers=world.clerk(),
    )
    assert field_of(letter_with_duration) == "body.duration_seconds"
    future = await world.client.post(
        f"{URL}/contact-records",
        json={
            "channel": "hotline",
            "occurred_at": (world.clock.now + timedelta(days=1)).isoformat(),
            "kind": "consultation",
            "summary": "咨询办事时间",
            "disposition": "answered",
        },
        headers=world.clerk(),
    )
    assert future.status_code == 422 and field_of(future) == "body.occurred_at"
    other_agency = await world.client.post(
        f"{URL}/contact-records",
        json={
            "channel": "hotline",
            "agency_id": WEST,
            "occurred_at": world.clock.now.isoformat(),
            "kind": "consultation",
            "summary": "咨询办事时间",
            "disposition": "answered",
        },
        headers=world.clerk(),
    )
    assert other_agency.status_code == 403
    listed = (await world.client.get(f"{URL}/contact-records", headers=world.clerk())).json()
    assert listed["total"] == 1 and listed["items"][0]["contact_number"] == "139****5678"
    assert (await world.client.get(f"{URL}/contact-records", headers=world.clerk(WEST, "201"))).json()[
        "total"
    ] == 0
    assert (await world.client.get(f"{URL}/contact-records", headers=world.inspector())).json()["total"] == 1
    record_id = listed["items"][0]["id"]
    assert (
        await world.client.get(f"{URL}/contact-records/{record_id}", headers=world.clerk(WEST, "201"))
    ).status_code == 404


async def test_a_letter_follows_the_petition_rule_acceptance_then_sixty_days_and_one_extension(
    world: World,
) -> None:
    recorded = await world.call(channel="letter", duration_seconds=None, contact_number=None)
    case_id = recorded["case"]["id"]
    assert recorded["case"]["due"] == "2026-12-09"  # 15 days to decide on acceptance
    level = await world.act(case_id, "take", {"level": "own_authority"}, world.clerk())
    assert level.status_code == 422 and field_of(level) == "body.level"
    world.clock.set(date(2026, 11, 30))
    taken = await world.ok(case_id, "take", {}, world.clerk())
    assert (
        taken["deadline"]["due"] == "2027-01-29" and taken["deadline"]["stage"] == "answer"
    )  # 60 days from acceptance
    extended = await world.ok(case_id, "extension", {"days": 30, "reason": "需多部门联合调查"}, world.clerk())
    assert extended["deadline"]["due"] == "2027-03-01"  # 2027-02-28 is a Sunday
    more = await world.act(case_id, "extension", {"days": 1, "reason": "再延一天"}, world.clerk())
    assert more.status_code == 422
    mailbox = await world.send(headers=world.citizen())
    await world.ok(mailbox["id"], "take", {"level": "own_authority"}, world.clerk())
    no_extension = await world.act(mailbox["id"], "extension", {"days": 1, "reason": "来不及"}, world.clerk())
    assert no_extension.status_code == 422


async def test_a_letter_handed_to_another_agency_is_accepted_there_within_fifteen_days_of_the_hand_over(
    world: World,
) -> None:
    # 信访工作条例第二十四条、第二十五条: the receiving agency decides on acceptance, its 15 days from
    # the hand-over. Before, a take after a hand-over was a 422 invalid_clock_history.
    recorded = await world.call(channel="letter", duration_seconds=None, contact_number=None)
    case_id = recorded["case"]["id"]
    world.clock.set(date(2026, 11, 26))
    await world.ok(case_id, "take", {}, world.clerk())  # accepted at the east county
    world.clock.set(date(2026, 11, 30))
    handed = await world.ok(
        case_id, "hand-over", {"to_agency_id": WEST, "reason": "属西岭县管辖"}, world.clerk()
    )
    assert handed["state"] == "received" and handed["agency_id"] == WEST
    assert handed["deadline"]["stage"] == "acceptance" and handed["deadline"]["due"] == "2026-12-15"
    world.clock.set(date(2026, 12, 2))
    taken = await world.ok(case_id, "take", {}, world.clerk(WEST, "201"))
    assert taken["deadline"]["stage"] == "answer" and taken["deadline"]["due"] == "2027-02-01"  # Sun 1/31
    # The same day: handed on and taken there at once.
    again = await world.ok(
        case_id, "hand-over", {"to_agency_id": EAST, "reason": "退回"}, world.clerk(WEST, "201")
    )
    assert again["deadline"]["due"] == "2026-12-17"
    assert (await world.act(case_id, "take", {}, world.clerk())).status_code == 200
    # A mailbox message keeps its one clock when handed over (no acceptance stage).
    mailbox = await world.send(headers=world.citizen())
    before = (await world.get(mailbox["id"], world.clerk())).json()["deadline"]["due"]
    moved = await world.ok(
        mailbox["id"], "hand-over", {"to_agency_id": WEST, "reason": "属西岭县"}, world.clerk()
    )
    assert moved["deadline"]["due"] == before


# --- one owner until a recorded hand-over ------------------------------------------------------------


async def test_first_contact_owns_the_case_until_a_recorded_hand_over(world: World) -> None:
    case_id = (await world.send(headers=world.citizen()))["id"]
    colleague = world.clerk(sub="102")
    await world.ok(case_id, "take", {"level": "own_authority"}, world.clerk())
    grabbed = await world.act(case_id, "reply", {"reply": "好的"}, colleague)
    assert grabbed.status_code == 403 and grabbed.json()["code"] == "not_case_owner"
    taken_again = await world.act(case_id, "take", {"level": "own_authority"}, colleague)
    assert taken_again.status_code == 409 and "办理中" in taken_again.json()["detail"]
    no_reason = await world.act(case_id, "hand-over", {"to_clerk_id": "102"}, world.clerk())
    assert no_reason.status_code == 422 and field_of(no_reason) == "body.reason"
    stranger = await world.act(
        case_id, "hand-over", {"to_clerk_id": "201", "reason": "请他办"}, world.clerk()
    )
    assert stranger.status_code == 422 and field_of(stranger) == "body.to_clerk_id", (
        "a clerk of another agency"
    )
    handed = await world.ok(case_id, "hand-over", {"to_clerk_id": "102", "reason": "本人出差"}, world.clerk())
    assert handed["owner_id"] == "102" and handed["state"] == "assigned"
    assert (await world.act(case_id, "reply", {"reply": "好的"}, world.clerk())).status_code == 403
    reassigned = await world.ok(
        case_id, "hand-over", {"to_agency_id": WEST, "reason": "属西岭县管辖"}, world.inspector()
    )
    assert reassigned["agency_id"] == WEST and reassigned["state"] == "received"
    outside = await world.act(case_id, "hand-over", {"to_agency_id": 5, "reason": "试试"}, world.inspector())
    assert outside.status_code == 422 and outside.json()["code"] == "region_scope"
    history = (await world.get(case_id, world.inspector(), "/timeline")).json()
    assert [e["reason"] for e in history if e["action"] == "hand_over"] == ["本人出差", "属西岭县管辖"]


# --- reporters are protected -------------------------------------------------------------------------


async def test_a_reporter_is_known_only_to_the_handler_and_inspectors_and_every_read_is_logged(
    world: World,
) -> None:
    case_id = (await world.send(kind="report", headers=world.citizen()))["id"]
    other_clerk = world.clerk(sub="102")
    before = (await world.get(case_id, other_clerk)).json()
    assert before["sender"] is None  # not taken yet: no clerk knows the reporter
    await world.ok(case_id, "take", {"level": "area_coordination"}, world.clerk())
    assert (await world.get(case_id, other_clerk)).json()["sender"] is None
    handler_view = (await world.get(case_id, world.clerk())).json()["sender"]
    assert handler_view == {
        "name": "张**",
        "phone": "138****5678",
        "email": None,
        "address": None,
        "masked": True,
    }
    assert (await world.get(case_id, other_clerk, "/personal-data")).status_code == 403
    full = await world.get(case_id, world.clerk(), "/personal-data")
    assert full.json()["name"] == "张三丰" and full.json()["masked"] is False
    assert (await world.get(case_id, world.inspector(), "/personal-data")).status_code == 200
    assert (await world.get(case_id, world.citizen())).json()["sender"]["name"] == "张三丰"
    app = world.client.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as session:
        reads = (
            await session.exec(select(PersonalDataRead).where(PersonalDataRead.record_id == str(case_id)))
        ).all()
    assert sorted({(r.actor_id, r.field) for r in reads}) == [
        ("101", "sender_name"),
        ("101", "sender_phone"),
        ("900", "sender_name"),
        ("900", "sender_phone"),
    ]
    async with app.state.sessionmaker() as session:
        from services.feedback.models import FeedbackCase

        stored = await session.get(FeedbackCase, case_id)
    assert (
        stored is not None
        and "张三丰" not in (stored.sender_name or "")
        and stored.sender_phone.startswith("v1:")
    )


async def test_a_report_against_an_agency_goes_to_the_region_above_never_to_that_agency(world: World) -> None:
    receipt = await world.send(
        kind="report", agency_id=BUREAU, accused_agency_id=BUREAU, anonymous=True, sender=None
    )
    accused = world.clerk(BUREAU, "601")
    assert (await world.get(receipt["id"], accused)).status_code == 404
    assert (await world.client.get(f"{URL}/messages", headers=accused)).json()["total"] == 0
    case = (await world.get(receipt["id"], world.clerk())).json()
    assert case["agency_id"] == EAST and case["intake"] is True and case["accused_agency_id"] == BUREAU
    assert (await world.get(receipt["id"], world.inspector())).status_code == 200
    back = await world.act(
        receipt["id"], "hand-over", {"to_agency_id": BUREAU, "reason": "请核实"}, world.inspector()
    )
    assert back.status_code == 422 and back.json()["code"] == "accused_agency"


async def test_a_report_by_phone_or_letter_naming_an_agency_is_routed_away_from_it_and_hides_the_caller(
    world: World,
) -> None:
    # Before, contact records had no accused agency: the bureau's own clerk handled the report.
    complaint = await world.client.post(
        f"{URL}/contact-records",
        json={
            "channel": "hotline",
            "occurred_at": world.clock.now.isoformat(),
            "kind": "complaint",
            "summary": "反映东湖县某局工作人员办事拖延。",
            "disposition": "case_opened",
            "contact_name": "李四",
            "accused_agency_id": BUREAU,
        },
        headers=world.clerk(BUREAU, "601"),
    )
    assert complaint.status_code == 422 and field_of(complaint) == "body.accused_agency_id"
    bureau = world.clerk(BUREAU, "601")
    recorded = await world.call(bureau, kind="report", accused_agency_id=BUREAU)
    case_id, record_id = recorded["case"]["id"], recorded["record"]["id"]
    assert recorded["record"]["accused_agency_id"] == BUREAU and recorded["record"]["contact_name"] is None
    assert (await world.get(case_id, bureau)).status_code == 404
    case = (await world.get(case_id, world.clerk())).json()
    assert case["agency_id"] == EAST and case["intake"] is True and case["accused_agency_id"] == BUREAU
    record = (await world.client.get(f"{URL}/contact-records/{record_id}", headers=bureau)).json()
    assert record["contact_name"] is None and record["contact_number"] is None
    listed = (await world.client.get(f"{URL}/contact-records", headers=bureau)).json()["items"]
    assert [r["contact_name"] for r in listed] == [None]
    inspector = (
        await world.client.get(f"{URL}/contact-records/{record_id}", headers=world.inspector())
    ).json()
    assert inspector["contact_name"] == "李*"
    back = await world.act(
        case_id, "hand-over", {"to_agency_id": BUREAU, "reason": "请核实"}, world.inspector()
    )
    assert back.status_code == 422 and back.json()["code"] == "accused_agency"
    # Recorded by the east county about its bureau: the case stays there; only its handler sees the caller.
    letter = await world.call(
        channel="letter", duration_seconds=None, kind="report", accused_agency_id=BUREAU
    )
    kept = (await world.get(letter["case"]["id"], world.clerk())).json()
    assert kept["agency_id"] == EAST and kept["intake"] is False and kept["rule_set"] == "petition-2022"
    assert letter["record"]["contact_name"] is None
    url = f"{URL}/contact-records/{letter['record']['id']}"
    await world.ok(letter["case"]["id"], "take", {}, world.clerk())
    assert (await world.client.get(url, headers=world.clerk())).json()["contact_name"] == "李*"
    assert (await world.client.get(url, headers=world.clerk(sub="102"))).json()["contact_name"] is None


# --- the state machine ----------------------------------------------------------------------------


async def test_illegal_steps_are_409_naming_the_state_and_an_unsatisfied_rating_reopens_once(
    world: World,
) -> None:
    case_id = (await world.send(headers=world.citizen()))["id"]
    early = await world.act(case_id, "reply", {"reply": "答复"}, world.clerk())
    assert early.status_code == 409 and "待受理" in early.json()["detail"]
    await world.ok(case_id, "take", {"level": "own_authority"}, world.clerk())
    await world.ok(case_id, "reply", {"reply": "已安排维修。"}, world.clerk())
    reopened = await world.ok(case_id, "rating", {"rating": "unsatisfied", "reopen": True}, world.citizen())
    assert reopened["state"] == "assigned" and reopened["round"] == 2 and reopened["rating"] is None
    assert reopened["deadline"]["due"] == "2026-11-24"  # own authority: the same day, again
    await world.ok(case_id, "reply", {"reply": "已更换灯泡并复查。"}, world.clerk())
    again = await world.act(case_id, "rating", {"rating": "unsatisfied", "reopen": True}, world.citizen())
    assert again.status_code == 409 and again.json()["code"] == "already_reopened"
    final = await world.ok(case_id, "rating", {"rating": "basically_satisfied"}, world.citizen())
    assert final["state"] == "closed" and final["rating"] == "basically_satisfied"
    stranger = await world.act(case_id, "rating", {"rating": "satisfied"}, world.citizen("5002"))
    assert stranger.status_code == 404
    old = (await world.send(headers=world.citizen(), content="另一件事：公交站牌损坏，请更换。"))["id"]
    await world.ok(old, "take", {"level": "own_authority"}, world.clerk())
    await world.ok(old, "reply", {"reply": "已更换。"}, world.clerk())
    world.clock.set(date(2026, 12, 10))  # 16 days after the reply
    too_late = await world.act(old, "rating", {"rating": "unsatisfied", "reopen": True}, world.citizen())
    assert too_late.status_code == 409 and too_late.json()["code"] == "reopen_period_over"
    assert (await world.ok(old, "rating", {"rating": "unsatisfied"}, world.citizen()))["state"] == "closed"
    events = [e["action"] for e in (await world.get(case_id, world.clerk(), "/timeline")).json()]
    assert events == ["submitted", "take", "reply", "reopen", "reply", "rate"]


# --- published replies ------------------------------------------------------------------------------


async def test_a_reply_is_published_only_with_consent_and_with_personal_data_masked(world: World) -> None:
    silent = (await world.send(headers=world.citizen()))["id"]
    content = "我是张三丰，电话13812345678，身份证110105194912310021，反映城关镇人民路路灯不亮。"
    consenting = (await world.send(consent_to_publish=True, content=content, headers=world.citizen()))["id"]
    for case_id in (silent, consenting):
        await world.ok(case_id, "take", {"level": "own_authority"}, world.clerk())
        await world.ok(case_id, "reply", {"reply": "张三丰您好，路灯已修复。"}, world.clerk())
    refused = await world.act(silent, "publication", {}, world.clerk())
    assert refused.status_code == 409 and refused.json()["code"] == "no_consent"
    published = await world.ok(consenting, "publication", {}, world.clerk())
    assert "13812345678" not in published["question"] and "110105194912310021" not in published["question"]
    assert "张三丰" not in published["question"] and "张三丰" not in published["answer"]
    assert "138****5678" in published["question"]
    again = await world.act(consenting, "publication", {}, world.clerk())
    assert again.status_code == 409
    listed = await world.client.get(f"{URL}/replies", params={"agency_id": CITY, "kind": "complaint"})
    assert listed.status_code == 200 and listed.json()["total"] == 1 and "etag" in listed.headers
    assert (await world.client.get(f"{URL}/replies", params={"agency_id": WEST})).json()["total"] == 0
    assert (await world.client.get(f"{URL}/replies", params={"kind": "report"})).json()["total"] == 0
    one = await world.client.get(f"{URL}/replies/{published['id']}")
    assert one.status_code == 200 and one.json()["kind_label"] == "投诉"


# --- queues and flags --------------------------------------------------------------------------------


async def test_queues_are_scoped_and_flags_follow_the_due_dates(world: World) -> None:
    first = (await world.send(headers=world.citizen()))["id"]  # due 2026-12-01
    world.clock.set(date(2026, 11, 20))  # a Friday: due 2026-11-27
    second = (
        await world.send(
            agency_id=EAST, content="另一条留言，内容不同，反映噪音扰民问题。", headers=world.citizen()
        )
    )["id"]
    world.clock.set(date(2026, 11, 30))
    red = (await world.client.get(f"{URL}/messages", params={"flag": "red"}, headers=world.clerk())).json()
    yellow = (
        await world.client.get(f"{URL}/messages", params={"flag": "yellow"}, headers=world.clerk())
    ).json()
    assert [i["id"] for i in red["items"]] == [second] and red["items"][0]["flag"] == "red"
    assert [i["id"] for i in yellow["items"]] == [first]
    mine = (await world.client.get(f"{URL}/messages", headers=world.citizen())).json()
    assert mine["total"] == 2 and mine["items"][0]["owner_id"] is None
    assert (await world.client.get(f"{URL}/messages", headers=world.citizen("5002"))).json()["total"] == 0
    assert (await world.client.get(f"{URL}/messages", headers=world.clerk(WEST, "201"))).json()["total"] == 0
    assert (await world.client.get(f"{URL}/messages", headers=world.inspector())).json()["total"] == 2
    assert (await world.client.get(f"{URL}/messages", headers=world.inspector(5))).json()["total"] == 0
    listed = (await world.client.get(f"{URL}/supervision/overdue", headers=world.inspector())).json()
    assert [(i["id"], i["flag"], i["due"]) for i in listed["items"]] == [
        (second, "red", "2026-11-27"),
        (first, "yellow", "2026-12-01"),
    ]
    assert listed["total"] == 2 and listed["items"][0]["url"] == f"{URL}/messages/{second}"
    only_red = (
        await world.client.get(f"{URL}/supervision/overdue", params={"flag": "red"}, headers=world.clerk())
    ).json()
    assert [i["id"] for i in only_red["items"]] == [second]
    capped = (
        await world.client.get(f"{URL}/supervision/overdue", params={"limit": 1}, headers=world.clerk())
    ).json()
    assert capped["total"] == 2 and len(capped["items"]) == 1
    assert (await world.client.get(f"{URL}/supervision/overdue", headers=world.clerk(WEST, "201"))).json()[
        "total"
    ] == 0
    assert (await world.client.get(f"{URL}/supervision/overdue", headers=world.citizen())).status_code == 403


async def test_entering_next_years_calendar_moves_the_stored_due_dates(world: World) -> None:
    world.clock.set(
        date(2026, 12, 28)
    )  # a Monday; one week later is in 2027, which the library does not know
    receipt = await world.send(headers=world.citizen())
    assert receipt["due"] == "2027-01-04"
    listed = (await world.client.get(f"{URL}/messages", headers=world.clerk())).json()["items"][0]
    assert (listed["due"], listed["provisional"]) == ("2027-01-04", True)
    world.calendar.overrides = {date(2027, 1, 1): False, date(2027, 1, 4): False}  # dates entered ...
    listed = (await world.client.get(f"{URL}/messages", headers=world.clerk())).json()["items"][0]
    assert (listed["due"], listed["provisional"]) == ("2027-01-05", True)  # ... the year not confirmed
    world.calendar.confirmed = {2027}  # the admin confirms the whole year
    listed = (await world.client.get(f"{URL}/messages", headers=world.clerk())).json()["items"][0]
    assert (listed["due"], listed["provisional"]) == ("2027-01-05", False)
    case = (await world.get(receipt["id"], world.clerk())).json()
    assert case["deadline"]["due"] == "2027-01-05" and case["deadline"]["provisional"] is False
    app = world.client.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as session:
        from services.feedback import recompute

        again = await recompute.follow_calendar(
            session, WorkingCalendar(world.calendar.overrides, {2027}), date(2026, 12, 28)
        )
    assert again is None  # recomputed once, not at every request


async def test_a_replica_that_counted_with_the_old_calendar_rewrites_what_it_stored(
    world: World, tokens: Tokens
) -> None:
    """Two replicas on one database: the first follows the entered year and records it; the second,
    still holding the old calendar, stores a case's due date with it; when it takes up the new
    calendar, that due date is rewritten although the new calendar was already recorded."""
    from services.feedback.app import create_app
    from services.feedback.settings import FeedbackSettings

    first = world.client.app  # type: ignore[attr-defined]
    second_app = create_app(
        FeedbackSettings(database_url=first.state.settings.database_url, environment="test")
    )
    second_app.state.verifier = tokens.verifier()
    second_app.state.agency_lookup = first.state.agency_lookup
    second_app.state.calendar_source = second_calendar = LibraryCalendar()
    second_app.state.now = world.clock
    second_app.state.clerk_check = first.state.clerk_check
    world.clock.set(date(2026, 12, 28))  # a Monday; a week later is in 2027, unknown to the library
    entered = {date(2027, 1, 1): False, date(2027, 1, 4): False}
    async for client in _serve(second_app, "http://feedback-2"):
        second = World(client, tokens, world.clock)
        assert (await second.client.get(f"{URL}/messages", headers=second.clerk())).status_code == 200
        world.calendar.overrides, world.calendar.confirmed = entered, {2027}  # the first reads the year
        assert (await world.client.get(f"{URL}/messages", headers=world.clerk())).status_code == 200

        receipt = await second.send(headers=second.citizen())
        assert receipt["due"] == "2027-01-04", "counted with the calendar the second replica still holds"

        second_calendar.overrides = entered  # its cache expired: it reads the entered year too
        second_calendar.confirmed = {2027}
        listed = (await second.client.get(f"{URL}/messages", headers=second.clerk())).json()["items"]
        assert [(i["due"], i["provisional"]) for i in listed if i["id"] == receipt["id"]] == [
            ("2027-01-05", False)
        ]


# --- statistics -----------------------------------------------------------------------------------


async def test_statistics_agree_with_a_known_set_of_cases(world: World) -> None:
    """Seven cases with known times; every figure of the statistics is checked by hand."""
    c = world.clock
    citizen, east, west = world.citizen(), world.clerk(), world.clerk(WEST, "201")

    async def at(day: int, hour: int) -> None:
        c.set(date(2026, 11, day), hour)

    await at(2, 9)  # A: complaint to 东, own authority, answered in 4 h, closed at 6 h, satisfied
    a = (await world.send(headers=citizen, content="A 案：路灯不亮，请尽快维修，谢谢。"))["id"]
    await at(2, 10)
    await world.ok(a, "take", {"level": "own_authority"}, east)
    await at(2, 13)
    await world.ok(a, "reply", {"reply": "已修复。"}, east)
    await at(2, 15)
    await world.ok(a, "close", {}, east)
    await world.ok(a, "rating", {"rating": "satisfied"}, citizen)

    await at(
        2, 9
    )  # B: anonymous suggestion to 西, 3-day level, answered late (96 h), closed 97 h, unsatisfied
    b = await world.send(
        kind="suggestion", agency_id=WEST, anonymous=True, sender=None, content="B 案：建议增加公交班次。"
    )
    await world.ok(b["id"], "take", {"level": "area_coordination"}, west)
    await at(6, 9)
    late = await world.ok(b["id"], "reply", {"reply": "已转交公交公司研究。"}, west)
    assert late["deadline"]["due"] == "2026-11-05"
    await at(6, 10)
    await world.ok(b["id"], "close", {}, west)
    rated = await world.client.post(
        f"{URL}/track/{b['tracking_no']}/rating", json={"code": b["query_code"], "rating": "unsatisfied"}
    )
    assert rated.status_code == 200, rated.text

    await at(3, 9)  # C: a hotline report at 东, one week, answered at 48 h, closed at 51 h, not rated
    cid = (await world.call(kind="report", summary="C 案：举报某工地夜间违规施工。"))["case"]["id"]
    await world.ok(cid, "take", {"level": "cross_department"}, east)
    await at(5, 9)
    await world.ok(cid, "reply", {"reply": "已责令停工整改。"}, east)
    await at(5, 12)
    await world.ok(cid, "close", {}, east)

    await at(3, 9)  # D: a letter at the bureau, never accepted: overdue on the 30th (due the 18th)
    await world.call(
        channel="letter",
        duration_seconds=None,
        kind="consultation",
        summary="D 案：来信咨询宅基地审批。",
        headers=world.clerk(BUREAU, "601"),
    )
    await at(4, 9)  # E: another city, outside the region
    await world.send(agency_id=5, headers=citizen, content="E 案：其他城市的投诉内容。")
    await at(10, 9)  # G: suggestion to 东 answered in 2 h, not closed
    g = (await world.send(kind="suggestion", headers=citizen, content="G 案：建议公园延长开放时间。"))["id"]
    await world.ok(g, "take", {"level": "own_authority"}, east)
    await at(10, 11)
    await world.ok(g, "reply", {"reply": "已采纳。"}, east)
    await at(25, 9)  # F: complaint to 东, still open on the 30th, due 12-02: yellow
    await world.send(headers=citizen, content="F 案：噪音扰民，夜间施工。")

    await at(30, 9)
    response = await world.client.get(f"{URL}/stats", headers=world.inspector())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "agency_id": CITY,
        "from": None,
        "to": None,
        "total": 6,
        "by_kind": {"complaint": 2, "suggestion": 2, "report": 1, "consultation": 1},
        "by_channel": {"mailbox": 4, "hotline": 1, "letter": 1},
        "by_state": {"closed": 3, "received": 2, "replied": 1},
        "by_agency": [
            {"agency_id": EAST, "count": 4},
            {"agency_id": WEST, "count": 1},
            {"agency_id": BUREAU, "count": 1},
        ],
        "closed": 3,
        "closed_on_time": 2,
        "on_time_share": 0.6667,
        "first_reply": {"count": 4, "median_hours": 26.0, "p95_hours": 96.0},
        "close": {"count": 3, "median_hours": 51.0, "p95_hours": 97.0},
        "rated": 2,
        "by_rating": {"satisfied": 1, "unsatisfied": 1},
        "satisfaction_rate": 0.5,
        "overdue_open": 1,
        "yellow_open": 1,
    }
    window = (
        await world.client.get(
            f"{URL}/stats", params={"from": "2026-11-03", "to": "2026-11-10"}, headers=world.inspector()
        )
    ).json()
    assert window["total"] == 3 and window["by_kind"] == {"report": 1, "consultation": 1, "suggestion": 1}
    clerk = (await world.client.get(f"{URL}/stats", headers=east)).json()
    assert clerk["agency_id"] == EAST and clerk["total"] == 4  # 东 itself (A, C, F, G), not its bureau
    assert (
        await world.client.get(f"{URL}/stats", params={"agency_id": WEST}, headers=east)
    ).status_code == 403
    assert (
        await world.client.get(f"{URL}/stats", params={"agency_id": 5}, headers=world.inspector())
    ).status_code == 403
    everything = (
        await world.client.get(f"{URL}/stats", headers=world.tokens.header("admin", sub="1"))
    ).json()
    assert everything["agency_id"] is None and everything["total"] == 7
    backwards = await world.client.get(
        f"{URL}/stats", params={"from": "2026-11-10", "to": "2026-11-03"}, headers=east
    )
    assert backwards.status_code == 422 and field_of(backwards) == "query.from"


async def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(world: World) -> None:
    key = {"Idempotency-Key": "app-install-7:msg-1"}
    body = message(kind="report", anonymous=True, sender=None)
    first = await world.client.post(f"{URL}/messages", json=body, headers=key)
    again = await world.client.post(f"{URL}/messages", json=body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = await world.client.post(f"{URL}/messages", json={**body, "subject": "换了标题"}, headers=key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    call = {"Idempotency-Key": "hotline-desk-1:call-9", **world.clerk()}
    data = {
        "channel": "hotline",
        "occurred_at": world.clock.now.isoformat(),
        "kind": "consultation",
        "summary": "咨询医保报销比例",
        "disposition": "case_opened",
        "contact_number": "13700001111",
    }
    recorded = await world.client.post(f"{URL}/contact-records", json=data, headers=call)
    retried = await world.client.post(f"{URL}/contact-records", json=data, headers=call)
    assert recorded.status_code == retried.status_code == 201 and recorded.json() == retried.json()
    listed = (await world.client.get(f"{URL}/messages", headers=world.clerk())).json()
    assert listed["total"] == 2  # one message, one call: nothing twice


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_senders_and_handlers_attach_files_checked_by_their_bytes(world: World) -> None:
    anonymous = await world.send(kind="report", anonymous=True, sender=None)
    tracked = f"{URL}/track/{anonymous['tracking_no']}/attachments"
    added = await world.client.post(
        tracked, params={"code": anonymous["query_code"]}, files={"file": ("现场.png", PNG, "image/png")}
    )
    assert added.status_code == 201, added.text
    assert added.json()["content_type"] == "image/png" and added.json()["size"] == len(PNG)
    wrong_code = await world.client.post(tracked, params={"code": "NOPE"}, files={"file": ("a.png", PNG)})
    assert wrong_code.status_code == 404
    disguised = await world.client.post(
        tracked, params={"code": anonymous["query_code"]}, files={"file": ("evil.png", b"MZ\x90\x00binary")}
    )
    assert disguised.status_code == 422 and disguised.json()["code"] == "file_type_not_allowed"
    case = (await world.get(anonymous["id"], world.clerk())).json()
    assert [a["filename"] for a in case["attachments"]] == ["现场.png"]
    download = await world.client.get(case["attachments"][0]["url"], headers=world.clerk())
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment;")
    assert (
        await world.client.get(case["attachments"][0]["url"], headers=world.clerk(WEST, "201"))
    ).status_code == 404

    mine = (await world.send(headers=world.citizen()))["id"]
    upload = f"{URL}/messages/{mine}/attachments"
    for i in range(5):
        response = await world.client.post(upload, files={"file": (f"{i}.png", PNG)}, headers=world.citizen())
        assert response.status_code == 201, response.text
    sixth = await world.client.post(upload, files={"file": ("5.png", PNG)}, headers=world.citizen())
    assert sixth.status_code == 422 and sixth.json()["code"] == "too_many_files"
    other_clerk = await world.client.post(upload, files={"file": ("x.png", PNG)}, headers=world.clerk())
    assert other_clerk.status_code == 409  # not its handler (nobody has taken it yet)
    await world.ok(mine, "take", {"level": "own_authority"}, world.clerk())
    await world.ok(mine, "reply", {"reply": "已处理。"}, world.clerk())
    late = await world.client.post(
        tracked, params={"code": anonymous["query_code"]}, files={"file": ("b.png", PNG)}
    )
    assert late.status_code == 201  # the report is still open
    closed = await world.client.post(upload, files={"file": ("y.png", PNG)}, headers=world.citizen())
    assert closed.status_code == 409 and closed.json()["code"] == "attachment_not_allowed"


# --- through the gateway, as a new user would -------------------------------------------------------


def test_a_mailbox_report_and_a_hotline_call_go_through_the_cluster(cluster: Cluster) -> None:
    """The issue's "done when": an anonymous report and clerk1's hotline call, both handled and
    replied in time, the reporter rates with the code, the inspector sees both and the statistics."""
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:

        def login(username: str) -> dict[str, str]:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}
            )
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        agencies = client.get("/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
        ids = {a["code"]: a["id"] for a in agencies}
        clerk1, clerk2, inspector = (login(u) for u in ("clerk1", "clerk2", "inspector"))
        before = client.get(f"{URL}/stats", headers=inspector).json()

        reported = client.post(
            f"{URL}/messages",
            json={
                "kind": "report",
                "agency_id": ids["990121"],
                "subject": "河道夜间偷排污水",
                "content": f"东湖县城关镇某厂每天夜里向河道排放污水，气味刺鼻（{uuid4().hex[:8]}）。",
                "anonymous": True,
                "consent_to_publish": True,
            },
        )
        assert reported.status_code == 201, reported.text
        report = reported.json()
        called = client.post(
            f"{URL}/contact-records",
            json={
                "channel": "hotline",
                "occurred_at": datetime.now(UTC).isoformat(),
                "duration_seconds": 240,
                "contact_number": "13812345678",
                "contact_name": "王五",
                "kind": "complaint",
                "summary": f"投诉县医院挂号窗口排队时间过长，希望增加自助机（{uuid4().hex[:8]}）。",
                "disposition": "case_opened",
            },
            headers=clerk1,
        )
        assert called.status_code == 201, called.text
        call = called.json()
        assert call["record"]["contact_number"] == "138****5678"
        for case_id, level in ((report["id"], "area_coordination"), (call["case"]["id"], "own_authority")):
            assert client.get(f"{URL}/messages/{case_id}", headers=clerk2).status_code == 404
            taken = client.post(f"{URL}/messages/{case_id}/take", json={"level": level}, headers=clerk1)
            assert taken.status_code == 200, taken.text
            replied = client.post(
                f"{URL}/messages/{case_id}/reply", json={"reply": "已核实并处理，感谢监督。"}, headers=clerk1
            )
            assert replied.status_code == 200, replied.text
            closed = client.post(f"{URL}/messages/{case_id}/close", json={}, headers=clerk1)
            assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text

        rated = client.post(
            f"{URL}/track/{report['tracking_no']}/rating",
            json={"code": report["query_code"], "rating": "satisfied", "comment": "处理很快"},
        )
        assert rated.status_code == 200 and rated.json()["rating"] == "satisfied", rated.text
        for case_id in (report["id"], call["case"]["id"]):
            seen = client.get(f"{URL}/messages/{case_id}", headers=inspector)
            assert seen.status_code == 200 and seen.json()["state"] == "closed"
        after = client.get(f"{URL}/stats", headers=inspector).json()
        assert after["total"] - before["total"] == 2
        assert after["closed"] - before["closed"] == 2
        assert after["closed_on_time"] - before["closed_on_time"] == 2
        assert after["by_channel"].get("hotline", 0) - before["by_channel"].get("hotline", 0) == 1
        assert after["by_kind"].get("report", 0) - before["by_kind"].get("report", 0) == 1
        assert after["by_rating"].get("satisfied", 0) - before["by_rating"].get("satisfied", 0) == 1
        # A suggestion clerk1 takes as within its own authority is due today: yellow for the inspector.
        waiting = client.post(
            f"{URL}/messages",
            json={
                "kind": "suggestion",
                "agency_id": ids["990121"],
                "subject": "建议延长图书馆开放时间",
                "content": f"建议县图书馆周末延长开放到晚上九点（{uuid4().hex[:8]}）。",
                "anonymous": True,
            },
        ).json()
        client.post(f"{URL}/messages/{waiting['id']}/take", json={"level": "own_authority"}, headers=clerk1)
        listed: dict[tuple[str, int], dict[str, Any]] = {}
        for page in range(1, 50):  # other tests of the session leave items on the list too
            overdue = client.get(
                "/api/v1/supervision/overdue", params={"page": page, "page_size": 100}, headers=inspector
            )
            assert overdue.status_code == 200 and overdue.json()["incomplete"] == [], overdue.text
            listed |= {(i["service"], i["id"]): i for i in overdue.json()["items"]}
            if page * 100 >= overdue.json()["total"]:
                break
        assert listed[("feedback", waiting["id"])]["flag"] == "yellow"
        assert ("feedback", report["id"]) not in listed  # replied and closed: off the list
