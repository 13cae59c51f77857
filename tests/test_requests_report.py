"""The annual report (政府信息公开工作年度报告): table 三 from the applications, table 四 from the review
cases, table 二 from the catalog; JSON, CSV and printable HTML; who may report on what.

The requests app runs in process (as in test_requests_lifecycle.py) with a settable "today": every
received date and decision date below is set by moving that clock, so the whole year goes through
the public API (no event is written behind the lifecycle's back). The catalog is faked with an
httpx MockTransport answering the agency and the document-count queries the report makes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from shared.devrun import Cluster
from shared.errors import InvalidField
from shared.http import ServiceClient
from tests.conftest import Tokens, _serve, create_database
from tests.test_requests_lifecycle import PATHS, Clock, World, body

URL = "/api/v1/requests"
REPORT = f"{URL}/reports/annual"
EAST, WEST, CITY, OTHER_CITY, DEPARTMENT = 3, 4, 2, 5, 6
EVIL = '<script>alert("x")</script>西湖县&'
NAMES = {1: "某某省", 2: "青山市", 3: "东湖县人民政府", 4: EVIL, 5: "白水市", 6: "青山市民政局"}
LEVELS = {1: "province", 2: "city", 3: "county", 4: "county", 5: "city", 6: "department"}
AGENCY_PATHS = {**PATHS, DEPARTMENT: "/1/2/6/"}
COLUMNS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_organisation",
    "legal_service_institution",
    "other",
    "total",
]
# (doc_type, the count's filters) → total, as the fake catalog answers the report's count queries.
DOC_TOTALS = {
    ("regulation", (("year", "2025"),)): 2,
    ("regulation", (("repealed_from", "2025-01-01"), ("repealed_to", "2025-12-31"))): 1,
    ("regulation", (("in_force_on", "2025-12-31"),)): 7,
    ("normative", (("year", "2025"),)): 5,
    ("normative", (("repealed_from", "2025-01-01"), ("repealed_to", "2025-12-31"))): 0,
    ("normative", (("in_force_on", "2025-12-31"),)): 30,
}
COUNT_FILTERS = ("year", "repealed_from", "repealed_to", "in_force_on", "validity")


@dataclass
class FakeCatalog:
    down: bool = False
    seen: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("catalog down", request=request)
        path = request.url.path
        if path.startswith("/api/v1/catalog/agencies/"):
            agency_id = int(path.rsplit("/", 1)[1])
            if agency_id not in NAMES:
                return httpx.Response(404, json={"status": 404})
            return httpx.Response(200, json=agency_json(agency_id))
        if path == "/api/v1/catalog/agencies":  # the region's agencies (supervision of annual reports)
            under = request.url.params["under"]
            found = [agency_json(a) for a, p in AGENCY_PATHS.items() if f"/{under}/" in p]
            return httpx.Response(
                200, json={"items": found, "total": len(found), "page": 1, "page_size": 100}
            )
        if path.startswith("/api/v1/catalog/documents/"):  # what an already_published referral points to
            document_id = int(path.rsplit("/", 1)[1])
            return httpx.Response(
                200,
                json={
                    "id": document_id,
                    "title": "东湖县最低生活保障标准",
                    "index_no": f"990121/2025-{document_id:05d}",
                    "doc_number": None,
                    "agency_id": EAST,
                    "status": "published",
                    "scope": "public",
                    "published_at": "2025-01-02T01:00:00+00:00",
                },
            )
        if path == "/api/v1/catalog/documents":
            params = dict(request.url.params)
            self.seen.append(params)
            filters = tuple(sorted((k, v) for k, v in params.items() if k in COUNT_FILTERS))
            key = (params.get("doc_type"), filters)
            total = DOC_TOTALS.get(key, 0)  # type: ignore[call-overload]
            return httpx.Response(200, json={"items": [], "total": total, "page": 1, "page_size": 1})
        return httpx.Response(404, json={"status": 404})


def agency_json(agency_id: int) -> dict[str, Any]:
    parent = AGENCY_PATHS[agency_id].strip("/").split("/")[-2:-1]
    return {
        "id": agency_id,
        "name": NAMES[agency_id],
        "level": LEVELS[agency_id],
        "parent_id": int(parent[0]) if parent else None,
    }


class ReportWorld(World):
    catalog: FakeCatalog

    async def at(self, day: str) -> None:
        self.clock.today = date.fromisoformat(day)

    async def overdue_ids(self, day: str) -> list[int]:
        """The agencies whose annual report the city's inspector sees overdue on `day`, in list order."""
        await self.at(day)
        response = await self.client.get(f"{URL}/supervision/overdue", headers=self.inspector())
        assert response.status_code == 200, response.text
        return [i["agency_id"] for i in response.json()["items"] if i["item_type"] == "annual_report"]

    async def applied(self, day: str, applicant_type: str = "natural_person", agency: int = EAST) -> int:
        await self.at(day)
        return (await self.apply(applicant_type=applicant_type, agency_id=agency))["id"]

    async def ok(self, app_id: int, route: str, data: dict[str, Any], headers: dict[str, str]) -> None:
        response = await self.act(app_id, route, data, headers)
        assert response.status_code == 200, response.text

    async def decide(self, app_id: int, day: str, outcome: str, agency: int = EAST) -> None:
        await self.at(day)
        data: dict[str, Any] = {"outcome": outcome, "reason": "测试答复", "legal_basis": "条例第三十六条"}
        if outcome == "partially_disclosed":  # 条例第三十七条: what is withheld, and why
            data |= {"disclosed": "其余部分", "withheld": [{"item": "个人信息", "reason": "个人隐私"}]}
        await self.ok(app_id, "decision", data, self.clerk(agency))

    async def report(
        self, year: int, agency: int, headers: dict[str, str], fmt: str = "json"
    ) -> httpx.Response:
        return await self.client.get(
            REPORT, params={"year": year, "agency_id": agency, "format": fmt}, headers=headers
        )


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[ReportWorld]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    async def lookup(agency_id: int) -> str:
        if agency_id not in AGENCY_PATHS:
            raise InvalidField("agency_id", f"机关 {agency_id} 不存在", code="agency_not_found")
        return AGENCY_PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    clock = Clock()
    fake = FakeCatalog()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.catalog = ServiceClient(
        "http://catalog", "test-token", retries=0, transport=httpx.MockTransport(fake)
    )
    app.state.today = clock
    async for client in _serve(app, "http://requests"):
        world = ReportWorld(client, tokens, clock)
        world.catalog = fake
        yield world


async def build_year(w: ReportWorld) -> dict[str, int]:
    """Applications around 2025 (see the expectations in `EXPECTED_EAST_2025`)."""
    ids: dict[str, int] = {}
    # Received in 2024.
    ids["A1"] = await w.applied("2024-12-20")
    ids["A2"] = await w.applied("2024-12-23", "commercial_enterprise")
    ids["A3"] = await w.applied("2024-12-24", "research_institution")
    await w.decide(ids["A2"], "2024-12-30", "partially_disclosed")  # closed before 2025: not counted
    await w.decide(ids["A1"], "2025-01-10", "disclosed")
    await w.at("2025-01-06")
    await w.ok(ids["A3"], "withdrawal", {"reason": "不需要了"}, w.citizen())
    # Received in 2025.
    ids["B1"] = await w.applied("2025-03-03")
    ids["B2"] = await w.applied("2025-03-03")
    ids["W1"] = await w.applied("2025-03-03", agency=WEST)
    ids["C1"] = await w.applied("2025-03-03", agency=OTHER_CITY)
    await w.decide(ids["B1"], "2025-03-10", "withheld.state_secret")
    await w.decide(ids["W1"], "2025-03-05", "unavailable.not_held", agency=WEST)
    await w.decide(ids["C1"], "2025-03-05", "disclosed", agency=OTHER_CITY)
    await w.at("2025-03-12")
    referral = {"kind": "other_agency", "agency_name": "青山市民政局", "reason": "不属于本机关"}
    await w.ok(ids["B2"], "referral", referral, w.clerk())
    ids["B3"] = await w.applied("2025-04-01", "public_interest_organisation")
    await w.decide(ids["B3"], "2025-04-08", "not_processed.duplicate")
    ids["B4"] = await w.applied("2025-05-06", "legal_service_institution")
    await w.at("2025-05-07")
    await w.ok(ids["B4"], "correction-request", {"items": [{"text": "请写明文件名称"}], "days": 2}, w.clerk())
    await w.at("2025-05-20")
    await w.ok(ids["B4"], "abandonment", {"reason": "逾期未补正"}, w.clerk())
    ids["B5"] = await w.applied("2025-06-02", "other")
    await w.at("2025-06-03")  # 条例第四十二条: a fee notice, unpaid past its 20 working days
    fee = {"method": "by_pages", "pages": 40, "reason": "页数较多"}
    assert (await w.act(ids["B5"], "fee-notice", fee, w.clerk())).status_code == 201
    await w.decide(ids["B5"], "2025-07-10", "other.fee_unpaid")
    ids["B6"] = await w.applied("2025-06-02", "commercial_enterprise")
    await w.at("2025-06-05")
    published = {"kind": "already_published", "document_id": 1, "reason": "已主动公开"}
    await w.ok(ids["B6"], "referral", published, w.clerk())
    ids["B7"] = await w.applied("2025-07-01")
    await w.decide(ids["B7"], "2025-07-08", "withheld.process_information")
    ids["B10"] = await w.applied("2025-08-04")
    await w.ok(ids["B10"], "withdrawal", {}, w.citizen())
    ids["B8"] = await w.applied("2025-12-22")
    ids["B9"] = await w.applied("2025-12-29", "commercial_enterprise")  # never decided
    await w.decide(ids["B8"], "2026-01-08", "disclosed")
    # Received in 2026.
    ids["D1"] = await w.applied("2026-01-05")
    return ids


def zeros() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def row(**counts: int) -> dict[str, int]:
    values = {**zeros(), **{k: v for k, v in counts.items()}}
    values["total"] = sum(v for k, v in values.items() if k != "total")
    return values


NP, CE, RI, PIO, LSI, OT = COLUMNS[:6]
OUTCOMES = [
    "disclosed",
    "partially_disclosed",
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.three_securities_one_stability",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_information",
    "withheld.enforcement_case_file",
    "withheld.administrative_inquiry",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.still_unclear",
    "not_processed.petition_or_complaint",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.mass_unreasonable",
    "not_processed.confirm_or_reissue",
    "other.no_correction",
    "other.fee_unpaid",
    "other.other",
]


def expected(**rows: dict[str, int]) -> dict[str, dict[str, int]]:
    """Every row of table 三: the ones given, all others zero."""
    return {key: rows.get(key.replace(".", "__"), zeros()) for key in ["new", "carried_over", *OUTCOMES]} | {
        "decided_total": rows.get("decided_total", zeros()),
        "carried_forward": rows.get("carried_forward", zeros()),
    }


EXPECTED_EAST_2025 = expected(
    new=row(**{NP: 5, CE: 2, PIO: 1, LSI: 1, OT: 1}),
    carried_over=row(**{NP: 1, RI: 1}),
    disclosed=row(**{NP: 1, CE: 1}),
    withheld__state_secret=row(**{NP: 1}),
    withheld__process_information=row(**{NP: 1}),
    unavailable__not_held=row(**{NP: 1}),
    not_processed__duplicate=row(**{PIO: 1}),
    other__no_correction=row(**{LSI: 1}),
    other__fee_unpaid=row(**{OT: 1}),
    other__other=row(**{NP: 1, RI: 1}),
    decided_total=row(**{NP: 5, CE: 1, RI: 1, PIO: 1, LSI: 1, OT: 1}),
    carried_forward=row(**{NP: 1, CE: 1}),
)


def table3(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {r["key"]: r["values"] for r in report["table3"]["rows"]}


ROW_NUMBERS = ["一、", "二、", "（一）", "（二）"] + [f"（三）{i}" for i in range(1, 9)]
ROW_NUMBERS += [f"（四）{i}" for i in range(1, 4)] + [f"（五）{i}" for i in range(1, 6)]
ROW_NUMBERS += [f"（六）{i}" for i in range(1, 4)] + ["（七）", "四、"]


async def test_every_cell_of_table_three_and_the_check(world: ReportWorld) -> None:
    await build_year(world)
    response = await world.report(2025, EAST, world.clerk())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["title"] == "东湖县人民政府政府信息公开工作年度报告（2025年）"
    assert report["agency"] == {"id": EAST, "name": "东湖县人民政府"} and report["year"] == 2025
    assert report["generated_at"].endswith("+08:00")
    t3 = report["table3"]
    assert t3["title"] == "三、收到和处理政府信息公开申请情况"
    assert [(c["key"], c["label"], c["group"]) for c in t3["columns"]] == [
        (NP, "自然人", None),
        (CE, "商业企业", "法人或其他组织"),
        (RI, "科研机构", "法人或其他组织"),
        (PIO, "社会公益组织", "法人或其他组织"),
        (LSI, "法律服务机构", "法人或其他组织"),
        (OT, "其他", "法人或其他组织"),
        ("total", "总计", None),
    ]
    assert [r["row"] for r in t3["rows"]] == ROW_NUMBERS
    labels = {r["row"]: r["label"] for r in t3["rows"]}
    assert labels["一、"] == "本年新收申请数量" and labels["二、"] == "上年结转申请数量"
    assert labels["（七）"] == "总计" and labels["四、"] == "结转下年度继续办理"
    assert labels["（三）3"] == "危及“三安全一稳定”" and labels["（六）3"] == "其他"
    assert {r["section"] for r in t3["rows"][2:-1]} == {"三、本年度办理结果"}
    assert table3(report) == EXPECTED_EAST_2025
    assert t3["reconciles"] is True and t3["unreconciled_columns"] == []

    # The region (inspector of the city) is the sum of its agencies: east plus west's one application.
    region = (await world.report(2025, CITY, world.inspector())).json()
    want = {k: dict(v) for k, v in EXPECTED_EAST_2025.items()}
    for key in ("new", "unavailable.not_held", "decided_total"):
        want[key] = {c: v + (1 if c in (NP, "total") else 0) for c, v in want[key].items()}
    assert table3(region) == want and region["table3"]["reconciles"] is True
    assert table3((await world.report(2025, WEST, world.inspector())).json())["new"] == row(**{NP: 1})

    # The next year: what was open on 31 December 2025 is carried over.
    y2026 = table3((await world.report(2026, EAST, world.clerk())).json())
    assert y2026["carried_over"] == EXPECTED_EAST_2025["carried_forward"] == row(**{NP: 1, CE: 1})
    assert y2026["new"] == row(**{NP: 1}) and y2026["disclosed"] == row(**{NP: 1})
    assert y2026["carried_forward"] == row(**{NP: 1, CE: 1})  # D1 and B9 still open

    # A year with nothing in it: all zeros, and it reconciles.
    empty = (await world.report(2020, EAST, world.clerk())).json()
    assert all(v == 0 for r in empty["table3"]["rows"] for v in r["values"].values())
    assert empty["table3"]["reconciles"] is True
    assert all(v == 0 for g in empty["table4"]["groups"] for v in g["values"].values())


async def test_review_cases_and_table_four(world: ReportWorld) -> None:
    ids = await build_year(world)
    cases = f"{URL}/{{}}/review-cases"

    async def file(app_id: int, kind: str, filed_on: str) -> int:
        await world.at(filed_on)
        data = {"kind": kind, "filed_on": filed_on, "note": "（2025）复字第1号"}
        response = await world.client.post(cases.format(app_id), json=data, headers=world.clerk())
        assert response.status_code == 201, response.text
        assert response.json()["result"] == "pending" and response.json()["result_label"] == "尚未审结"
        return response.json()["id"]

    async def result(case_id: int, value: str, on: str) -> httpx.Response:
        await world.at(on)
        data = {"result": value, "concluded_on": on}
        return await world.client.patch(f"{URL}/review-cases/{case_id}", json=data, headers=world.clerk())

    r1 = await file(ids["B1"], "reconsideration", "2025-04-01")
    r2 = await file(ids["B7"], "reconsideration", "2025-08-01")
    r3 = await file(ids["B2"], "lawsuit_direct", "2025-05-01")
    await file(ids["B1"], "lawsuit_after_reconsideration", "2025-06-01")
    await file(ids["A2"], "reconsideration", "2025-01-02")
    early = await file(ids["A1"], "reconsideration", "2024-12-31")  # filed in 2024: not in 2025
    assert (await result(r1, "upheld", "2025-05-01")).json()["result_label"] == "结果维持"
    assert (await result(r3, "other", "2025-09-01")).status_code == 200
    assert (await result(r2, "corrected", "2026-02-01")).status_code == 200  # after the year: still pending
    upheld_late = await result(early, "upheld", "2025-01-15")
    assert upheld_late.status_code == 200
    a2_case = (await world.client.get(cases.format(ids["A2"]), headers=world.clerk())).json()[0]["id"]
    assert (await result(a2_case, "corrected", "2025-03-01")).status_code == 200

    # Validation and scope.
    await world.at("2025-10-01")
    bad_dates = [
        {"kind": "reconsideration", "filed_on": "2025-10-02"},  # after today
        {"kind": "reconsideration", "filed_on": "2025-02-01"},  # before the application was received
    ]
    for data in bad_dates:
        response = await world.client.post(cases.format(ids["B1"]), json=data, headers=world.clerk())
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body.filed_on"
    pending_with_date = await world.client.patch(
        f"{URL}/review-cases/{r1}",
        json={"result": "pending", "concluded_on": "2025-05-01"},
        headers=world.clerk(),
    )
    assert pending_with_date.status_code == 422
    before_filing = await world.client.patch(
        f"{URL}/review-cases/{r1}",
        json={"result": "upheld", "concluded_on": "2025-03-01"},
        headers=world.clerk(),
    )
    assert before_filing.status_code == 422
    data = {"kind": "reconsideration", "filed_on": "2025-04-01"}
    assert (
        await world.client.post(cases.format(ids["B1"]), json=data, headers=world.clerk(WEST))
    ).status_code == 404
    assert (
        await world.client.post(cases.format(ids["B1"]), json=data, headers=world.inspector())
    ).status_code == 403
    patch = {"result": "upheld"}
    assert (
        await world.client.patch(f"{URL}/review-cases/{r1}", json=patch, headers=world.clerk(WEST))
    ).status_code == 404
    assert (
        await world.client.patch(f"{URL}/review-cases/999", json=patch, headers=world.clerk())
    ).status_code == 404
    listed = await world.client.get(cases.format(ids["B1"]), headers=world.inspector())
    assert listed.status_code == 200 and [c["kind"] for c in listed.json()] == [
        "reconsideration",
        "lawsuit_after_reconsideration",
    ]
    assert (
        await world.client.get(cases.format(ids["B1"]), headers=world.inspector(OTHER_CITY))
    ).status_code == 404
    assert (await world.client.get(cases.format(ids["B1"]), headers=world.citizen())).status_code == 403

    # Each change wrote an event.
    from shared.events import Event

    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        events = (await session.exec(select(Event).where(Event.aggregate_type == "review_case"))).all()
    assert sorted(e.action for e in events) == ["review_case_filed"] * 6 + ["review_case_result"] * 5
    assert {e.actor_id for e in events} == {"101"}

    t4 = (await world.report(2025, EAST, world.clerk())).json()["table4"]
    assert t4["title"] == "四、政府信息公开行政复议、行政诉讼情况"
    assert list(t4["columns"].values()) == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    groups = {g["key"]: (g["label"], g["values"]) for g in t4["groups"]}
    # Each case in the year it closed: r1, A2's case and the one filed in 2024 closed in 2025; r2
    # (closed in 2026) and the lawsuit after reconsideration are still open on 31 December 2025.
    assert groups == {
        "reconsideration": (
            "行政复议",
            {"upheld": 2, "corrected": 1, "other": 0, "pending": 1, "total": 4},
        ),
        "lawsuit_direct": (
            "行政诉讼（未经复议直接起诉）",
            {"upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1},
        ),
        "lawsuit_after_reconsideration": (
            "行政诉讼（复议后起诉）",
            {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
        ),
    }
    # Filed in 2024, concluded in 2025: 尚未审结 in the 2024 report, 结果维持 in 2025's (above).
    earlier = (await world.report(2024, EAST, world.clerk())).json()["table4"]["groups"][0]["values"]
    assert earlier == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
    # r2, filed in 2025 and corrected on 1 February 2026: 结果纠正 in 2026; the lawsuit after
    # reconsideration, never concluded, is carried on as 尚未审结.
    later = {
        g["key"]: g["values"]
        for g in (await world.report(2026, EAST, world.clerk())).json()["table4"]["groups"]
    }
    assert later == {
        "reconsideration": {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1},
        "lawsuit_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "lawsuit_after_reconsideration": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
    }
    notes = (await world.report(2026, EAST, world.clerk())).json()["notes"]
    assert any(n.startswith("表四按审结年度统计") and "尚未审结" in n for n in notes)
    assert not any("目录未提供废止日期" in n for n in notes)


async def test_table_two_comes_from_the_catalog_and_an_unreachable_catalog_is_503(world: ReportWorld) -> None:
    report = (await world.report(2025, EAST, world.clerk())).json()
    rows = {r["key"]: r for r in report["table2"]["rows"]}
    assert rows["regulation"]["label"] == "规章" and rows["normative"]["label"] == "行政规范性文件"
    assert rows["regulation"]["values"] == {"issued": 2, "repealed": 1, "in_force": 7}
    assert rows["normative"]["values"] == {"issued": 5, "repealed": 0, "in_force": 30}
    for key in ("licensing", "punishment", "enforcement"):
        assert rows[key]["values"] == {"decisions": None} and rows[key]["note"]
    assert rows["fees"]["values"] == {"amount": None} and rows["fees"]["note"]
    assert {s["agency_id"] for s in world.catalog.seen} == {str(EAST)}
    assert {s["page_size"] for s in world.catalog.seen} == {"1"}

    world.catalog.down = True
    down = await world.report(2025, EAST, world.clerk())
    assert down.status_code == 503 and down.headers["content-type"].startswith("application/problem+json")
    assert (await world.report(2025, EAST, world.clerk(), "csv")).status_code == 503


async def test_csv_parses_back_to_the_same_numbers_and_html_is_printable_and_escaped(
    world: ReportWorld,
) -> None:
    await build_year(world)
    as_json = (await world.report(2025, EAST, world.clerk())).json()
    response = await world.report(2025, EAST, world.clerk(), "csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [as_json["title"]]
    start = lines.index(["三、收到和处理政府信息公开申请情况"])
    header = lines[start + 1]
    assert header[:3] == ["行号", "项目", "自然人"] and header[-1] == "总计"
    parsed = {}
    for line, json_row in zip(lines[start + 2 :], as_json["table3"]["rows"], strict=False):
        assert line[0] == json_row["row"]
        parsed[json_row["key"]] = dict(zip(COLUMNS, (int(v) for v in line[2:]), strict=True))
    assert parsed == EXPECTED_EAST_2025
    t4_start = lines.index(["四、政府信息公开行政复议、行政诉讼情况"])
    assert lines[t4_start + 1] == ["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert lines[t4_start + 2] == ["行政复议", "0", "0", "0", "0", "0"]
    t2_start = lines.index(["二、主动公开政府信息情况"])
    assert lines[t2_start + 2][1:4] == ["规章", "本年制发件数", "2"]

    page = await world.report(2025, EAST, world.clerk(), "html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<title>东湖县人民政府政府信息公开工作年度报告（2025年）</title>" in text
    assert "size: A4" in text and "border: 1px solid" in text and "@page" in text
    assert "生成时间（北京时间）" in text

    evil = await world.report(2025, WEST, world.tokens.header("admin"), "html")
    assert evil.status_code == 200
    assert (
        "<script>" not in evil.text
        and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;西湖县&amp;" in evil.text
    )


async def test_who_may_report_on_what(world: ReportWorld) -> None:
    await world.applied("2025-03-03")
    assert (await world.report(2025, EAST, world.clerk())).status_code == 200
    assert (await world.report(2025, EAST, world.clerk(WEST, "201"))).status_code == 403  # clerk2
    assert (await world.report(2025, CITY, world.clerk())).status_code == 403  # not the clerk's agency
    assert (await world.report(2025, EAST, world.inspector())).status_code == 200
    assert (await world.report(2025, EAST, world.inspector(OTHER_CITY))).status_code == 403
    assert (await world.report(2025, 1, world.inspector())).status_code == 403  # above the region
    assert (await world.report(2025, 1, world.tokens.header("admin"))).status_code == 200
    assert (await world.report(2025, EAST, world.citizen())).status_code == 403
    assert (await world.report(2025, EAST, {})).status_code == 401
    unknown = await world.report(2025, 77, world.tokens.header("admin"))
    assert unknown.status_code == 422 and unknown.json()["code"] == "agency_not_found"
    for params in (
        {"year": 1800, "agency_id": EAST},
        {"year": 2025},
        {"year": 2025, "agency_id": EAST, "format": "pdf"},
    ):
        assert (await world.client.get(REPORT, params=params, headers=world.clerk())).status_code == 422


def test_the_annual_report_through_the_cluster(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url("gateway"), timeout=30.0) as client:

        def login(username: str) -> dict[str, str]:
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}
            )
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        agencies = client.get("/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
        ids = {a["code"]: a["id"] for a in agencies}
        citizen, clerk1, inspector = (login(u) for u in ("citizen", "clerk1", "inspector"))

        def report() -> dict[str, Any]:
            response = client.get(
                REPORT, params={"year": shanghai_year(), "agency_id": ids["990100"]}, headers=inspector
            )
            assert response.status_code == 200, response.text
            return response.json()

        before = report()
        applied = client.post(URL, json=body(agency_id=ids["990121"]), headers=citizen)
        assert applied.status_code == 201, applied.text
        decided = client.post(
            f"{URL}/{applied.json()['id']}/decision",
            json={"outcome": "disclosed", "reason": "予以公开", "legal_basis": "条例第三十六条第一项"},
            headers=clerk1,
        )
        assert decided.status_code == 200, decided.text
        after = report()
        assert after["table3"]["reconciles"] is True
        assert after["agency"]["name"] and str(shanghai_year()) in after["title"]
        old, new = table3(before), table3(after)
        assert new["new"]["natural_person"] == old["new"]["natural_person"] + 1
        assert new["disclosed"]["natural_person"] == old["disclosed"]["natural_person"] + 1
        assert new["decided_total"]["total"] == old["decided_total"]["total"] + 1
        assert {r["key"] for r in after["table2"]["rows"]} >= {"regulation", "normative"}
        clerk2 = login("clerk2")
        refused = client.get(
            REPORT, params={"year": shanghai_year(), "agency_id": ids["990121"]}, headers=clerk2
        )
        assert refused.status_code == 403


def shanghai_year() -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).year


# --- the written sections (一、五、六), publication through the catalog, the legal due dates ----------

TEXTS = {
    "overview": "2025年，东湖县坚持以公开为常态、不公开为例外。\n全年主动公开政府信息 35 条。",
    "problems": "依申请公开答复的规范性有待提高。<b>下一步</b>将加强培训。",
    "other_matters": "本年度无其他需要报告的事项。",
}


def texts_url(agency: int, year: int) -> str:
    return f"{REPORT}/{agency}/{year}/texts"


def publication_url(agency: int, year: int) -> str:
    return f"{REPORT}/{agency}/{year}/publication"


async def test_sections_one_five_and_six_are_written_by_the_agency_and_shown_in_every_format(
    world: ReportWorld,
) -> None:
    from services.requests.report import FEES_TITLE, fee_line
    from services.requests.schemas import FeeTotals

    await build_year(world)  # B5 got a fee notice in 2025 (40 pages: ¥100), never paid
    empty = (await world.report(2025, EAST, world.clerk())).json()["texts"]
    assert empty["version"] == 0 and empty["updated_by"] is None
    assert [(s["key"], s["number"], s["title"], s["text"]) for s in empty["sections"]] == [
        ("overview", "一", "总体情况", ""),
        ("problems", "五", "存在的主要问题及改进情况", ""),
        ("other_matters", "六", "其他需要报告的事项", ""),
    ]

    await world.at("2026-01-20")
    put = await world.client.put(texts_url(EAST, 2025), json=TEXTS | {"version": 0}, headers=world.clerk())
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 1 and put.json()["updated_by"] == "101"
    assert [s["text"] for s in put.json()["sections"]] == list(TEXTS.values())
    # Someone else's edit in between: the clerk still editing version 0 is told, nothing is lost.
    admin = world.tokens.header("admin", sub="1")
    changed = {**TEXTS, "other_matters": "本年度收取信息处理费情况见下。"}
    assert (await world.client.put(texts_url(EAST, 2025), json=changed, headers=admin)).json()["version"] == 2
    stale = await world.client.put(texts_url(EAST, 2025), json=TEXTS | {"version": 1}, headers=world.clerk())
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    report = (await world.report(2025, EAST, world.clerk())).json()
    assert report["texts"]["version"] == 2 and report["texts"]["updated_by"] == "1"
    assert [s["text"] for s in report["texts"]["sections"]][2] == "本年度收取信息处理费情况见下。"
    assert report["catalog_document_id"] is None
    # The region's report is the region agency's own: east's texts are not the city's.
    assert (await world.report(2025, CITY, world.inspector())).json()["texts"]["version"] == 0
    fees_line = fee_line(FeeTotals.model_validate(report["fees"]))
    assert report["fees"]["notified"] == {"count": 1, "amount": 100}

    lines = list(csv.reader(io.StringIO((await world.report(2025, EAST, world.clerk(), "csv")).text[1:])))
    one = lines.index(["一、总体情况"])
    assert lines[one + 1 : one + 3] == [
        ["2025年，东湖县坚持以公开为常态、不公开为例外。"],
        ["全年主动公开政府信息 35 条。"],
    ]
    assert one < lines.index(["二、主动公开政府信息情况"])
    five, six = lines.index(["五、存在的主要问题及改进情况"]), lines.index(["六、其他需要报告的事项"])
    assert lines.index(["四、政府信息公开行政复议、行政诉讼情况"]) < five < six
    assert lines[six + 1] == ["本年度收取信息处理费情况见下。"]
    assert [FEES_TITLE, fees_line] in lines[six:]  # section 六 carries the fees of the year

    page = (await world.report(2025, EAST, world.clerk(), "html")).text
    assert "<h2>一、总体情况</h2><p>2025年，东湖县坚持以公开为常态、不公开为例外。</p>" in page
    assert "&lt;b&gt;下一步&lt;/b&gt;" in page and "<b>" not in page
    assert page.index("一、总体情况") < page.index("二、主动公开政府信息情况")
    assert (
        page.index("四、政府信息公开行政复议") < page.index("五、存在的主要问题") < page.index("六、其他需要")
    )
    assert page.index("六、其他需要") < page.index(fees_line)

    # Each change is an event with the texts before and after.
    from shared.events import Event

    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        events = (
            await session.exec(
                select(Event).where(Event.aggregate_type == "annual_report").order_by(Event.id)
            )
        ).all()
    assert [(e.action, e.aggregate_id, e.actor_id) for e in events] == [
        ("report_texts_updated", f"{EAST}/2025", "101"),
        ("report_texts_updated", f"{EAST}/2025", "1"),
    ]
    assert events[1].before["other_matters"] == TEXTS["other_matters"]  # type: ignore[index]
    assert events[1].after["version"] == 2  # type: ignore[index]


async def test_who_may_write_the_sections_and_what_is_refused(world: ReportWorld) -> None:
    await world.at("2026-01-20")
    url = texts_url(EAST, 2025)
    for headers, status in [
        (world.clerk(WEST), 403),
        (world.inspector(), 403),
        (world.citizen(), 403),
        ({}, 401),
    ]:
        assert (await world.client.put(url, json=TEXTS, headers=headers)).status_code == status
    too_long = await world.client.put(url, json=TEXTS | {"problems": "问" * 20_001}, headers=world.clerk())
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"].endswith("problems")
    missing = await world.client.put(url, json={"overview": "总体情况"}, headers=world.clerk())
    assert missing.status_code == 422
    future = await world.client.put(texts_url(EAST, 2027), json=TEXTS, headers=world.clerk())
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "path.year"
    unknown = await world.client.put(texts_url(77, 2025), json=TEXTS, headers=world.tokens.header("admin"))
    assert unknown.status_code == 422 and unknown.json()["code"] == "agency_not_found"
    assert (
        await world.client.put(f"{REPORT}/{EAST}/1990/texts", json=TEXTS, headers=world.clerk())
    ).status_code == 422
    # Nothing of the refused attempts was written.
    assert (await world.report(2025, EAST, world.clerk())).json()["texts"]["version"] == 0


async def overdue(
    world: ReportWorld, day: str, headers: dict[str, str], **params: str
) -> list[tuple[int, str, str]]:
    await world.at(day)
    response = await world.client.get(f"{URL}/supervision/overdue", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [
        (i["agency_id"], i["due"], i["flag"])
        for i in response.json()["items"]
        if i["item_type"] == "annual_report"
    ]


async def test_unpublished_reports_are_yellow_then_red_by_the_due_date_of_a_department_or_a_government(
    world: ReportWorld,
) -> None:
    department, east = world.clerk(DEPARTMENT, "601"), world.clerk()
    # 条例第四十九条: a department's 2026 report is due on 31 January 2027. Yellow from 3 working days
    # before it (the one rule of shared.deadlines): on Monday 25 January four working days remain
    # (26–29 January), on Tuesday the 26th three.
    assert await overdue(world, "2027-01-25", department) == []
    assert await overdue(world, "2027-01-26", department) == [(DEPARTMENT, "2027-01-31", "yellow")]
    assert await overdue(world, "2027-01-31", department) == [(DEPARTMENT, "2027-01-31", "yellow")]
    assert await overdue(world, "2027-02-01", department) == [(DEPARTMENT, "2027-01-31", "red")]
    # A people's government (a county here) has until 31 March: nothing on 1 February, red only after.
    assert await overdue(world, "2027-02-01", east) == []
    assert await overdue(world, "2027-03-31", east) == [(EAST, "2027-03-31", "yellow")]
    assert await overdue(world, "2027-04-01", east) == [(EAST, "2027-03-31", "red")]
    assert await overdue(world, "2027-04-01", east, flag="yellow") == []

    # The inspector of the city sees each agency of the region with its own date.
    assert await overdue(world, "2027-02-01", world.inspector()) == [(DEPARTMENT, "2027-01-31", "red")]
    assert sorted(await overdue(world, "2027-04-01", world.inspector())) == [
        (CITY, "2027-03-31", "red"),
        (EAST, "2027-03-31", "red"),
        (WEST, "2027-03-31", "red"),
        (DEPARTMENT, "2027-01-31", "red"),
    ]
    await world.at("2027-04-01")
    item = next(
        i
        for i in (await world.client.get(f"{URL}/supervision/overdue", headers=department)).json()["items"]
        if i["item_type"] == "annual_report"
    )
    assert item["title"] == "青山市民政局2026年政府信息公开工作年度报告（条例第四十九条：1月31日前公布）"
    assert item["state"] == "not_sent" and item["url"].endswith("year=2026&agency_id=6")
    # The first year the system follows is 2026: no 2025 report in 2026, however late.
    assert await overdue(world, "2026-11-24", world.inspector()) == []
    # The catalog not answering leaves the reports out, not the applications.
    world.catalog.down = True
    assert await overdue(world, "2027-04-01", world.inspector()) == []


@pytest.fixture
async def linked(
    backend: str, tmp_path: Path, tokens: Tokens, catalog: httpx.AsyncClient
) -> AsyncIterator[ReportWorld]:
    """The requests app sending to the real catalog app (in process, on its own database) with the
    service token, as in production; the catalog's agencies are the ids the requests side knows."""
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    admin = tokens.header("admin")
    for agency_id in sorted(AGENCY_PATHS):
        data = {
            "code": f"99{agency_id:04d}",
            "name": NAMES[agency_id],
            "level": LEVELS[agency_id],
            "parent_id": agency_json(agency_id)["parent_id"],
        }
        created = await catalog.post("/api/v1/catalog/agencies", json=data, headers=admin)
        assert created.status_code == 201 and created.json()["id"] == agency_id, created.text

    async def lookup(agency_id: int) -> str:
        if agency_id not in AGENCY_PATHS:
            raise InvalidField("agency_id", f"机关 {agency_id} 不存在", code="agency_not_found")
        return AGENCY_PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test"))
    clock = Clock()
    catalog_app = catalog.app  # type: ignore[attr-defined]
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.catalog = ServiceClient(
        "http://catalog",
        catalog_app.state.settings.service_token,
        retries=0,
        transport=httpx.ASGITransport(app=catalog_app),
    )
    app.state.today = clock
    async for client in _serve(app, "http://requests"):
        world = ReportWorld(client, tokens, clock)
        world.catalog_client = catalog  # type: ignore[attr-defined]
        yield world


async def test_publication_is_a_catalog_draft_live_only_after_a_second_persons_review(
    linked: ReportWorld,
) -> None:
    w = linked
    catalog: httpx.AsyncClient = w.catalog_client  # type: ignore[attr-defined]
    documents = "/api/v1/catalog/documents"
    await w.at("2027-02-01")
    await w.client.put(texts_url(EAST, 2026), json=TEXTS, headers=w.clerk())

    not_over = await w.client.post(publication_url(EAST, 2027), headers=w.clerk())
    assert not_over.status_code == 422 and not_over.json()["errors"][0]["field"] == "path.year"
    assert (await w.client.post(publication_url(EAST, 2026), headers=w.clerk(WEST))).status_code == 403
    assert (await w.client.post(publication_url(EAST, 2026), headers=w.inspector())).status_code == 403

    first = await w.client.post(publication_url(EAST, 2026), headers=w.clerk())
    assert first.status_code == 200, first.text
    sent = first.json()
    assert sent["action"] == "created" and sent["document_status"] == "draft"
    assert sent["document_status_label"] == "草稿"
    document_id = sent["document_id"]
    # A draft of the agency, in the name of the clerk who sent it: not public.
    assert (await catalog.get(f"{documents}/{document_id}")).status_code == 404
    draft = (await catalog.get(f"{documents}/{document_id}", headers=w.clerk())).json()
    assert draft["agency_id"] == EAST and draft["doc_type"] == "report" and draft["category"] == "general"
    assert draft["title"] == "东湖县人民政府政府信息公开工作年度报告（2026年）"
    assert "一、总体情况" in draft["body_text"] and TEXTS["overview"].splitlines()[1] in draft["body_text"]
    assert "<h2>三、收到和处理政府信息公开申请情况</h2>" in draft["body_html"]
    assert "<style>" not in draft["body_html"]

    # Sent again after an edit: the same draft, updated; never a second document.
    await w.client.put(
        texts_url(EAST, 2026), json=TEXTS | {"problems": "主动公开的及时性有待提高。"}, headers=w.clerk()
    )
    again = (await w.client.post(publication_url(EAST, 2026), headers=w.clerk())).json()
    assert (again["document_id"], again["action"], again["document_status"]) == (
        document_id,
        "updated",
        "draft",
    )
    draft = (await catalog.get(f"{documents}/{document_id}", headers=w.clerk())).json()
    assert "主动公开的及时性有待提高。" in draft["body_text"]
    mine = await catalog.get(documents, params={"agency_id": EAST, "status": "draft"}, headers=w.clerk())
    assert [d["id"] for d in mine.json()["items"]] == [document_id]
    report = (await w.report(2026, EAST, w.clerk())).json()
    assert report["catalog_document_id"] == document_id

    # The catalog's review: the sender may not approve it; a second clerk of the agency does.
    act = f"{documents}/{document_id}"
    assert (await catalog.post(f"{act}/submit", headers=w.clerk())).status_code == 200
    in_review = await w.client.post(publication_url(EAST, 2026), headers=w.clerk())
    assert in_review.status_code == 409 and in_review.json()["code"] == "report_in_review"
    approval = {"confidentiality_checked": True}
    own = await catalog.post(f"{act}/approve", json=approval, headers=w.clerk())
    assert own.status_code == 403 and own.json()["code"] == "second_person_required"
    assert await w.overdue_ids("2027-04-01") == [DEPARTMENT, CITY, EAST, WEST]
    approved = await catalog.post(f"{act}/approve", json=approval, headers=w.clerk(EAST, "102"))
    assert approved.status_code == 200, approved.text
    public = await catalog.get(f"{documents}/{document_id}")
    assert public.status_code == 200 and public.json()["status"] == "published"
    assert "主动公开的及时性有待提高。" in public.json()["body_text"]
    # Published: east's report leaves the supervision list; the others stay.
    assert await w.overdue_ids("2027-04-01") == [DEPARTMENT, CITY, WEST]

    # Sent once more: an amendment waiting for the same review; the public still reads version 1.
    await w.client.put(texts_url(EAST, 2026), json=TEXTS | {"other_matters": "补充说明。"}, headers=w.clerk())
    amended = (await w.client.post(publication_url(EAST, 2026), headers=w.clerk())).json()
    assert amended["document_id"] == document_id and amended["action"] == "amendment_proposed"
    assert amended["document_status"] == "published" and amended["amendment_id"] is not None
    assert "补充说明。" not in (await catalog.get(f"{documents}/{document_id}")).json()["body_text"]
    history = (await catalog.get(f"{act}/history", headers=w.clerk())).json()
    assert [(e["action"], e["actor_id"]) for e in history] == [
        ("drafted", "101"),
        ("edited", "101"),
        ("submitted", "101"),
        ("published", "102"),
        ("amendment_proposed", "101"),
    ]


async def test_an_unreachable_catalog_leaves_nothing_half_written(linked: ReportWorld) -> None:
    from services.requests.models import AnnualReportText
    from shared.events import Event

    w = linked
    real = w.client.app.state.catalog  # type: ignore[attr-defined]
    await w.at("2027-02-01")

    def refuse_drafts(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ConnectError("catalog down", request=request)
        return httpx.Response(503, json={"status": 503})

    transport = httpx.MockTransport(refuse_drafts)
    w.client.app.state.catalog = ServiceClient("http://catalog", "t", retries=0, transport=transport)  # type: ignore[attr-defined]
    down = await w.client.post(publication_url(WEST, 2026), headers=w.clerk(WEST, "201"))
    assert down.status_code == 503 and down.headers["content-type"].startswith("application/problem+json")
    w.client.app.state.catalog = real  # type: ignore[attr-defined]
    async with w.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        assert (await session.exec(select(AnnualReportText))).all() == []
        assert (await session.exec(select(Event).where(Event.aggregate_type == "annual_report"))).all() == []
    catalog: httpx.AsyncClient = w.catalog_client  # type: ignore[attr-defined]
    drafts = await catalog.get(
        "/api/v1/catalog/documents",
        params={"agency_id": WEST, "status": "draft"},
        headers=w.clerk(WEST, "201"),
    )
    assert drafts.json()["total"] == 0
    # Back up: the first sending creates the one draft.
    assert (await w.client.post(publication_url(WEST, 2026), headers=w.clerk(WEST, "201"))).json()[
        "action"
    ] == "created"


async def test_the_catalog_takes_drafts_for_an_agency_from_the_service_token_only(
    linked: ReportWorld,
) -> None:
    catalog: httpx.AsyncClient = linked.catalog_client  # type: ignore[attr-defined]
    token = catalog.app.state.settings.service_token  # type: ignore[attr-defined]
    service = {"X-Service-Token": token}
    url = f"/api/v1/catalog/agencies/{EAST}/drafts"
    body = {
        "title": "年度报告",
        "category": "general",
        "doc_type": "report",
        "body_text": "正文",
        "drafted_by": "101",
    }
    assert (await catalog.post(url, json=body, headers=linked.clerk())).status_code == 403
    assert (await catalog.post(url, json=body, headers=linked.tokens.header("admin"))).status_code == 403
    assert (await catalog.post(url, json=body)).status_code == 401
    bad = await catalog.post(url, json=body, headers={"X-Service-Token": "wrong"})
    assert bad.status_code == 401
    created = await catalog.post(url, json=body, headers=service)
    assert created.status_code == 200 and created.json()["action"] == "created"
    document = created.json()["document"]
    assert document["status"] == "draft" and document["agency_id"] == EAST
    history = await catalog.get(f"/api/v1/catalog/documents/{document['id']}/history", headers=linked.clerk())
    assert [(e["action"], e["actor_id"]) for e in history.json()] == [("drafted", "101")]
    other = await catalog.post(
        f"/api/v1/catalog/agencies/{WEST}/drafts",
        json=body | {"document_id": document["id"]},
        headers=service,
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "body.document_id"
    missing = await catalog.post("/api/v1/catalog/agencies/77/drafts", json=body, headers=service)
    assert missing.status_code == 404
    unknown_type = await catalog.post(url, json=body | {"doc_type": "nonsense"}, headers=service)
    assert unknown_type.status_code == 422
