"""依申请公开: when an information-processing fee may be charged (国办函〔2020〕109号).

Runs through the requests app on both backends, with the notice tests' world (fake catalog,
settable today).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tests.test_requests_lifecycle import URL, WEST
from tests.test_requests_notices import CALENDAR, DISCLOSED, NoticeWorld, world  # noqa: F401  (the fixture)
from tests.test_requests_report import ReportWorld
from tests.test_requests_report import world as report_world  # noqa: F401  (the fixture)

BY_PAGES = {"method": "by_pages", "pages": 120, "reason": "页数较多"}


async def test_on_site_inspection_is_never_charged_by_pages(world: NoticeWorld) -> None:  # noqa: F811
    inspection = (await world.apply(form="on_site", delivery="pickup"))["id"]
    refused = await world.act(inspection, "fee-notice", BY_PAGES, world.clerk())
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "body.method"
    timeline = (await world.get(inspection, world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied"]
    for form in ("paper", "electronic", "email"):
        app_id = (await world.apply(form=form))["id"]
        notice = await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)
        assert notice["amount"] == 1100


async def test_no_fee_notice_once_the_answer_limit_has_passed(world: NoticeWorld) -> None:  # noqa: F811
    app_id = (await world.apply())["id"]
    due = date.fromisoformat((await world.get(app_id, world.clerk())).json()["deadline"]["due"])
    world.clock.today = due + timedelta(days=1)
    late = await world.act(app_id, "fee-notice", BY_PAGES, world.clerk())
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "fee_notice_after_deadline"
    assert (await world.get(app_id, world.clerk())).json()["state"] != "fee_notified"
    world.clock.today = due  # the last day still counts
    await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)


# --- the period to pay counts from the applicant's receipt of the notice -------------------------

UNPAID = {"outcome": "other.fee_unpaid", "reason": "逾期未缴费", "legal_basis": "条例第四十二条"}


async def printed_fee_notice(world: NoticeWorld, app_id: int) -> str:  # noqa: F811
    """The printable 收费通知书 as the applicant's clerk prints it (whitespace removed)."""
    listed = (await world.get(app_id, world.clerk(), "/notices")).json()
    [fee] = [n for n in listed if n["kind"] == "fee"]
    page = await world.client.get(fee["html_url"], headers=world.clerk())
    assert page.status_code == 200, page.text
    return "".join(page.text.split())


async def test_a_notice_sent_by_post_is_due_20_working_days_from_its_return_receipt(
    world: NoticeWorld,  # noqa: F811
) -> None:
    world.clock.today = date(2026, 9, 21)  # a Monday
    app_id = (await world.apply(form="paper", delivery="post"))["id"]
    world.clock.today = date(2026, 9, 22)
    notice = await world.ok(app_id, "fee-notice", {**BY_PAGES, "delivery": "post"}, world.clerk(), 201)
    assert notice["delivery"] == "post" and notice["delivery_label"] == "邮寄送达"
    assert notice["received_on"] is None and notice["due_on"] is None
    assert "自收到本通知之日起 20 个工作日内" in notice["payment_terms"]
    assert "送达回执" in notice["payment_terms"]
    mine = (await world.get(app_id, world.citizen())).json()
    assert mine["fee"]["due_on"] is None and mine["fee"]["amount_due"] == 1100
    assert "20个工作日内（自送达回执载明的收到之日起计算）缴纳" in await printed_fee_notice(world, app_id)
    assert mine["deadline"]["paused"] is True
    # Unknown day of receipt: the period cannot be seen to pass, however long it has been.
    world.clock.today = date(2026, 12, 1)
    early = await world.act(app_id, "decision", UNPAID, world.clerk())
    assert early.status_code == 409 and early.json()["code"] == "fee_receipt_not_recorded"
    # The return receipt: not before the notice, not in the future.
    for bad in ("2026-09-21", "2026-12-02"):
        refused = await world.act(app_id, "fee-receipt", {"received_on": bad}, world.clerk())
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.received_on"
    other_agency = await world.act(
        app_id, "fee-receipt", {"received_on": "2026-09-25"}, world.clerk(WEST, "201")
    )
    assert other_agency.status_code == 404
    # Received Friday 25 September: 国庆 (1–7 October) is not counted, Saturday 10 October (调休) is.
    received = await world.ok(app_id, "fee-receipt", {"received_on": "2026-09-25"}, world.clerk())
    assert received["received_on"] == "2026-09-25" and received["due_on"] == "2026-10-29"
    assert "您于 2026-09-25 收到本通知，缴费期限至 2026-10-29" in received["payment_terms"]
    assert "20个工作日内（2026-10-29前）缴纳" in await printed_fee_notice(world, app_id)
    again = await world.act(app_id, "fee-receipt", {"received_on": "2026-09-25"}, world.clerk())
    assert again.status_code == 409 and again.json()["code"] == "fee_receipt_recorded"
    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied", "fee_notice", "fee_receipt"]
    assert timeline[2]["details"]["fee"]["due_on"] == "2026-10-29"
    # The clock of the answer stayed paused from the notice's issue.
    assert (await world.get(app_id, world.citizen())).json()["deadline"]["paused"] is True
    ended = await world.ok(app_id, "decision", UNPAID, world.clerk())
    assert ended["state"] == "decided" and ended["outcome"] == "other.fee_unpaid"


async def test_the_last_day_to_pay_is_the_20th_working_day_after_receipt(world: NoticeWorld) -> None:  # noqa: F811
    world.clock.today = date(2026, 9, 21)
    app_id = (await world.apply(form="paper", delivery="post"))["id"]
    world.clock.today = date(2026, 9, 22)
    await world.ok(app_id, "fee-notice", {**BY_PAGES, "delivery": "in_person"}, world.clerk(), 201)
    world.clock.today = date(2026, 9, 28)
    await world.ok(app_id, "fee-receipt", {"received_on": "2026-09-25"}, world.clerk())
    world.clock.today = date(2026, 10, 30)
    late = await world.act(app_id, "fee-paid", {"paid_on": "2026-10-30"}, world.clerk())
    assert late.status_code == 409 and late.json()["code"] == "fee_payment_period_passed"
    paid = await world.ok(app_id, "fee-paid", {"paid_on": "2026-10-29"}, world.clerk())
    assert paid["paid_on"] == "2026-10-29" and "您已于 2026-10-29 缴纳" in paid["payment_terms"]


async def test_online_and_email_notices_are_received_the_day_they_are_issued(world: NoticeWorld) -> None:  # noqa: F811
    world.clock.today = date(2026, 9, 21)
    online = (await world.apply())["id"]
    email = (await world.apply())["id"]
    world.clock.today = date(2026, 9, 22)
    first = await world.ok(online, "fee-notice", BY_PAGES, world.clerk(), 201)
    second = await world.ok(email, "fee-notice", {**BY_PAGES, "delivery": "email"}, world.clerk(), 201)
    for notice in (first, second):
        assert notice["received_on"] == "2026-09-22" and notice["due_on"] == "2026-10-27"
    assert first["delivery"] == "online"
    needless = await world.act(online, "fee-receipt", {"received_on": "2026-09-22"}, world.clerk())
    assert needless.status_code == 409 and needless.json()["code"] == "fee_received_on_issue"
    plain = (await world.apply())["id"]
    none = await world.act(plain, "fee-receipt", {"received_on": "2026-09-22"}, world.clerk())
    assert none.status_code == 409 and none.json()["code"] == "fee_not_notified"


# --- reductions and waivers (减免) --------------------------------------------------------------

HARDSHIP = {"reason_code": "financial_hardship", "reason": "申请人为低保对象"}


async def test_a_reduction_must_be_less_than_the_amount_and_leaves_the_rest_to_pay(
    world: NoticeWorld,  # noqa: F811
) -> None:
    app_id = (await world.apply())["id"]
    notice = await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)
    assert notice["amount"] == 1100 and notice["amount_due"] == 1100 and notice["relief"] is None
    for amount in (1100, 1500):
        refused = await world.act(
            app_id, "fee-relief", {"kind": "reduced", "amount": amount, **HARDSHIP}, world.clerk()
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.amount"
    no_amount = await world.act(app_id, "fee-relief", {"kind": "reduced", **HARDSHIP}, world.clerk())
    assert no_amount.status_code == 422 and no_amount.json()["errors"][0]["field"] == "body.amount"
    no_reason = await world.act(
        app_id, "fee-relief", {"kind": "reduced", "amount": 600, "reason_code": "other"}, world.clerk()
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "body.reason"
    citizen = await world.act(
        app_id, "fee-relief", {"kind": "reduced", "amount": 600, **HARDSHIP}, world.citizen()
    )
    assert citizen.status_code == 403
    world.clock.today = date(2026, 11, 26)
    reduced = await world.ok(
        app_id, "fee-relief", {"kind": "reduced", "amount": 600, **HARDSHIP}, world.clerk()
    )
    assert reduced["relief"] == "reduced" and reduced["relief_label"] == "减收"
    assert reduced["relief_amount"] == 600 and reduced["amount_due"] == 500 and reduced["amount"] == 1100
    assert (
        reduced["relief_reason_code"] == "financial_hardship"
        and reduced["relief_reason"] == "申请人为低保对象"
    )
    assert reduced["relief_on"] == "2026-11-26" and reduced["due_on"] == notice["due_on"]
    assert "缴纳信息处理费 500 元（收费金额 1100 元，本机关决定减收 600 元）" in reduced["payment_terms"]
    printed = await printed_fee_notice(world, app_id)
    assert (
        "本机关已于2026-11-26决定减收信息处理费600元（经济困难：申请人为低保对象），减收后应缴纳500元。"
        in printed
    )
    twice = await world.act(app_id, "fee-relief", {"kind": "waived", **HARDSHIP}, world.clerk())
    assert twice.status_code == 409 and twice.json()["code"] == "fee_relief_recorded"
    view = (await world.get(app_id, world.citizen())).json()
    assert view["state"] == "fee_notified" and view["deadline"]["paused"] is True
    assert view["fee"]["amount_due"] == 500 and view["fee"]["relief"] == "reduced"
    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied", "fee_notice", "fee_reduced"]
    assert timeline[2]["reason"] == "申请人为低保对象" and timeline[2]["actor_id"] == "101"
    assert timeline[2]["details"]["fee"]["relief_amount"] == 600
    paid = await world.ok(app_id, "fee-paid", {}, world.clerk())
    assert paid["amount_due"] == 500
    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    assert timeline[-1]["details"]["fee"]["amount"] == 500


async def test_a_waiver_leaves_nothing_to_pay_and_the_clock_runs_again(world: NoticeWorld) -> None:  # noqa: F811
    app_id = (await world.apply())["id"]
    received = await world.apply()
    due_before = (await world.get(app_id, world.clerk())).json()["deadline"]["due"]
    await world.ok(app_id, "fee-notice", BY_PAGES, world.clerk(), 201)
    world.clock.today = date(2026, 12, 1)  # five working days after the notice of 24 November
    given = await world.act(
        app_id, "fee-relief", {"kind": "waived", "amount": 600, **HARDSHIP}, world.clerk()
    )
    assert given.status_code == 422 and given.json()["errors"][0]["field"] == "body.amount"
    waived = await world.ok(app_id, "fee-relief", {"kind": "waived", **HARDSHIP}, world.clerk())
    assert waived["relief"] == "waived" and waived["relief_amount"] == 1100 and waived["amount_due"] == 0
    assert waived["paid_on"] is None and "无需缴费" in waived["payment_terms"]
    assert "本机关已于2026-12-01决定免收本次信息处理费（经济困难：申请人为低保对象），您无需缴费。" in (
        await printed_fee_notice(world, app_id)
    )
    after = (await world.get(app_id, world.clerk())).json()
    assert after["state"] == "in_progress" and after["deadline"]["paused"] is False
    expected = CALENDAR.add_working_days(date.fromisoformat(due_before), 5).day
    assert after["deadline"]["due"] == expected.isoformat()
    assert after["fee"]["amount_due"] == 0
    tracked = await world.client.get(
        f"{URL}/track/{received['tracking_no']}", params={"code": received["query_code"]}
    )
    assert tracked.status_code == 200 and tracked.json()["fee"] is None
    pay = await world.act(app_id, "fee-paid", {}, world.clerk())
    assert pay.status_code == 409
    unpaid = await world.act(app_id, "decision", UNPAID, world.clerk())
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "fee_not_notified"
    timeline = (await world.get(app_id, world.citizen(), "/timeline")).json()
    assert [e["action"] for e in timeline] == ["applied", "fee_notice", "fee_waived"]
    assert timeline[2]["details"]["clock"] == {"kind": "pause_ended", "on": "2026-12-01"}
    decided = await world.ok(app_id, "decision", DISCLOSED, world.clerk())
    assert decided["state"] == "decided"


async def test_the_tracking_view_shows_what_is_due_and_by_when(world: NoticeWorld) -> None:  # noqa: F811
    receipt = await world.apply()
    await world.ok(receipt["id"], "fee-notice", {**BY_PAGES, "delivery": "post"}, world.clerk(), 201)
    track = f"{URL}/track/{receipt['tracking_no']}"
    fee = (await world.client.get(track, params={"code": receipt["query_code"]})).json()["fee"]
    assert fee["amount"] == 1100 and fee["amount_due"] == 1100 and fee["due_on"] is None
    assert "自收到本通知之日起 20 个工作日内" in fee["payment_terms"]
    world.clock.today = date(2026, 11, 26)
    await world.ok(receipt["id"], "fee-receipt", {"received_on": "2026-11-25"}, world.clerk())
    fee = (await world.client.get(track, params={"code": receipt["query_code"]})).json()["fee"]
    assert fee["received_on"] == "2026-11-25" and fee["due_on"] == "2026-12-23"


# --- totals per agency and year ------------------------------------------------------------------

TOTALS = f"{URL}/fees/totals"


def tally(count: int, amount: int) -> dict[str, int]:
    return {"count": count, "amount": amount}


async def test_fee_totals_per_agency_and_year_with_reliefs_and_a_payment_in_the_next_year(
    world: NoticeWorld,  # noqa: F811
) -> None:
    reduced = (await world.apply())["id"]
    waived = (await world.apply())["id"]
    west = (await world.apply(agency_id=WEST))["id"]
    elsewhere = (await world.apply(agency_id=5))["id"]
    await world.ok(reduced, "fee-notice", BY_PAGES, world.clerk(), 201)  # 1100
    await world.ok(waived, "fee-notice", BY_PAGES, world.clerk(), 201)  # 1100
    forty = {"method": "by_pages", "pages": 40, "reason": "页数较多"}  # 100
    await world.ok(west, "fee-notice", forty, world.clerk(WEST, "201"), 201)
    await world.ok(elsewhere, "fee-notice", forty, world.clerk(5, "501"), 201)
    world.clock.today = date(2026, 11, 25)
    relief = {"kind": "reduced", "amount": 300, **HARDSHIP}
    await world.ok(reduced, "fee-relief", relief, world.clerk())
    await world.ok(waived, "fee-relief", {"kind": "waived", **HARDSHIP}, world.clerk())
    world.clock.today = date(2026, 11, 26)
    await world.ok(reduced, "fee-paid", {}, world.clerk())
    world.clock.today = date(2026, 12, 21)
    late_in_year = (await world.apply())["id"]
    await world.ok(
        late_in_year, "fee-notice", {"method": "by_pages", "pages": 31, "reason": "r"}, world.clerk(), 201
    )
    world.clock.today = date(2027, 1, 5)
    await world.ok(late_in_year, "fee-paid", {}, world.clerk())

    async def totals(agency: int, year: int, headers: dict[str, str]) -> dict[str, object]:
        response = await world.client.get(TOTALS, params={"agency_id": agency, "year": year}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    east_2026 = await totals(3, 2026, world.clerk())
    assert east_2026 == {
        "agency_id": 3,
        "year": 2026,
        "notified": tally(3, 2210),
        "reduced": tally(1, 300),
        "waived": tally(1, 1100),
        "charged": tally(2, 810),
        "collected": tally(1, 800),
    }
    east_2027 = await totals(3, 2027, world.clerk())
    assert east_2027["notified"] == tally(0, 0) and east_2027["collected"] == tally(1, 10)
    city = await totals(2, 2026, world.inspector(2))
    assert city["notified"] == tally(4, 2310) and city["charged"] == tally(3, 910)
    assert city["collected"] == tally(1, 800) and city["waived"] == tally(1, 1100)
    province = await totals(1, 2026, world.tokens.header("admin"))
    assert province["notified"] == tally(5, 2410) and province["charged"] == tally(4, 1010)
    # Scope as for the annual report: a clerk their own agency, an inspector their region.
    for agency, headers in (
        (3, world.clerk(WEST, "201")),
        (2, world.clerk()),
        (3, world.inspector(5)),
    ):
        refused = await world.client.get(TOTALS, params={"agency_id": agency, "year": 2026}, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "agency_scope"
    citizen = await world.client.get(TOTALS, params={"agency_id": 3, "year": 2026}, headers=world.citizen())
    assert citizen.status_code == 403
    unknown = await world.client.get(
        TOTALS, params={"agency_id": 77, "year": 2026}, headers=world.tokens.header("admin")
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "agency_not_found"


async def test_the_annual_report_shows_the_fees_of_its_year(report_world: ReportWorld) -> None:  # noqa: F811
    w = report_world
    reduced, waived = await w.applied("2025-03-03"), await w.applied("2025-03-03")
    late = await w.applied("2025-12-22")
    await w.at("2025-03-04")
    for app_id in (reduced, waived):
        assert (await w.act(app_id, "fee-notice", BY_PAGES, w.clerk())).status_code == 201
    await w.ok(reduced, "fee-relief", {"kind": "reduced", "amount": 100, **HARDSHIP}, w.clerk())
    await w.ok(waived, "fee-relief", {"kind": "waived", **HARDSHIP}, w.clerk())
    await w.at("2025-03-10")
    await w.ok(reduced, "fee-paid", {}, w.clerk())
    await w.at("2025-12-22")
    thirty_one = {"method": "by_pages", "pages": 31, "reason": "r"}
    assert (await w.act(late, "fee-notice", thirty_one, w.clerk())).status_code == 201
    await w.at("2026-01-05")
    await w.ok(late, "fee-paid", {}, w.clerk())
    await w.at("2026-01-20")
    fees = (await w.report(2025, 3, w.clerk())).json()["fees"]
    assert fees == {
        "agency_id": 3,
        "year": 2025,
        "notified": tally(3, 2210),
        "reduced": tally(1, 100),
        "waived": tally(1, 1100),
        "charged": tally(2, 1010),
        "collected": tally(1, 1000),
    }
    line = "本年收取信息处理费 1 件，共 1000 元；减收 1 件，减收 100 元；免收 1 件，免收 1100 元（本年发出收费通知 3 件，减免前 2210 元）。"
    rows = list(csv.reader(io.StringIO((await w.report(2025, 3, w.clerk(), "csv")).text.lstrip("\ufeff"))))
    assert ["信息处理费（《政府信息公开信息处理费管理办法》）", line] in rows
    assert line in (await w.report(2025, 3, w.clerk(), "html")).text
    next_year = (await w.report(2026, 3, w.clerk())).json()["fees"]
    assert next_year["notified"] == tally(0, 0) and next_year["collected"] == tally(1, 10)
