"""信访 decisions in writing: 不予受理 with its numbered notice (HTML and PDF), the 办理意见书 of a
reply, and 复查 then 复核 at the level above within 30 days each, nothing after (信访工作条例第三十五条、第三十六条).

Runs on the feedback app of tests/test_feedback.py (fake catalog: province 1 › city 2 › county 3).
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import httpx
from pypdf import PdfReader
from sqlmodel import select

from shared.audit import PersonalDataRead
from tests.test_feedback import CITY, URL, World, field_of
from tests.test_feedback import world as world  # the fixture

PROVINCE = 1
REASON = "您反映的劳动报酬争议已由劳动人事争议仲裁委员会立案，应当通过仲裁程序解决"


async def letter(world: World, **extra: Any) -> dict[str, Any]:
    """A letter recorded by the east county's clerk; its case (received today) and query code."""
    recorded = await world.call(channel="letter", duration_seconds=None, contact_number=None, **extra)
    return recorded["case"]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def notices_of(world: World, case_id: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await world.client.get(f"{URL}/messages/{case_id}/notices", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def page(world: World, url: str, headers: dict[str, str]) -> httpx.Response:
    response = await world.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response


# --- 不予受理 ---------------------------------------------------------------------------------------


async def test_a_letter_refused_ends_with_a_numbered_notice_in_html_and_pdf(world: World) -> None:
    case = await letter(world)
    refused = await world.ok(
        case["id"], "refusal", {"reason": "legal_channel", "text": REASON}, world.clerk()
    )
    assert refused["state"] == "refused" and refused["labels"]["state"] == "不予受理"
    assert refused["refusal"] == {
        "reason": "legal_channel",
        "label": "属于应当通过诉讼、仲裁、行政复议等法定途径解决的事项",
        "text": REASON,
    }
    assert refused["owner_id"] == "101" and refused["deadline"]["flag"] == "closed"
    timeline = (await world.get(case["id"], world.clerk(), "/timeline")).json()
    assert timeline[-1]["action"] == "refuse" and timeline[-1]["details"]["notice"] == {
        "kind": "refusal",
        "number": "东湖县人民政府信不受〔2026〕第 1 号",
    }

    [notice] = await notices_of(world, case["id"], world.clerk())
    assert (notice["kind"], notice["label"], notice["issued_on"]) == (
        "refusal",
        "不予受理告知书",
        "2026-11-24",
    )
    html = (await page(world, notice["html_url"], world.clerk())).text
    assert "<h1>东湖县人民政府不予受理告知书</h1>" in html
    assert "东湖县人民政府信不受〔2026〕第 1 号" in html
    assert '<p class="to">李四：</p>' in html  # the handler reads the sender's name in full
    assert "本机关于 2026-11-24 收到您反映的" in html
    assert "属于应当通过诉讼、仲裁、行政复议等法定途径解决的事项，本机关决定不予受理" in html
    assert f"理由：{REASON}。" in html
    assert "依据：《信访工作条例》（2022年）关于信访事项受理的规定。" in html
    assert "请依照有关法律、行政法规规定的程序，向有关机关提出。" in html
    assert "东湖县人民政府<br>2026-11-24" in html

    inspector_html = (await page(world, notice["html_url"], world.inspector())).text
    assert '<p class="to">李*：</p>' in inspector_html and "李四" not in inspector_html

    pdf = await page(world, notice["pdf_url"], world.clerk())
    assert pdf.headers["content-type"] == "application/pdf" and pdf.headers["cache-control"] == "no-store"
    text = compact("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    for expected in (
        "东湖县人民政府不予受理告知书",
        "东湖县人民政府信不受〔2026〕第1号",
        "李四：",
        compact(REASON),
        "《信访工作条例》（2022年）关于信访事项受理的规定",
        "2026-11-24",
    ):
        assert expected in text, expected

    app = world.client.app  # type: ignore[attr-defined]
    async with app.state.sessionmaker() as session:
        reads = (
            await session.exec(select(PersonalDataRead).where(PersonalDataRead.record_id == str(case["id"])))
        ).all()
    assert {(r.actor_id, r.field, r.purpose) for r in reads} == {("101", "sender_name", "查阅不予受理告知书")}

    code = {"code": case["query_code"]}
    status = (await world.client.get(f"{URL}/track/{case['tracking_no']}", params=code)).json()
    assert (status["state"], status["state_label"], status["refusal"]["reason"]) == (
        "refused",
        "不予受理",
        "legal_channel",
    )
    assert [n["kind"] for n in status["notices"]] == ["refusal"] and not status["can_rate"]

    again = await world.act(case["id"], "refusal", {"reason": "other", "text": REASON}, world.clerk())
    taken = await world.act(case["id"], "take", {}, world.clerk())
    assert again.status_code == taken.status_code == 409 and taken.json()["code"] == "invalid_transition"


async def test_refusal_is_for_letters_and_visits_within_the_acceptance_limit(world: World) -> None:
    mailbox = await world.send(headers=world.citizen())
    not_petition = await world.act(
        mailbox["id"], "refusal", {"reason": "other", "text": REASON}, world.clerk()
    )
    assert not_petition.status_code == 409 and not_petition.json()["code"] == "refusal_not_applicable"

    case = await letter(world)  # received 2026-11-24: acceptance decided by 2026-12-09
    bad = await world.act(case["id"], "refusal", {"reason": "maybe", "text": REASON}, world.clerk())
    short = await world.act(case["id"], "refusal", {"reason": "other", "text": "不"}, world.clerk())
    assert bad.status_code == short.status_code == 422
    assert field_of(bad) == "body.reason" and field_of(short) == "body.text"
    other_agency = await world.act(
        case["id"], "refusal", {"reason": "other", "text": REASON}, world.clerk(agency=CITY, sub="301")
    )
    assert other_agency.status_code == 404
    world.clock.set(date(2026, 12, 10))
    late = await world.act(case["id"], "refusal", {"reason": "other", "text": REASON}, world.clerk())
    assert late.status_code == 409 and late.json()["code"] == "acceptance_period_over"
    assert "2026-12-09" in late.json()["detail"]
    assert (await world.get(case["id"], world.clerk())).json()["state"] == "received"

    on_time = await letter(world, summary="反映西街菜市场夜间噪音扰民，已多次反映未果。")  # received 12-10
    world.clock.set(date(2026, 12, 25))  # the last day of its 15
    assert (await world.ok(on_time["id"], "refusal", {"reason": "other", "text": REASON}, world.clerk()))[
        "state"
    ] == "refused"


# --- 办理意见书, 复查 and 复核 ------------------------------------------------------------------------


async def answered_letter(world: World) -> dict[str, Any]:
    """A letter received, accepted and answered on Monday 2026-10-19."""
    world.clock.set(date(2026, 10, 19))
    case = await letter(world)
    await world.ok(case["id"], "take", {}, world.clerk())
    await world.ok(case["id"], "reply", {"reply": "经核查，拖欠的工资已于本月发放完毕。"}, world.clerk())
    return case


async def ask(world: World, case: dict[str, Any], level: str, **extra: Any) -> httpx.Response:
    body = {
        "code": case["query_code"],
        "level": level,
        "reason": "对处理意见不服，工资仍未足额发放。",
        **extra,
    }
    return await world.client.post(f"{URL}/track/{case['tracking_no']}/review", json=body)


async def test_the_answer_to_a_letter_is_a_written_opinion_naming_where_to_ask_for_review(
    world: World,
) -> None:
    case = await answered_letter(world)
    [notice] = await notices_of(world, case["id"], world.clerk())
    assert (notice["kind"], notice["label"]) == ("opinion", "办理意见书")
    html = (await page(world, notice["html_url"], world.clerk())).text
    assert "<h1>东湖县人民政府办理意见书</h1>" in html and "东湖县人民政府信处〔2026〕第 1 号" in html
    assert "经办理，办理意见如下：经核查，拖欠的工资已于本月发放完毕。" in html
    assert "可以自收到本意见书之日起 30 日内，向清河市人民政府请求复查（《信访工作条例》第三十五条）" in html
    assert '<p class="to">李四：</p>' in html

    # The sender of a letter holds the tracking number and the code: the status lists the opinion,
    # which opens addressed to the sender by name; a wrong code opens nothing.
    code = {"code": case["query_code"]}
    status = (await world.client.get(f"{URL}/track/{case['tracking_no']}", params=code)).json()
    [listed] = status["notices"]
    assert listed["number"] == "东湖县人民政府信处〔2026〕第 1 号"
    assert listed["pdf_url"] == f"{URL}/track/{case['tracking_no']}/notices/{notice['id']}.pdf"
    pdf = await world.client.get(listed["pdf_url"], params=code)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = compact("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "李四：" in text and "经核查，拖欠的工资已于本月发放完毕。" in text and "请求复查" in text
    wrong = await world.client.get(listed["html_url"], params={"code": "WRONGCODE2"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "tracking_not_found"
    mailbox = await world.send(headers=world.citizen())
    await world.ok(mailbox["id"], "take", {"level": "own_authority"}, world.clerk())
    await world.ok(mailbox["id"], "reply", {"reply": "路灯已修复。"}, world.clerk())
    assert await notices_of(world, mailbox["id"], world.citizen()) == []  # the local rule: no written opinion
    not_petition = await ask(world, mailbox, "review")
    assert not_petition.status_code == 409 and not_petition.json()["code"] == "review_not_applicable"


async def test_review_within_thirty_days_at_the_level_above_then_final_review_then_nothing(
    world: World,
) -> None:
    case = await answered_letter(world)  # opinion given 2026-10-19

    world.clock.set(date(2026, 11, 19))  # day 31
    late = await ask(world, case, "review")
    assert late.status_code == 422 and field_of(late) == "body.received_on"
    assert late.json()["code"] == "review_period_over" and "2026-11-18" in late.json()["detail"]
    world.clock.set(date(2026, 11, 18))  # day 30
    skipped = await ask(world, case, "final_review")
    assert skipped.status_code == 409 and skipped.json()["code"] == "review_required_first"
    received = await ask(world, case, "review")
    assert received.status_code == 201, received.text
    review = received.json()
    assert (review["received_on"], review["due"]) == ("2026-11-18", "2026-12-18")  # 30 days
    assert review["tracking_no"] != case["tracking_no"] and review["query_code"] != case["query_code"]
    twice = await ask(world, case, "review")
    assert twice.status_code == 409 and twice.json()["code"] == "review_already_requested"

    city = world.clerk(agency=CITY, sub="301")
    shown = (await world.get(review["id"], city)).json()
    assert (shown["agency_id"], shown["review_level"], shown["rule_set"]) == (
        CITY,
        "review",
        "petition-review-2022",
    )
    assert shown["reviewed"]["id"] == case["id"]
    assert shown["reviewed"]["reply"] == "经核查，拖欠的工资已于本月发放完毕。"
    assert shown["sender"]["name"] == "李*" and shown["labels"]["review_level"] == "复查"
    assert (await world.get(review["id"], world.clerk())).status_code == 404  # not the county's case
    original = (await world.get(case["id"], world.clerk())).json()
    assert original["review"]["id"] == review["id"] and original["review"]["agency_id"] == CITY

    world.clock.set(date(2026, 12, 16))  # 3 working days before the due date: yellow
    overdue = (await world.client.get(f"{URL}/supervision/overdue", headers=city)).json()
    assert [(i["id"], i["flag"], i["due"]) for i in overdue["items"]] == [
        (review["id"], "yellow", "2026-12-18")
    ]
    world.clock.set(date(2026, 12, 21))
    overdue = (await world.client.get(f"{URL}/supervision/overdue", headers=city)).json()
    assert [(i["id"], i["flag"]) for i in overdue["items"]] == [(review["id"], "red")]

    await world.ok(review["id"], "take", {}, city)
    await world.ok(review["id"], "reply", {"reply": "经复查，原处理意见认定事实清楚，予以维持。"}, city)
    [opinion] = await notices_of(world, review["id"], city)
    html = (await page(world, opinion["html_url"], city)).text
    assert "<h1>清河市人民政府复查意见书</h1>" in html and "清河市人民政府信复查〔2026〕第 1 号" in html
    assert (
        "对原意见（事项编号 " + case["tracking_no"] + "，东湖县人民政府信处〔2026〕第 1 号）不服，请求复查"
        in html
    )
    assert "向江南省人民政府请求复核（《信访工作条例》第三十六条）" in html

    wrong_level = await ask(world, review, "review")
    assert wrong_level.status_code == 422 and field_of(wrong_level) == "body.level"
    final = await ask(world, review, "final_review")
    assert final.status_code == 201, final.text
    final_case = final.json()
    assert final_case["due"] == "2027-01-20"  # 2026-12-21 + 30 days
    province = world.clerk(agency=PROVINCE, sub="401")
    shown = (await world.get(final_case["id"], province)).json()
    assert (shown["agency_id"], shown["review_level"], shown["reviewed"]["id"]) == (
        PROVINCE,
        "final_review",
        review["id"],
    )
    await world.ok(final_case["id"], "take", {}, province)
    await world.ok(final_case["id"], "reply", {"reply": "经复核，维持复查意见。"}, province)
    [last] = await notices_of(world, final_case["id"], province)
    html = (await page(world, last["html_url"], province)).text
    assert "<h1>江南省人民政府复核意见书</h1>" in html and "本意见为复核意见" in html
    assert "不再受理（《信访工作条例》第三十六条）" in html

    third = await ask(world, final_case, "final_review")
    assert third.status_code == 409 and third.json()["code"] == "review_concluded"
    timeline = (await world.get(case["id"], world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline][-1] == "review_requested"
    assert timeline[-1]["details"]["review_case_id"] == review["id"]


async def test_review_needs_an_opinion_and_a_receipt_date_no_earlier_than_it(world: World) -> None:
    case = await letter(world)
    unanswered = await ask(world, case, "review")
    assert unanswered.status_code == 409 and unanswered.json()["code"] == "no_opinion"
    answered = await answered_letter(world)
    early = await ask(world, answered, "review", received_on="2026-10-18")
    assert early.status_code == 422 and field_of(early) == "body.received_on"
    world.clock.set(date(2026, 11, 23))  # day 35 from the opinion, day 28 from its receipt by post
    by_post = await ask(world, answered, "review", received_on="2026-10-26")
    assert by_post.status_code == 201 and by_post.json()["due"] == "2026-12-23"
    wrong_code = await ask(world, {**answered, "query_code": "WRONGCODE2"}, "review")
    assert wrong_code.status_code == 404
