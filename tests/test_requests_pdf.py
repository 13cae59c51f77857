# ruff: noqa: F811  (the `world` fixture of tests/test_requests_notices.py, imported, is every test's argument)
"""依申请公开: the notice set — every notice an application's handling issues, numbered in one
sequence, listed, and downloadable as a printable page and as a PDF with its Chinese fonts embedded.

The requests app runs in process on a fresh database (both backends) with the fake catalog of
tests/test_requests_notices.py. PDF text is read back with pypdf, whitespace removed (a PDF breaks
lines wherever the page does).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pypdf import PdfReader

from shared import pdf
from tests.test_requests_lifecycle import APPROVER, URL, WEST, body
from tests.test_requests_notices import NoticeWorld, world  # noqa: F401

NAME = "张三丰"
PARTY = "青山建设工程有限公司"
R = "《中华人民共和国政府信息公开条例》"
ITEMS = ["请写明所需信息的年度", "请写明发放对象所在的乡镇"]
PARTIAL = {
    "outcome": "partially_disclosed",
    "reason": "部分内容涉及个人隐私",
    "legal_basis": "条例第三十七条",
    "disclosed": "各乡镇发放总额与户数",
    "withheld": [{"item": "领取人姓名和身份证号", "reason": "个人隐私（条例第十五条）"}],
}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return flat("".join(page.extract_text() for page in reader.pages))


def embedded_fonts(content: bytes) -> dict[str, str]:
    """Each font of the PDF (its base name) → the embedded font file's key, "" when not embedded."""
    found: dict[str, str] = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            files = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
            found[str(font["/BaseFont"])] = files[0] if files else ""
    return found


def page_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return flat(re.sub(r"<[^>]+>", "", response.text))


async def register_letter(world: NoticeWorld, **extra: Any) -> int:
    """A registered letter signed for on Monday 2026-11-23, registered on Tuesday the 24th."""
    letter = {**body(**extra), "channel": "letter_registered", "signed_for_on": "2026-11-23"}
    response = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def notices_of(world: NoticeWorld, app_id: int, headers: dict[str, str] | None = None) -> list[Any]:
    response = await world.get(app_id, headers or world.clerk(), "/notices")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    found: list[Any] = response.json()
    return found


async def download(world: NoticeWorld, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await world.client.get(url, headers=headers or world.clerk())


async def letter_through_every_notice(world: NoticeWorld) -> int:
    """Registration, correction (on paper), third-party consultation, extension, fee and its payment,
    partial disclosure: one notice each."""
    app_id = await register_letter(world)
    items = {"items": [{"text": t} for t in ITEMS], "days": 10}
    await world.ok(app_id, "correction-request", items, world.clerk())
    world.clock.today = date(2026, 11, 27)
    await world.ok(
        app_id, "correction", {"text": "2025年度，城关镇", "received_on": "2026-11-26"}, world.clerk()
    )
    consult = {"kind": "third_party", "party": PARTY, "reason": "所申请信息含该公司的报价明细"}
    await world.ok(app_id, "consultation", consult, world.clerk())
    world.clock.today = date(2026, 12, 1)
    await world.ok(app_id, "consultation/end", {"opinion": "不同意公开报价明细"}, world.clerk())
    world.clock.today = date(2026, 12, 2)
    extension = {"days": 10, "reason": "需要汇总各乡镇的数据", **APPROVER}
    await world.ok(app_id, "extension", extension, world.clerk())
    fee = {"method": "by_pages", "pages": 120, "reason": "所需信息页数较多"}
    await world.ok(app_id, "fee-notice", fee, world.clerk(), 201)
    world.clock.today = date(2026, 12, 4)
    await world.ok(app_id, "fee-paid", {"note": "票据 001"}, world.clerk())
    world.clock.today = date(2026, 12, 8)
    await world.ok(app_id, "decision", PARTIAL, world.clerk())
    return app_id


# --- the set, in order, one sequence ------------------------------------------------------------

NUMBER = "东湖县人民政府公开告〔2026〕第 {} 号"


async def test_a_letter_application_lists_each_notice_in_order_numbered_in_one_sequence(
    world: NoticeWorld,
) -> None:
    app_id = await letter_through_every_notice(world)
    listed = await notices_of(world, app_id)
    assert [(n["kind"], n["number"], n["issued_on"], n["addressed_to"]) for n in listed] == [
        ("receipt", NUMBER.format(1), "2026-11-24", "申请人"),
        ("correction", NUMBER.format(2), "2026-11-24", "申请人"),
        ("consultation", NUMBER.format(3), "2026-11-27", PARTY),
        ("extension", NUMBER.format(4), "2026-12-02", "申请人"),
        ("fee", NUMBER.format(5), "2026-12-02", "申请人"),
        ("decision", NUMBER.format(6), "2026-12-08", "申请人"),
    ]
    assert [n["kind_label"] for n in listed] == [
        "登记回执",
        "补正告知书",
        "征求第三方意见书",
        "延期告知书",
        "收费通知书",
        "答复告知书",
    ]
    for n in listed:
        base = f"{URL}/{app_id}/notices/{n['id']}"
        assert (n["html_url"], n["pdf_url"]) == (f"{base}.html", f"{base}.pdf")
    # The extension notice keeps its id and number in its own list; the answer is the same notice.
    [extension] = (await world.get(app_id, world.clerk(), "/extension-notices")).json()
    assert (extension["id"], extension["number"]) == (listed[3]["id"], listed[3]["number"])
    assert (await world.notice(app_id))["number"] == listed[5]["number"]
    # The region's inspector sees the same list; it holds no personal data. (A letter's applicant has
    # no online account: the clerk prints and sends the notices.)
    assert await notices_of(world, app_id, world.inspector()) == listed
    assert NAME not in str(listed)


async def test_each_notice_as_pdf_names_the_applicant_the_dates_its_number_and_its_articles(
    world: NoticeWorld,
) -> None:
    app_id = await letter_through_every_notice(world)
    listed = {n["kind"]: n for n in await notices_of(world, app_id)}
    expected = {
        # 条例第三十一条第（二）项: a registered letter is received the day it is signed for.
        "receipt": [
            "登记回执",
            "挂号信",
            "已于2026-11-24登记",
            "收到日期为2026-11-23",
            f"{R}第三十一条第（二）项",
            f"{R}第三十三条",
            "20个工作日内予以答复，即2026-12-21前",
        ],
        "correction": [
            "补正告知书",
            f"{R}第三十条",
            *ITEMS,
            "10个工作日内（2026-12-08前）",
            "视为放弃申请",
        ],
        "consultation": [
            "征求第三方意见书",
            f"{PARTY}：",
            "所申请信息含该公司的报价明细",
            f"{R}第三十二条",
            "15个工作日内（2026-12-18前）",
        ],
        "extension": [
            "延期答复告知书",
            f"{R}第三十三条第二款",
            "延长10个工作日",
            "答复期限延至2027-01-12",
            "政府信息公开办公室主任王明",
        ],
        "fee": [
            "收费通知书",
            f"{R}第四十二条",
            "国办函〔2020〕109号",
            "按量计收",
            "共120页",
            "人民币1100元",  # pages 31–100 at ¥10, 101–120 at ¥20
            "20个工作日内（2026-12-30前）",
        ],
        "decision": [
            "答复告知书",
            "部分公开",
            "各乡镇发放总额与户数",
            "领取人姓名和身份证号",
            f"{R}第三十六条第（三）项",
            f"{R}第三十七条",
            "60日内向青山市人民政府申请行政复议",
            "《中华人民共和国行政复议法》第二十三条第一款第（四）项",
            "应当先申请行政复议",
        ],
    }
    issued = {
        "receipt": "2026-11-24",
        "correction": "2026-11-24",
        "consultation": "2026-11-27",
        "extension": "2026-12-02",
        "fee": "2026-12-02",
        "decision": "2026-12-08",
    }
    for kind, notice in listed.items():
        text = pdf_text(await download(world, notice["pdf_url"]))
        for needle in [flat(notice["number"]), "东湖县人民政府" + issued[kind], *map(flat, expected[kind])]:
            assert needle in text, (kind, needle, text)
        if kind == "consultation":  # to the third party: nothing about who asked
            assert NAME not in text and "张" not in text
        else:
            assert f"{NAME}：" in text and "申请编号YSQ2026-" in text
        if kind != "receipt":
            assert "2026-11-23收到" in text
        assert "6个月" not in text  # partial disclosure: reconsideration first
        page = page_text(await download(world, notice["html_url"]))
        assert all(flat(n) in page for n in expected[kind]), kind


async def test_the_pdf_embeds_the_noto_cjk_fonts_it_uses(world: NoticeWorld) -> None:
    app_id = await register_letter(world)
    [receipt] = await notices_of(world, app_id)
    response = await download(world, receipt["pdf_url"])
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''" in disposition
    fonts = embedded_fonts(response.content)
    assert fonts and all(fonts.values()), fonts  # every font it uses is embedded (a subset)
    assert any("Noto-Serif-CJK-SC" in name or "NotoSerifCJK" in name for name in fonts), fonts
    assert not any("Helvetica" in name or "STSong" in name for name in fonts)  # no base-14 / CID font


# --- the answer of every outcome, abandonment and referral ---------------------------------------

FIRST, BOTH = "reconsideration_first", "either"
# outcome → (the Regulation's provisions its notice cites, the remedy it states)
OUTCOMES: dict[str, tuple[list[str], str]] = {
    "disclosed": (["第三十六条第（二）项"], BOTH),
    "withheld.state_secret": (["第三十六条第（三）项", "第十四条"], FIRST),
    "withheld.prohibited_by_law": (["第三十六条第（三）项", "第十四条"], FIRST),
    "withheld.three_securities_one_stability": (["第三十六条第（三）项", "第十四条"], FIRST),
    "withheld.third_party_rights": (["第三十六条第（三）项", "第十五条"], FIRST),
    "withheld.internal_affairs": (["第三十六条第（三）项", "第十六条第一款"], FIRST),
    "withheld.process_information": (["第三十六条第（三）项", "第十六条第二款"], FIRST),
    "withheld.enforcement_case_file": (["第三十六条第（三）项", "第十六条第二款"], FIRST),
    "withheld.administrative_inquiry": (["第三十六条第（七）项"], FIRST),
    "unavailable.not_held": (["第三十六条第（四）项"], BOTH),
    "unavailable.needs_creation": (["第三十八条"], BOTH),
    "not_processed.petition_or_complaint": (["第三十九条第一款"], BOTH),
    "not_processed.duplicate": (["第三十六条第（六）项"], BOTH),
    "not_processed.publication": (["第三十九条第二款"], BOTH),
    "not_processed.mass_unreasonable": (["第三十五条"], BOTH),
    "not_processed.confirm_or_reissue": ([], BOTH),
    "other.other": ([], BOTH),
}


def assert_remedy(text: str, remedy: str) -> None:
    assert flat("60 日内向青山市人民政府申请行政复议") in text
    if remedy == FIRST:
        assert "《中华人民共和国行政复议法》第二十三条第一款第（四）项" in text and "6个月" not in text
    else:
        assert "6个月内向人民法院提起行政诉讼" in text and "《中华人民共和国行政诉讼法》第四十六条" in text


async def test_the_answer_of_every_outcome_as_pdf_cites_its_articles_and_remedies(
    world: NoticeWorld,
) -> None:
    from services.requests.models import OUTCOME_REPORT_ROWS, Outcome

    for n, (outcome, (provisions, remedy)) in enumerate(OUTCOMES.items(), start=1):
        app_id = (await world.apply())["id"]
        decision = {"outcome": outcome, "reason": "经审查", "legal_basis": "依法答复"}
        await world.ok(app_id, "decision", decision, world.clerk())
        [answer] = await notices_of(world, app_id)
        assert (answer["kind"], answer["number"]) == ("decision", NUMBER.format(n))
        text = pdf_text(await world.get(app_id, world.citizen(), "/notice.pdf"))
        same = pdf_text(await download(world, answer["pdf_url"], world.citizen()))
        assert text == same
        label = OUTCOME_REPORT_ROWS[Outcome(outcome)][1].removesuffix(
            "（区分处理的，只计这一情形，不计其他情形）"
        )
        assert f"答复如下：{flat(label)}" in text, outcome
        assert all(f"{R}{p}" in text for p in provisions), (outcome, text)
        cited = re.findall(r"政府信息公开条例》(第[^；。（]+条)", text)
        assert sorted(set(cited)) == sorted({p.split("条")[0] + "条" for p in provisions}), outcome
        assert_remedy(text, remedy)
        assert f"{NAME}：" in text and flat(NUMBER.format(n)) in text


async def test_an_abandoned_application_is_told_in_an_answer_citing_article_30(world: NoticeWorld) -> None:
    app_id = await register_letter(world)
    await world.ok(app_id, "correction-request", {"items": [{"text": ITEMS[0]}], "days": 2}, world.clerk())
    world.clock.today = date(2026, 11, 27)  # the period (to 11-26) has passed
    await world.ok(app_id, "abandonment", {"reason": "补正期限届满未补正"}, world.clerk())
    listed = await notices_of(world, app_id)
    assert [(n["kind"], n["number"]) for n in listed] == [
        ("receipt", NUMBER.format(1)),
        ("correction", NUMBER.format(2)),
        ("decision", NUMBER.format(3)),
    ]
    notice = await world.notice(app_id)
    assert notice["decision"]["outcome"] == "other.no_correction" and notice["issued_on"] == "2026-11-27"
    text = pdf_text(await download(world, listed[2]["pdf_url"]))
    assert "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in text
    assert f"{R}第三十条" in text and "补正期限届满未补正" in text and "东湖县人民政府2026-11-27" in text
    assert_remedy(text, BOTH)


async def test_still_unclear_after_the_correction_is_answered_citing_article_30(world: NoticeWorld) -> None:
    app_id = (await world.apply())["id"]
    await world.ok(app_id, "correction-request", {"items": [{"text": ITEMS[0]}], "days": 5}, world.clerk())
    await world.ok(app_id, "correction", {"text": "就是那些信息"}, world.citizen())
    unclear = {
        "outcome": "unavailable.still_unclear",
        "reason": "补正后仍无法确定所需信息",
        "legal_basis": "依法答复",
    }
    await world.ok(app_id, "decision", unclear, world.clerk())
    listed = await notices_of(world, app_id, world.citizen())
    assert [(n["kind"], n["number"]) for n in listed] == [
        ("correction", NUMBER.format(1)),
        ("decision", NUMBER.format(2)),
    ]
    correction = pdf_text(await download(world, listed[0]["pdf_url"], world.citizen()))
    assert f"{R}第三十条" in correction and flat(ITEMS[0]) in correction and f"{NAME}：" in correction
    text = pdf_text(await download(world, listed[1]["pdf_url"], world.citizen()))
    assert "答复如下：补正后申请内容仍不明确" in text and f"{R}第三十条" in text
    assert_remedy(text, BOTH)


async def test_a_fee_left_unpaid_ends_in_an_answer_citing_article_42_and_the_measures(
    world: NoticeWorld,
) -> None:
    app_id = (await world.apply())["id"]
    fee = await world.ok(
        app_id, "fee-notice", {"method": "by_pages", "pages": 31, "reason": "页数"}, world.clerk(), 201
    )
    world.clock.today = date.fromisoformat(fee["due_on"]) + timedelta(days=1)
    unpaid = {"outcome": "other.fee_unpaid", "reason": "逾期未缴费", "legal_basis": "依法答复"}
    await world.ok(app_id, "decision", unpaid, world.clerk())
    listed = await notices_of(world, app_id)
    assert [(n["kind"], n["number"]) for n in listed] == [
        ("fee", NUMBER.format(1)),
        ("decision", NUMBER.format(2)),
    ]
    fee_text = pdf_text(await download(world, listed[0]["pdf_url"]))
    assert "人民币10元" in fee_text and f"（{fee['due_on']}前）" in fee_text
    text = pdf_text(await download(world, listed[1]["pdf_url"]))
    assert f"{R}第四十二条" in text and "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）" in text
    assert "申请人逾期未按收费通知要求缴纳费用" in text


async def test_a_referral_is_listed_as_such_and_names_the_agency_that_holds_the_information(
    world: NoticeWorld,
) -> None:
    app_id = (await world.apply())["id"]  # online: the applicant has the receipt on screen, no notice
    referral = {"kind": "other_agency", "agency_name": "青山市民政局", "reason": "不属于本机关掌握的信息"}
    await world.ok(app_id, "referral", referral, world.clerk())
    [notice] = await notices_of(world, app_id)
    assert (notice["kind"], notice["kind_label"], notice["number"]) == (
        "referral",
        "告知书（获取途径或掌握机关）",
        NUMBER.format(1),
    )
    text = pdf_text(await download(world, notice["pdf_url"], world.citizen()))
    assert "该信息由青山市民政局负责公开" in text and f"{R}第三十六条第（五）项" in text
    assert "本机关不掌握相关政府信息" in text and f"{NAME}：" in text
    assert_remedy(text, BOTH)


# --- who may read -------------------------------------------------------------------------------


async def test_notices_are_read_by_whoever_reads_the_answer_notice_and_no_one_else(
    world: NoticeWorld,
) -> None:
    app_id = (await world.apply())["id"]
    consult = {"kind": "third_party", "party": PARTY, "reason": "含报价"}
    await world.ok(app_id, "consultation", consult, world.clerk())
    await world.ok(app_id, "consultation/end", {"opinion": "同意"}, world.clerk())
    await world.ok(app_id, "decision", PARTIAL, world.clerk())
    [consultation, answer] = await notices_of(world, app_id)
    urls = [
        f"{URL}/{app_id}/notices",
        f"{URL}/{app_id}/notice.pdf",
        consultation["html_url"],
        consultation["pdf_url"],
        answer["html_url"],
        answer["pdf_url"],
    ]
    for outsider in (world.clerk(WEST, "201"), world.citizen("5002"), world.inspector(5)):
        for url in urls:
            refused = await world.client.get(url, headers=outsider)
            assert refused.status_code == 404, (url, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
    for url in urls:
        assert (await world.client.get(url)).status_code == 401
    # The inspector reads the masked name, the applicant and the clerk the real one.
    masked = pdf_text(await download(world, answer["pdf_url"], world.inspector()))
    assert NAME not in masked and "张**：" in masked
    for reader in (world.citizen(), world.clerk()):
        assert f"{NAME}：" in pdf_text(await download(world, answer["pdf_url"], reader))


async def test_an_id_that_is_not_a_notice_of_the_application_is_not_found(world: NoticeWorld) -> None:
    app_id = (await world.apply())["id"]
    await world.ok(
        app_id,
        "consultation",
        {"kind": "other_agency", "party": "青山市财政局", "reason": "会商"},
        world.clerk(),
    )
    assert await notices_of(world, app_id) == []  # another agency's opinion (第三十四条): no notice
    other = await register_letter(world)
    [receipt] = await notices_of(world, other)
    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    assert [t["action"] for t in timeline] == ["applied", "start_consultation"]
    for suffix in (
        f"/notices/{receipt['id']}.pdf",
        f"/notices/{receipt['id']}.html",
        "/notices/999.pdf",
        "/notice.pdf",
    ):
        missing = await world.get(app_id, world.clerk(), suffix)
        assert missing.status_code == 404 and missing.json()["code"] == "notice_not_found", suffix


async def test_no_notice_is_numbered_when_the_catalog_cannot_name_the_agency(world: NoticeWorld) -> None:
    world.catalog.down = True
    letter = {**body(), "channel": "letter_registered", "signed_for_on": "2026-11-23"}
    refused = await world.client.post(f"{URL}/registrations", json=letter, headers=world.clerk())
    assert refused.status_code == 503
    assert (await world.client.get(URL, headers=world.clerk())).json()["total"] == 0
    app_id = (await world.apply())["id"]
    items = {"items": [{"text": ITEMS[0]}], "days": 5}
    assert (await world.act(app_id, "correction-request", items, world.clerk())).status_code == 503
    consult = {"kind": "third_party", "party": PARTY, "reason": "含报价"}
    assert (await world.act(app_id, "consultation", consult, world.clerk())).status_code == 503
    fee = {"method": "by_pages", "pages": 31, "reason": "页数"}
    assert (await world.act(app_id, "fee-notice", fee, world.clerk())).status_code == 503
    assert (await world.get(app_id, world.clerk())).json()["state"] == "registered"
    world.catalog.down = False
    await world.ok(app_id, "correction-request", items, world.clerk())
    assert [n["number"] for n in await notices_of(world, app_id)] == [NUMBER.format(1)]


# --- without the fonts ----------------------------------------------------------------------------


@pytest.fixture
def no_cjk_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A fontconfig that knows no font directory: what a server without fonts-noto-cjk resolves."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>{tmp_path / 'no-fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    pdf.check_fonts.cache_clear()
    yield config
    monkeypatch.undo()
    pdf.check_fonts.cache_clear()


async def test_without_the_cjk_fonts_a_pdf_is_a_503_and_the_printable_page_is_still_served(
    world: NoticeWorld, no_cjk_fonts: Path
) -> None:
    app_id = await register_letter(world)
    [receipt] = await notices_of(world, app_id)
    refused = await download(world, receipt["pdf_url"])
    assert refused.status_code == 503 and refused.json()["code"] == "pdf_unavailable"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Noto Serif CJK SC" in refused.json()["detail"] and "HTML" in refused.json()["detail"]
    assert "登记回执" in page_text(await download(world, receipt["html_url"]))
    # The check `make` runs says so too, and fails.
    env = {**os.environ, "FONTCONFIG_FILE": str(no_cjk_fonts)}
    check = await anyio.run_process([sys.executable, "-m", "shared.pdf", "--check"], env=env, check=False)
    out = check.stdout.decode()
    assert check.returncode == 1 and "Noto Serif CJK SC: MISSING" in out, out


def test_the_font_check_passes_on_this_machine() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "shared.pdf", "--check"], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "NotoSerifCJK" in check.stdout and "HarfBuzz subsetting: yes" in check.stdout


def test_without_pango_a_pdf_is_unavailable_naming_the_missing_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint.text.ffi", None)  # as when libpango cannot be loaded
    pdf.check_fonts.cache_clear()
    try:
        found = pdf.check_fonts()
        assert found.error and found.missing == pdf.REQUIRED_FAMILIES and not found.fast_subsetting
        with pytest.raises(pdf.PdfUnavailable) as refused:
            pdf.render_pdf("<!DOCTYPE html><p>告知书</p>")
        assert (refused.value.status, refused.value.code) == (503, "pdf_unavailable")
        assert "Pango" in refused.value.detail and "HTML" in refused.value.detail
    finally:
        monkeypatch.undo()
        pdf.check_fonts.cache_clear()
    assert pdf.check_fonts().ok
