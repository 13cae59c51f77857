"""Per-agency rule sets (docs/time-limits.md, "Rule sets"): an admin sets an agency's rule set in
the catalog from a day on, and each application takes the one in force on its received date. The
requests app asks a real catalog app (in process, both on a fresh database of the backend), as it
does in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.agencies import RULE_SET_TTL_SECONDS, CatalogAgencies
from shared.deadlines import (
    APPLICATION_RULE_SETS,
    LOCAL_LEGACY,
    NATIONAL_2019,
    PETITION_2022,
    RULE_SETS,
    looser_limits,
)
from shared.events import Event
from shared.http import ServiceClient
from shared.settings import DEV_SERVICE_TOKEN
from tests.conftest import Tokens, World, _serve, create_database
from tests.test_requests_lifecycle import APPROVER, body

URL = "/api/v1/requests"


class Day:
    """One settable day for both processes, and a settable monotonic clock for the lookup's cache."""

    def __init__(self) -> None:
        self.today = date(2026, 11, 24)  # a Tuesday
        self.ticks = 0.0

    def __call__(self) -> date:
        return self.today

    def monotonic(self) -> float:
        return self.ticks


class Setup:
    def __init__(self, requests: httpx.AsyncClient, catalog: World, day: Day) -> None:
        self.requests, self.catalog, self.day = requests, catalog, day
        self.east = catalog.ids["east"]

    @property
    def admin(self) -> dict[str, str]:
        return self.catalog.tokens.header("admin", sub="1")

    def clerk(self) -> dict[str, str]:
        return self.catalog.clerk("101", "east")

    async def set_rule_set(
        self,
        rule_set: str,
        effective_on: str,
        headers: dict[str, str] | None = None,
        agency: int | None = None,
    ) -> httpx.Response:
        return await self.catalog.client.put(
            f"/api/v1/catalog/agencies/{agency or self.east}/rule-set",
            json={"rule_set": rule_set, "effective_on": effective_on, "reason": "执行本县政务公开制度"},
            headers=self.admin if headers is None else headers,
        )

    async def agency(self) -> dict[str, Any]:
        response = await self.catalog.client.get(f"/api/v1/catalog/agencies/{self.east}")
        assert response.status_code == 200, response.text
        return response.json()

    async def apply(self) -> dict[str, Any]:
        citizen = self.catalog.tokens.header("public", sub="5001")
        response = await self.requests.post(URL, json=body(agency_id=self.east), headers=citizen)
        assert response.status_code == 201, response.text
        return response.json()

    async def application(self, app_id: int) -> dict[str, Any]:
        response = await self.requests.get(f"{URL}/{app_id}", headers=self.clerk())
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def setup(backend: str, tmp_path: Path, tokens: Tokens, world: World) -> AsyncIterator[Setup]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    day = Day()
    world.client.app.state.today = day  # type: ignore[attr-defined]
    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    to_catalog = ServiceClient(
        "http://catalog",
        DEV_SERVICE_TOKEN,
        transport=httpx.ASGITransport(app=world.client.app),  # type: ignore[attr-defined]
    )
    app.state.verifier = tokens.verifier()
    app.state.catalog = to_catalog
    app.state.agency_lookup = CatalogAgencies(to_catalog, clock=day.monotonic)
    app.state.today = day
    async for client in _serve(app, "http://requests"):
        yield Setup(client, world, day)
    await to_catalog.aclose()


# --- the rule sets themselves -----------------------------------------------------------------------


def test_no_built_in_application_rule_set_is_looser_than_the_regulation() -> None:
    assert set(APPLICATION_RULE_SETS) == {"national-2019", "local-legacy"}
    for rules in APPLICATION_RULE_SETS.values():
        assert looser_limits(rules, NATIONAL_2019) == [], rules.key
        assert RULE_SETS[rules.key] is rules
    # local-legacy is stricter where the local rule is, and its extension is the Regulation's 20, not 30.
    assert (LOCAL_LEGACY.answer_days, LOCAL_LEGACY.correction_notice_days) == (15, 5)
    assert LOCAL_LEGACY.extension_max_days == NATIONAL_2019.extension_max_days == 20


def test_a_looser_limit_is_named() -> None:
    seed_as_written = replace(LOCAL_LEGACY, key="seed-003", extension_max_days=30)
    assert looser_limits(seed_as_written) == ["extension_max_days"]
    shorter_payment = replace(NATIONAL_2019, key="x", fee_payment_days=10)  # the applicant's time
    assert looser_limits(shorter_payment) == ["fee_payment_days"]
    # The 信访 rule set (15 days to accept, 60 to finish, 30 more) is no application rule set.
    assert looser_limits(PETITION_2022)[:2] == ["answer_days", "extension_max_days"]
    assert "acceptance_days" in looser_limits(PETITION_2022)


# --- setting it, and applications taking it ---------------------------------------------------------


async def test_an_application_takes_the_rule_set_in_force_on_its_received_date(setup: Setup) -> None:
    assert (await setup.agency())["rule_set"] == "national-2019"
    assert (await setup.agency())["rule_set_history"] == []
    changed = await setup.set_rule_set("local-legacy", "2026-11-25")
    assert changed.status_code == 200, changed.text
    assert changed.json()["rule_set"] == "national-2019"  # today (24 November) still the Regulation
    assert [
        (e["rule_set"], e["previous"], e["effective_on"]) for e in changed.json()["rule_set_history"]
    ] == [("local-legacy", "national-2019", "2026-11-25")]

    before = await setup.apply()  # received on Tuesday 24 November
    assert before["due"] == "2026-12-22"  # 条例第三十三条: 20 working days
    assert (await setup.application(before["id"]))["rule_set"] == "national-2019"

    setup.day.today = date(2026, 11, 25)
    after = await setup.apply()
    # 15 working days from Wednesday 25 November: 11/26–27 (1–2), 11/30–12/4 (3–7), 12/7–11 (8–12),
    # 12/14–16 (13–15).
    assert after["due"] == "2026-12-16"
    assert (await setup.application(after["id"]))["rule_set"] == "local-legacy"
    # A registered letter signed for on the 24th and registered on the 25th: received before the change.
    letter = {**body(agency_id=setup.east), "channel": "letter_registered", "signed_for_on": "2026-11-24"}
    registered = await setup.requests.post(f"{URL}/registrations", json=letter, headers=setup.clerk())
    assert registered.status_code == 201, registered.text
    assert registered.json()["due"] == "2026-12-22"
    assert (await setup.application(registered.json()["id"]))["rule_set"] == "national-2019"
    visit = await setup.requests.post(
        f"{URL}/registrations",
        json={**body(agency_id=setup.east), "channel": "in_person"},
        headers=setup.clerk(),
    )
    assert visit.status_code == 201 and visit.json()["due"] == "2026-12-16"

    # local-legacy keeps the Regulation's cap on extensions: 21 working days are refused, 20 allowed.
    too_long = await setup.requests.post(
        f"{URL}/{after['id']}/extension",
        json={"days": 21, "reason": "需要汇总", **APPROVER},
        headers=setup.clerk(),
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "extension_too_long"
    extended = await setup.requests.post(
        f"{URL}/{after['id']}/extension",
        json={"days": 20, "reason": "需要汇总", **APPROVER},
        headers=setup.clerk(),
    )
    assert extended.status_code == 200, extended.text
    # 12/16 + 20: 12/17–18 (1–2), 12/21–25 (3–7), 12/28–31 (8–11), 1 January (元旦) off, 1/4–8 (12–16),
    # 1/11–14 (17–20).
    assert extended.json()["deadline"]["due"] == "2027-01-14"

    # The applications received before keep their rule set and due date.
    kept = await setup.application(before["id"])
    assert kept["rule_set"] == "national-2019" and kept["deadline"]["due"] == "2026-12-22"


async def test_a_later_change_is_seen_and_the_history_is_listed_in_order(setup: Setup) -> None:
    assert (await setup.set_rule_set("local-legacy", "2026-11-25")).status_code == 200
    setup.day.today = date(2026, 11, 25)
    assert (await setup.apply())["due"] == "2026-12-16"  # the lookup has read the history now
    back = await setup.set_rule_set("national-2019", "2026-12-01")
    assert back.status_code == 200 and back.json()["rule_set"] == "local-legacy"
    history = back.json()["rule_set_history"]
    assert [(e["rule_set"], e["previous"], e["effective_on"], e["reason"]) for e in history] == [
        ("local-legacy", "national-2019", "2026-11-25", "执行本县政务公开制度"),
        ("national-2019", "local-legacy", "2026-12-01", "执行本县政务公开制度"),
    ]
    assert [e["rule_set_title"] for e in history] == [LOCAL_LEGACY.title, NATIONAL_2019.title]
    assert (await setup.agency())["rule_set_history"] == history

    setup.day.today = date(2026, 12, 1)
    setup.day.ticks += RULE_SET_TTL_SECONDS  # the lookup's cached history has expired
    assert (await setup.agency())["rule_set"] == "national-2019"
    # 20 working days from Tuesday 1 December: 12/2–4 (1–3), 12/7–11 (4–8), 12/14–18 (9–13),
    # 12/21–25 (14–18), 12/28–29 (19–20).
    assert (await setup.apply())["due"] == "2026-12-29"

    async with setup.catalog.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        events = (
            await session.exec(select(Event).where(Event.action == "rule_set_changed").order_by(Event.id))
        ).all()
    assert [(e.aggregate_id, e.actor_id, e.before, e.after) for e in events] == [
        (
            str(setup.east),
            "1",
            {"rule_set": "national-2019"},
            {"rule_set": "local-legacy", "effective_on": "2026-11-25"},
        ),
        (
            str(setup.east),
            "1",
            {"rule_set": "local-legacy"},
            {"rule_set": "national-2019", "effective_on": "2026-12-01"},
        ),
    ]


async def test_only_an_admin_sets_a_rule_set(setup: Setup) -> None:
    tokens = setup.catalog.tokens
    others = {
        "public": tokens.header("public", sub="5001"),
        "clerk": setup.clerk(),
        "inspector": setup.catalog.inspector(),
    }
    for role, headers in others.items():
        refused = await setup.set_rule_set("local-legacy", "2026-11-25", headers)
        assert refused.status_code == 403, role
    anonymous = await setup.set_rule_set("local-legacy", "2026-11-25", {})
    assert anonymous.status_code == 401
    assert (await setup.agency())["rule_set_history"] == []


async def test_a_change_from_today_or_before_an_unknown_key_or_no_change_is_refused(setup: Setup) -> None:
    for key in ("feedback-local", "petition-2022", "provincial-2030"):
        unknown = await setup.set_rule_set(key, "2026-11-25")
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_rule_set", key
        assert unknown.json()["errors"][0]["field"] == "body.rule_set"
    for day in ("2026-11-24", "2026-11-01"):  # applications received up to today keep theirs
        early = await setup.set_rule_set("local-legacy", day)
        assert early.status_code == 422 and early.json()["code"] == "rule_set_effective_too_early", day
        assert early.json()["errors"][0]["field"] == "body.effective_on"
    unchanged = await setup.set_rule_set("national-2019", "2026-12-01")
    assert unchanged.status_code == 409 and unchanged.json()["code"] == "rule_set_unchanged"
    assert (await setup.agency())["rule_set_history"] == []

    assert (await setup.set_rule_set("local-legacy", "2026-12-10")).status_code == 200
    again = await setup.set_rule_set("local-legacy", "2026-12-10")  # the same change sent twice
    assert again.status_code == 200 and len(again.json()["rule_set_history"]) == 1
    earlier = await setup.set_rule_set("national-2019", "2026-12-09")
    assert earlier.status_code == 422 and earlier.json()["code"] == "rule_set_effective_before_last_change"
    assert earlier.json()["errors"][0]["field"] == "body.effective_on"
    missing = await setup.set_rule_set("local-legacy", "2026-12-10", agency=99999)
    assert missing.status_code == 404 and missing.json()["code"] == "agency_not_found"
    # A scheduled change is cancelled by recording the Regulation from the same day.
    cancelled = await setup.set_rule_set("national-2019", "2026-12-10")
    assert cancelled.status_code == 200
    setup.day.today = date(2026, 12, 10)
    assert (await setup.agency())["rule_set"] == "national-2019"
    # 20 working days from Thursday 10 December: 12/11 (1), 12/14–18 (2–6), 12/21–25 (7–11),
    # 12/28–31 (12–15), 1 January (元旦) off, 1/4–8 (16–20).
    assert (await setup.apply())["due"] == "2027-01-08"


async def test_a_rule_set_looser_than_the_regulation_is_refused(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The local rule as written (第八条): an extension of up to 30 working days, beyond 条例第三十三条's 20.
    seed = replace(LOCAL_LEGACY, key="seed-003", extension_max_days=30)
    monkeypatch.setitem(APPLICATION_RULE_SETS, seed.key, seed)
    refused = await setup.set_rule_set(seed.key, "2026-11-25")
    assert refused.status_code == 422 and refused.json()["code"] == "rule_set_looser_than_regulation"
    assert (
        refused.json()["errors"][0]["field"] == "body.rule_set" and "延长答复期限" in refused.json()["detail"]
    )
    assert (await setup.agency())["rule_set_history"] == []


async def test_the_lookup_reads_the_history_again_after_its_ttl_or_on_a_later_day() -> None:
    """A change recorded just before midnight governs the next day even within the cache's TTL."""
    answers = [
        [],
        [{"rule_set": "local-legacy", "effective_on": "2026-11-25"}],
        [{"rule_set": "local-legacy", "effective_on": "2026-11-25"}],
    ]
    calls: list[str] = []

    def catalog(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        history = answers[min(len(calls), len(answers)) - 1]
        return httpx.Response(200, json={"id": 3, "parent_id": None, "rule_set_history": history})

    day = Day()
    client = ServiceClient("http://catalog", DEV_SERVICE_TOKEN, transport=httpx.MockTransport(catalog))
    lookup = CatalogAgencies(client, clock=day.monotonic, today=day)
    try:
        assert await lookup(3) == "/3/"
        assert await lookup.rule_set_on(3, date(2026, 11, 24)) == "national-2019"
        assert len(calls) == 1  # the path and the history come from one read, cached
        day.ticks += RULE_SET_TTL_SECONDS - 1
        assert await lookup.rule_set_on(3, date(2026, 11, 25)) == "local-legacy"  # a later day: read again
        assert len(calls) == 2
        day.today = date(2026, 11, 25)
        assert await lookup.rule_set_on(3, date(2026, 11, 25)) == "local-legacy"
        assert await lookup.rule_set_on(3, date(2026, 11, 24)) == "national-2019"  # received before
        assert len(calls) == 3  # the copy of the 24th is older than the item's day
        assert await lookup.rule_set_on(3, date(2026, 11, 25)) == "local-legacy"
        assert len(calls) == 3  # same day, within the TTL: no read
        day.ticks += RULE_SET_TTL_SECONDS
        await lookup.rule_set_on(3, date(2026, 11, 25))
        assert len(calls) == 4
    finally:
        await client.aclose()
