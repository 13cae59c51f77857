"""依申请公开: decision notices (告知书), fee notices (收费通知书) and assignment.

The requests app runs in process on a fresh database (both backends) with a fake catalog: agency
paths for the tree and agency names for the notices (`app.state.agency_info`), and a settable today.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

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
    assert free.status_code == 422 and free.json()["errors"][0]["field"] == "body.pages"
    no_pages = await world.act(app_id, "fee-notice", {"method": "by_pages", "reason": "r"}, world.clerk())
    assert no_pages.status_code == 422 and no_pages.json()["errors"][0]["field"] == "body.pages"
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
        await world.act(
            app_id,
            "extension",
            {"days": 5, "reason": "r", "approver_name": "王明", "approver_role": "主任"},
            world.clerk(),
        )
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
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == f"body.{field}", (
            refused.text
        )
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
    assert notice["applicant_name"] == "张三丰" and notice["tracking_no"].startswith("YSQ2026-")
    assert notice["received_on"] == "2026-11-24" and notice["issued_on"] == "2026-11-24"
    decision = notice["decision"]
    assert decision["outcome"] == "partially_disclosed" and decision["report_row"] == "（二）"
    assert decision["label"] == "部分公开" and decision["legal_basis"] == "条例第三十七条"
    assert any("第三十七条" in b for b in decision["default_basis"])
    assert notice["delivery"] == {
        "form": "electronic",
        "form_label": "电子文档",
        "delivery": "email",
        "delivery_label": "电子邮件",
    }
    assert notice["agency"] == {"id": EAST, "name": "东湖县人民政府"}
    assert notice["reconsideration_body"] == "青山市人民政府"
    # 复议前置 (行政复议法第二十三条第一款第（四）项): no lawsuit within 6 months offered.
    assert "60 日内向青山市人民政府申请行政复议" in notice["remedies"]
    assert "6 个月" not in notice["remedies"] and "应当先申请行政复议" in notice["remedies"]


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
    assert stranger.json()["errors"][0]["field"] == "body.clerk_id"
    assert stranger.json()["code"] == "not_a_clerk_of_agency"
    world.client.app.state.clerk_check = gateway_with_clerks({}, down=True)  # type: ignore[attr-defined]
    unknown = await world.act(mine, "assignment", {"clerk_id": "101", "reason": "r"}, world.clerk())
    assert unknown.status_code == 503
    assert (await world.get(mine, world.clerk())).json()["assigned_to"] == "102", "nothing changed"
    await world.ok(mine, "decision", DISCLOSED, world.clerk())
    assert (await world.act(mine, "assignment", body, world.clerk())).status_code == 409


# --- the legal basis of each outcome (条例, 2019) --------------------------------------------------

# The cited provisions' own text (《中华人民共和国政府信息公开条例》, 2019): the outside truth
# each row of the outcome table is checked against.
REGULATION = {
    "第十四条": "依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及国家安全、"
    "公共安全、经济安全、社会稳定的政府信息，不予公开。",
    "第十五条": "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开。"
    "但是，第三方同意公开或者行政机关认为不公开会对公共利益造成重大影响的，予以公开。",
    "第十六条第一款": "行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面的信息，可以不予公开。",
    "第十六条第二款": "行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息"
    "以及行政执法案卷信息，可以不予公开。法律、法规、规章规定上述信息应当公开的，从其规定。",
    "第三十条": "政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起7个工作日内"
    "一次性告知申请人作出补正，说明需要补正的事项和合理的补正期限。答复期限自行政机关收到补正的申请之日起"
    "计算。申请人无正当理由逾期不补正的，视为放弃申请，行政机关不再处理该政府信息公开申请。",
    "第三十五条": "申请人申请公开政府信息的数量、频次明显超过合理范围，行政机关可以要求申请人说明理由。"
    "行政机关认为申请理由不合理的，告知申请人不予处理；行政机关认为申请理由合理，但是无法在本条例第三十三条"
    "规定的期限内答复申请人的，可以确定延迟答复的合理期限并告知申请人。",
    "第三十六条第（二）项": "所申请公开信息可以公开的，向申请人提供该政府信息，或者告知申请人获取该政府信息的"
    "方式、途径和时间；",
    "第三十六条第（三）项": "行政机关依据本条例的规定决定不予公开的，告知申请人不予公开并说明理由；",
    "第三十六条第（四）项": "经检索没有所申请公开信息的，告知申请人该政府信息不存在；",
    "第三十六条第（六）项": "行政机关已就申请人提出的政府信息公开申请作出答复、申请人重复申请公开相同政府信息的，"
    "告知申请人不予重复处理；",
    "第三十六条第（七）项": "所申请公开信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别"
    "规定的，告知申请人依照有关法律、行政法规的规定办理。",
    "第三十七条": "申请公开的信息中含有不应当公开或者不属于政府信息的内容，但是能够作区分处理的，行政机关应当"
    "向申请人提供可以公开的政府信息内容，并对不予公开的内容说明理由。",
    "第三十八条": "行政机关向申请人提供的信息，应当是已制作或者获取的政府信息。除依照本条例第三十七条的规定"
    "能够作区分处理的外，需要行政机关对现有政府信息进行加工、分析的，行政机关可以不予提供。",
    "第三十九条第一款": "申请人以政府信息公开申请的形式进行信访、投诉、举报等活动，行政机关应当告知申请人"
    "不作为政府信息公开申请处理并可以告知通过相应渠道提出。",
    "第三十九条第二款": "申请人提出的申请内容为要求行政机关提供政府公报、报刊、书籍等公开出版物的，行政机关可以"
    "告知获取的途径。",
    "第四十二条": "行政机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过"
    "合理范围的，行政机关可以收取信息处理费。",
}
FEE_MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"

# outcome → {cited provision: the words of its text that name the outcome's case}
BASIS_ROWS: list[tuple[str, dict[str, str]]] = [
    ("disclosed", {"第三十六条第（二）项": "可以公开"}),
    (
        "partially_disclosed",
        {"第三十六条第（二）项": "可以公开", "第三十六条第（三）项": "不予公开", "第三十七条": "区分处理"},
    ),
    ("withheld.state_secret", {"第三十六条第（三）项": "不予公开", "第十四条": "国家秘密"}),
    (
        "withheld.prohibited_by_law",
        {"第三十六条第（三）项": "不予公开", "第十四条": "法律、行政法规禁止公开"},
    ),
    (
        "withheld.three_securities_one_stability",
        {"第三十六条第（三）项": "不予公开", "第十四条": "国家安全、公共安全、经济安全、社会稳定"},
    ),
    ("withheld.third_party_rights", {"第三十六条第（三）项": "不予公开", "第十五条": "第三方合法权益"}),
    ("withheld.internal_affairs", {"第三十六条第（三）项": "不予公开", "第十六条第一款": "内部事务信息"}),
    ("withheld.process_information", {"第三十六条第（三）项": "不予公开", "第十六条第二款": "过程性信息"}),
    (
        "withheld.enforcement_case_file",
        {"第三十六条第（三）项": "不予公开", "第十六条第二款": "行政执法案卷"},
    ),
    ("withheld.administrative_inquiry", {"第三十六条第（七）项": "对信息的获取有特别规定"}),
    ("unavailable.not_held", {"第三十六条第（四）项": "经检索没有"}),
    ("unavailable.needs_creation", {"第三十八条": "加工、分析"}),
    ("unavailable.still_unclear", {"第三十条": "申请内容不明确"}),
    ("not_processed.petition_or_complaint", {"第三十九条第一款": "信访、投诉、举报"}),
    ("not_processed.duplicate", {"第三十六条第（六）项": "重复申请"}),
    ("not_processed.publication", {"第三十九条第二款": "公开出版物"}),
    ("not_processed.mass_unreasonable", {"第三十五条": "数量、频次明显超过合理范围"}),
    ("not_processed.confirm_or_reissue", {}),
    ("other.no_correction", {"第三十条": "逾期不补正"}),
    ("other.fee_unpaid", {"第四十二条": "信息处理费"}),
    ("other.other", {}),
]


def test_the_basis_table_has_one_row_per_outcome() -> None:
    from services.requests.models import Outcome
    from services.requests.notices import OUTCOME_RULES

    assert [code for code, _ in BASIS_ROWS] == [o.value for o in Outcome] == [o.value for o in OUTCOME_RULES]


@pytest.mark.parametrize(("outcome", "provisions"), BASIS_ROWS, ids=[code for code, _ in BASIS_ROWS])
def test_each_outcome_cites_the_provisions_whose_text_names_its_case(
    outcome: str, provisions: dict[str, str]
) -> None:
    from services.requests.models import Outcome
    from services.requests.notices import R, default_basis

    cited = default_basis(Outcome(outcome))
    extra = [FEE_MEASURES] if outcome == "other.fee_unpaid" else []
    assert cited == [f"{R}{p}" for p in provisions] + extra
    for provision, words in provisions.items():
        assert words in REGULATION[provision], (provision, words)


async def test_the_notice_cites_each_outcomes_own_article_and_nothing_where_none_names_it(
    world: NoticeWorld,
) -> None:
    cases = {
        "withheld.administrative_inquiry": ["第三十六条第（七）项"],
        "not_processed.petition_or_complaint": ["第三十九条第一款"],
        "not_processed.publication": ["第三十九条第二款"],
        "not_processed.mass_unreasonable": ["第三十五条"],
        "unavailable.needs_creation": ["第三十八条"],
        "not_processed.duplicate": ["第三十六条第（六）项"],
        "not_processed.confirm_or_reissue": [],
    }
    for outcome, provisions in cases.items():
        app_id = (await world.apply())["id"]
        decision = {"outcome": outcome, "reason": "经审查", "legal_basis": "见下"}
        await world.ok(app_id, "decision", decision, world.clerk())
        found = (await world.notice(app_id))["decision"]["default_basis"]
        assert found == [f"《中华人民共和国政府信息公开条例》{p}" for p in provisions], outcome
        page = (await world.get(app_id, world.clerk(), "/notice.html")).text
        assert "第十六条" not in page and "第三十六条第（三）项" not in page, outcome


# --- remedies per outcome (行政复议法 2023, 行政诉讼法) ------------------------------------------------

# 行政复议法第二十三条第一款第（四）项: 申请政府信息公开，行政机关不予公开 — reconsideration first. The
# outcomes the annual report counts as not disclosed: (二) 部分公开 and (三) 不予公开.
RECONSIDERATION_FIRST = {
    "partially_disclosed",
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.three_securities_one_stability",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_information",
    "withheld.enforcement_case_file",
    "withheld.administrative_inquiry",
}


@pytest.mark.parametrize("outcome", [code for code, _ in BASIS_ROWS])
def test_each_outcome_states_its_own_remedies(outcome: str) -> None:
    from services.requests.models import Outcome
    from services.requests.notices import OUTCOME_RULES, remedies

    text = remedies("青山市人民政府", OUTCOME_RULES[Outcome(outcome)].remedy)
    assert "自收到本告知书之日起 60 日内向青山市人民政府申请行政复议" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    if outcome in RECONSIDERATION_FIRST:
        assert "6 个月" not in text and "第四十六条" not in text
        assert "第二十三条第一款第（四）项" in text and "应当先申请行政复议" in text
        assert "收到行政复议决定书之日起 15 日内" in text and "《中华人民共和国行政诉讼法》第四十五条" in text
    else:
        assert "6 个月内向人民法院提起行政诉讼" in text and "《中华人民共和国行政诉讼法》第四十六条" in text
        assert "第二十三条" not in text


async def test_a_refusal_states_reconsideration_only_and_a_disclosure_both_routes(world: NoticeWorld) -> None:
    refused = (await world.apply())["id"]
    refusal = {
        "outcome": "withheld.third_party_rights",
        "reason": "涉及个人隐私",
        "legal_basis": "条例第十五条",
    }
    await world.ok(refused, "decision", refusal, world.clerk())
    notice = await world.notice(refused, world.citizen())
    assert "6 个月" not in notice["remedies"] and "应当先申请行政复议" in notice["remedies"]
    assert "向青山市人民政府申请行政复议" in notice["remedies"]
    page = (await world.get(refused, world.citizen(), "/notice.html")).text
    assert "6 个月内向人民法院提起行政诉讼" not in page and "第二十三条第一款第（四）项" in page
    given = (await world.apply())["id"]
    await world.ok(given, "decision", DISCLOSED, world.clerk())
    both = (await world.notice(given))["remedies"]
    assert "60 日内向青山市人民政府申请行政复议" in both and "6 个月内向人民法院提起行政诉讼" in both
    assert "应当先申请行政复议" not in both


# --- wording: addressed to the applicant, no report notes, no doubled punctuation ---------------

DOUBLED = re.compile(r"[。，；：、,.;:]{2}")


def page_text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page.split("</style>", 1)[-1])


async def test_the_notice_is_addressed_to_the_applicants_real_name_for_the_applicant_and_clerks(
    world: NoticeWorld,
) -> None:
    from shared.audit import PersonalDataRead

    app_id = (await world.apply())["id"]
    await world.ok(app_id, "decision", DISCLOSED, world.clerk())
    for reader in (world.citizen(), world.clerk()):
        assert (await world.notice(app_id, reader))["applicant_name"] == "张三丰"
        page = (await world.get(app_id, reader, "/notice.html")).text
        assert '<p class="to">张三丰：</p>' in page and "张**" not in page
    assert (await world.notice(app_id, world.inspector()))["applicant_name"] == "张**"
    listed = (await world.client.get(URL, headers=world.clerk())).json()["items"][0]
    assert listed["applicant_name"] == "张**", "lists stay masked"
    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        reads = (await session.exec(select(PersonalDataRead))).all()
    assert [(r.actor_id, r.field, r.record_id) for r in reads] == [("101", "applicant_name", str(app_id))] * 2


async def test_the_notice_never_prints_the_reports_counting_note_nor_doubled_punctuation(
    world: NoticeWorld,
) -> None:
    app_id = (await world.apply(description="2025年东湖县最低生活保障资金发放情况。"))["id"]
    data = {
        "outcome": "partially_disclosed",
        "reason": "部分内容涉及个人隐私。",
        "legal_basis": "条例第三十七条。",
        "disclosed": "各乡镇发放总额与户数。",
        "withheld": [{"item": "领取人姓名", "reason": "个人隐私"}],
    }
    await world.ok(app_id, "decision", data, world.clerk())
    notice = await world.notice(app_id)
    assert notice["decision"]["label"] == "部分公开"
    page = (await world.get(app_id, world.citizen(), "/notice.html")).text
    assert "区分处理的" not in page and "只计这一情形" not in page
    text = page_text(page)
    assert "答复如下：部分公开。部分内容涉及个人隐私。" in text
    assert "申请公开：2025年东湖县最低生活保障资金发放情况。" in text
    assert "依据：条例第三十七条；《中华人民共和国政府信息公开条例》第三十六条第（二）项" in text
    assert not DOUBLED.findall(text), DOUBLED.findall(text)
    for outcome in ("disclosed", "not_processed.confirm_or_reissue", "withheld.state_secret"):
        other = (await world.apply(description="文件；"))["id"]
        decision = {"outcome": outcome, "reason": "理由，", "legal_basis": "依据："}
        await world.ok(other, "decision", decision, world.clerk())
        text = page_text((await world.get(other, world.clerk(), "/notice.html")).text)
        assert not DOUBLED.findall(text), (outcome, DOUBLED.findall(text))


async def test_an_overdue_application_tells_the_applicant_reconsideration_comes_first(
    world: NoticeWorld,
) -> None:
    receipt = await world.apply()
    app_id = receipt["id"]
    track = f"{URL}/track/{receipt['tracking_no']}"
    world.clock.today = date(2026, 12, 22)  # the last day of the 20 working days
    assert (await world.get(app_id, world.citizen())).json()["remedies"] is None
    assert (await world.client.get(track, params={"code": receipt["query_code"]})).json()["remedies"] is None
    world.clock.today = date(2026, 12, 23)  # no answer: 行政复议法第二十三条第一款第（三）项
    own = (await world.get(app_id, world.citizen())).json()
    assert own["deadline"]["flag"] == "red"
    assert "第二十三条第一款第（三）项" in own["remedies"] and "应当先申请行政复议" in own["remedies"]
    tracked = (await world.client.get(track, params={"code": receipt["query_code"]})).json()
    assert tracked["remedies"] == own["remedies"]
    await world.ok(app_id, "decision", DISCLOSED, world.clerk())
    assert (await world.get(app_id, world.citizen())).json()["remedies"] is None
