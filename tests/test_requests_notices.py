"""依申请公开: decision notices (告知书), fee notices (收费通知书) and assignment.

The requests app runs in process on a fresh database (both backends) with a fake catalog: agency
paths for the tree and agency names for the notices (`app.state.agency_info`), and a settable today.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.requests.fees import compute_fee
from shared.calendar import WorkingCalendar
from shared.errors import InvalidField, ServiceUnavailable
from tests.conftest import Tokens, _serve, create_database, gateway_with_clerks
from tests.test_requests_lifecycle import EAST, PATHS, URL, WEST, Clock, World, resident_id

NAMES = {
    1: "青山省人民政府",
    2: "青山市人民政府",
    3: "东湖县人民政府",
    4: "西湖县人民政府",
    5: "白山市人民政府",
}
CALENDAR = WorkingCalendar()
DISCLOSED = {"outcome": "disclosed", "reason": "予以公开", "legal_basis": "条例第三十六条第（二）项"}


class Catalog:
    down = False

    async def __call__(self, agency_id: int) -> dict[str, Any] | None:
        if self.down:
            raise ServiceUnavailable("目录服务暂不可用")
        if agency_id not in NAMES:
            return None
        parent = PATHS[agency_id].strip("/").split("/")[-2:-1]
        return {"id": agency_id, "name": NAMES[agency_id], "parent_id": int(parent[0]) if parent else None}


class NoticeWorld(World):
    catalog: Catalog

    async def ok(
        self, app_id: int, route: str, data: dict[str, Any], headers: dict[str, str], code: int = 200
    ):
        response = await self.act(app_id, route, data, headers)
        assert response.status_code == code, response.text
        return response.json()

    async def notice(self, app_id: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.get(app_id, headers or self.clerk(), "/notice")
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[NoticeWorld]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    async def lookup(agency_id: int) -> str:
        if agency_id not in PATHS:
            raise InvalidField("agency_id", f"机关 {agency_id} 不存在", code="agency_not_found")
        return PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    clock, catalog = Clock(), Catalog()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.agency_info = catalog
    app.state.today = clock
    app.state.clerk_check = gateway_with_clerks({EAST: [101, 102], WEST: [201]})
    async for client in _serve(app, "http://requests"):
        world = NoticeWorld(client, tokens, clock)
        world.catalog = catalog
        yield world


# --- the fee tables (国办函〔2020〕109号) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("applications", "fee"),
    [
        (0, 0),
        (1, 0),
        (10, 0),
        (11, 100),
        (30, 100),
        (31, 200),
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (61, 500),
    ],
)
def test_fee_by_count_is_the_price_of_the_applications_place_in_the_month(
    applications: int, fee: int
) -> None:
    assert compute_fee("by_count", applications_this_month=applications, pages=999) == fee


@pytest.mark.parametrize(
    ("pages", "fee"),
    [(0, 0), (1, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (250, 4700)],
)
def test_fee_by_pages_charges_each_page_at_its_band(pages: int, fee: int) -> None:
    assert compute_fee("by_pages", applications_this_month=999, pages=pages) == fee


def test_fee_inputs_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        compute_fee("by_count", applications_this_month=-1, pages=0)
    with pytest.raises(ValueError):
        compute_fee("by_pages", applications_this_month=0, pages=-1)


# --- fee notices --------------------------------------------------------------------------------


async def test_a_fee_notice_pauses_the_clock_for_exactly_the_working_days_until_payment(
    world: NoticeWorld,
) -> None:
    app_id = (await world.apply())["id"]
    due_before = (await world.get(app_id, world.clerk())).json()["deadline"]["due"]
    free = await world.act(
        app_id, "fee-notice", {"method": "by_pages", "pages": 30, "reason": "r"}, world.clerk()
    )
    assert free.status_code == 422 and free.json()["errors"][0]["field"] == "pages"
    no_pages = await world.act(app_id, "fee-notice", {"method": "by_pages", "reason": "r"}, world.clerk())
    assert no_pages.status_code == 422 and no_pages.json()["errors"][0]["field"] == "pages"
    first = await world.act(app_id, "fee-notice", {"method": "by_count", "reason": "r"}, world.clerk())
    assert first.status_code == 422  # the 1st application of the month is free
    notice = await world.ok(
        app_id, "fee-notice", {"method": "by_pages", "pages": 120, "reason": "页数较多"}, world.clerk(), 201
    )
    assert notice["amount"] == 700 + 20 * 20 and notice["method_label"] == "按量计收"
    assert notice["notified_on"] == "2026-11-24"
    assert notice["due_on"] == CALENDAR.add_working_days(date(2026, 11, 24), 20).day.isoformat()
    paused = (await world.get(app_id, world.citizen())).json()
    assert paused["state"] == "fee_notified" and paused["deadline"]["paused"] is True
    assert (
        await world.act(app_id, "extension", {"days": 5, "reason": "r"}, world.clerk())
    ).status_code == 409
    world.clock.today = date(2026, 12, 1)  # five working days later
    paid = await world.ok(app_id, "fee-paid", {"note": "票据 001"}, world.clerk())
    assert paid["paid_on"] == "2026-12-01"
    after = (await world.get(app_id, world.clerk())).json()
    paused_days = CALENDAR.working_days_between(date(2026, 11, 24), date(2026, 12, 1)).days
    assert paused_days == 5 and after["state"] == "in_progress" and after["deadline"]["paused"] is False
    expected = CALENDAR.add_working_days(date.fromisoformat(due_before), paused_days).day
    assert after["deadline"]["due"] == expected.isoformat()
    again = await world.act(app_id, "fee-paid", {}, world.clerk())
    assert again.status_code == 409
    timeline = (await world.get(app_id, world.citizen(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied", "fee_notice", "fee_paid"]
    assert timeline[1]["details"]["fee"]["amount"] == 1100
    assert (
        await world.act(app_id, "fee-notice", {"method": "by_count", "reason": "r"}, world.citizen())
    ).status_code == 403


async def test_by_count_counts_the_same_applicants_applications_to_the_agency_in_the_month(
    world: NoticeWorld,
) -> None:
    other_person = resident_id("11010519800101001")
    world.clock.today = date(2026, 10, 30)
    await world.apply()  # October: another month
    world.clock.today = date(2026, 11, 2)
    await world.apply(agency_id=WEST)  # another agency
    await world.apply(id_number=other_person)  # another applicant
    ids = [(await world.apply(who=str(5000 + i)))["id"] for i in range(11)]  # any account, same ID number
    tenth = await world.act(ids[9], "fee-notice", {"method": "by_count", "reason": "r"}, world.clerk())
    assert tenth.status_code == 422
    eleventh = await world.ok(
        ids[10],
        "fee-notice",
        {"method": "by_count", "reason": "申请数量明显超过合理范围"},
        world.clerk(),
        201,
    )
    assert (
        eleventh["applications_this_month"] == 11 and eleventh["amount"] == 100 and eleventh["pages"] is None
    )


async def test_unpaid_past_the_due_date_ends_processing_and_not_before(world: NoticeWorld) -> None:
    unpaid = {"outcome": "other.fee_unpaid", "reason": "逾期未缴费", "legal_basis": "条例第四十二条"}
    plain = (await world.apply())["id"]
    none = await world.act(plain, "decision", unpaid, world.clerk())
    assert none.status_code == 409 and none.json()["code"] == "fee_not_notified"
    app_id = (await world.apply())["id"]
    notice = await world.ok(
        app_id, "fee-notice", {"method": "by_pages", "pages": 31, "reason": "r"}, world.clerk(), 201
    )
    due = date.fromisoformat(notice["due_on"])
    world.clock.today = due
    early = await world.act(app_id, "decision", unpaid, world.clerk())
    assert early.status_code == 409 and early.json()["code"] == "fee_payment_period_running"
    assert "第四十二条" in early.json()["detail"]
    other = await world.act(app_id, "decision", DISCLOSED, world.clerk())
    assert other.status_code == 409 and other.json()["code"] == "fee_notice_pending"
    world.clock.today = due + timedelta(days=1)
    late = await world.act(app_id, "fee-paid", {}, world.clerk())
    assert late.status_code == 409 and late.json()["code"] == "fee_payment_period_passed"
    ended = await world.ok(app_id, "decision", unpaid, world.clerk())
    assert ended["state"] == "decided" and ended["outcome"] == "other.fee_unpaid"
    found = await world.notice(app_id)
    assert found["decision"]["report_row"] == "（六）2" and any(
        "第四十二条" in b for b in found["decision"]["default_basis"]
    )


# --- decision notices ---------------------------------------------------------------------------


async def test_notices_are_numbered_per_agency_and_year(world: NoticeWorld) -> None:
    first = (await world.apply())["id"]
    assert (await world.get(first, world.clerk(), "/notice")).status_code == 404
    numbers = []
    for _ in range(3):
        app_id = (await world.apply())["id"]
        await world.ok(app_id, "decision", DISCLOSED, world.clerk())
        numbers.append((await world.notice(app_id))["number"])
    assert numbers == [f"东湖县人民政府公开告〔2026〕第 {n} 号" for n in (1, 2, 3)]
    west = (await world.apply(agency_id=WEST))["id"]
    await world.ok(west, "decision", DISCLOSED, world.clerk(WEST, "201"))
    assert (await world.notice(west, world.clerk(WEST, "201")))[
        "number"
    ] == "西湖县人民政府公开告〔2026〕第 1 号"
    referral = {"kind": "other_agency", "agency_name": "青山市民政局", "reason": "不属于本机关"}
    await world.ok(first, "referral", referral, world.clerk())
    referred = await world.notice(first)
    assert referred["number"].endswith("第 4 号") and referred["referral"]["agency_name"] == "青山市民政局"
    assert any("第（五）项" in b for b in referred["decision"]["default_basis"])
    world.clock.today = date(2027, 1, 5)
    new_year = (await world.apply())["id"]
    await world.ok(new_year, "decision", DISCLOSED, world.clerk())
    assert (await world.notice(new_year))["number"] == "东湖县人民政府公开告〔2027〕第 1 号"
    # Issued once: a second decision is refused and the notice stays as it was.
    assert (await world.act(new_year, "decision", DISCLOSED, world.clerk())).status_code == 409
    assert (await world.notice(new_year))["number"].endswith("第 1 号")


async def test_a_partial_disclosure_lists_what_was_withheld_and_why(world: NoticeWorld) -> None:
    app_id = (await world.apply())["id"]
    partial = {
        "outcome": "partially_disclosed",
        "reason": "部分涉及个人隐私",
        "legal_basis": "条例第三十七条",
    }
    for extra, field in (
        ({"disclosed": "发放总额"}, "withheld"),
        ({"disclosed": "发放总额", "withheld": []}, "withheld"),
        ({"withheld": [{"item": "姓名", "reason": "隐私"}]}, "disclosed"),
    ):
        refused = await world.act(app_id, "decision", {**partial, **extra}, world.clerk())
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    stray = {**DISCLOSED, "withheld": [{"item": "姓名", "reason": "隐私"}]}
    assert (await world.act(app_id, "decision", stray, world.clerk())).status_code == 422
    withheld = [
        {"item": "领取人姓名", "reason": "个人隐私（条例第十五条）"},
        {"item": "身份证号", "reason": "个人信息"},
    ]
    data = {**partial, "disclosed": "各乡镇发放总额与户数", "withheld": withheld}
    await world.ok(app_id, "decision", data, world.clerk())
    notice = await world.notice(app_id, world.citizen())
    assert notice["withheld"] == withheld and notice["disclosed"] == "各乡镇发放总额与户数"
    assert notice["applicant_name"] == "张**" and notice["tracking_no"].startswith("YSQ2026-")
    assert notice["received_on"] == "2026-11-24" and notice["issued_on"] == "2026-11-24"
    decision = notice["decision"]
    assert decision["outcome"] == "partially_disclosed" and decision["report_row"] == "（二）"
    assert decision["label"].startswith("部分公开") and decision["legal_basis"] == "条例第三十七条"
    assert any("第三十七条" in b for b in decision["default_basis"])
    assert notice["delivery"] == {
        "form": "electronic",
        "form_label": "电子文档",
        "delivery": "email",
        "delivery_label": "电子邮件",
    }
    assert notice["agency"] == {"id": EAST, "name": "东湖县人民政府"}
    assert notice["reconsideration_body"] == "青山市人民政府"
    assert (
        "60 日" in notice["remedies"]
        and "6 个月" in notice["remedies"]
        and "青山市人民政府" in notice["remedies"]
    )


async def test_the_printable_notice_is_escaped_and_scoped(world: NoticeWorld) -> None:
    app_id = (await world.apply(description="<script>alert(1)</script>低保名单"))["id"]
    data = {
        "outcome": "partially_disclosed",
        "reason": "理由 <b>粗</b>",
        "legal_basis": "条例第三十七条",
        "disclosed": "总额 & 户数",
        "withheld": [{"item": "<img src=x onerror=alert(1)>", "reason": "隐私"}],
    }
    await world.ok(app_id, "decision", data, world.clerk())
    page = await world.get(app_id, world.citizen(), "/notice.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img" not in text and "<b>" not in text and "总额 &amp; 户数" in text
    assert "@page" in text and "A4" in text and "东湖县人民政府公开告〔2026〕第 1 号" in text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    for reader in (world.citizen(), world.clerk(), world.inspector()):
        assert (await world.get(app_id, reader, "/notice")).status_code == 200
    for outsider in (world.clerk(WEST, "201"), world.inspector(5), world.citizen("5002")):
        assert (await world.get(app_id, outsider, "/notice")).status_code == 404
        assert (await world.get(app_id, outsider, "/notice.html")).status_code == 404


async def test_no_decision_is_written_when_the_catalog_cannot_name_the_agency(world: NoticeWorld) -> None:
    app_id = (await world.apply())["id"]
    world.catalog.down = True
    assert (await world.act(app_id, "decision", DISCLOSED, world.clerk())).status_code == 503
    assert (await world.get(app_id, world.clerk())).json()["state"] == "registered"
    world.catalog.down = False
    await world.ok(app_id, "decision", DISCLOSED, world.clerk())
    assert (await world.notice(app_id))["number"].endswith("第 1 号")


# --- assignment ---------------------------------------------------------------------------------


async def test_assignment_and_the_assigned_to_me_queue(world: NoticeWorld) -> None:
    mine = (await world.apply())["id"]
    other = (await world.apply())["id"]
    assigned = await world.ok(
        mine, "assignment", {"clerk_id": "102", "reason": "熟悉低保业务"}, world.clerk()
    )
    assert assigned["assigned_to"] == "102"
    queue = (await world.client.get(URL, params={"assigned_to": "me"}, headers=world.clerk(sub="102"))).json()
    assert [a["id"] for a in queue["items"]] == [mine] and queue["total"] == 1
    everyone = (await world.client.get(URL, headers=world.clerk(sub="102"))).json()
    assert {a["id"] for a in everyone["items"]} == {mine, other}
    none = (await world.client.get(URL, params={"assigned_to": "me"}, headers=world.clerk())).json()
    assert none["total"] == 0
    bad = await world.client.get(URL, params={"assigned_to": "101"}, headers=world.clerk())
    assert bad.status_code == 422
    body = {"clerk_id": "201", "reason": "r"}
    assert (await world.act(mine, "assignment", body, world.clerk(WEST, "201"))).status_code == 404
    assert (await world.act(mine, "assignment", body, world.citizen())).status_code == 403
    timeline = (await world.get(mine, world.clerk(), "/timeline")).json()
    assert timeline[-1]["action"] == "assign" and timeline[-1]["details"] == {"assigned_to": "102"}
    assert (await world.get(mine, world.citizen())).json()["assigned_to"] is None
    stranger = await world.act(mine, "assignment", {"clerk_id": "201", "reason": "r"}, world.clerk())
    assert stranger.status_code == 422, "a clerk of another agency"
    assert stranger.json()["errors"][0]["field"] == "clerk_id"
    assert stranger.json()["code"] == "not_a_clerk_of_agency"
    world.client.app.state.clerk_check = gateway_with_clerks({}, down=True)  # type: ignore[attr-defined]
    unknown = await world.act(mine, "assignment", {"clerk_id": "101", "reason": "r"}, world.clerk())
    assert unknown.status_code == 503
    assert (await world.get(mine, world.clerk())).json()["assigned_to"] == "102", "nothing changed"
    await world.ok(mine, "decision", DISCLOSED, world.clerk())
    assert (await world.act(mine, "assignment", body, world.clerk())).status_code == 409
