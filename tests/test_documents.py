"""Publication workflow: draft → review by a second clerk → published → amended / revoked; scope;
versions and history; the 20-working-day rule; guides and catalogs; search follows the outbox."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import World


async def test_a_draft_is_seen_only_by_its_agency_and_region(world: World) -> None:
    doc = await world.draft()
    assert doc["status"] == "draft" and doc["index_no"] is None and doc["labels"]["status"] == "草稿"
    url = f"/api/v1/catalog/documents/{doc['id']}"
    assert (await world.client.get(url)).status_code == 404
    assert (await world.client.get(url, headers=world.clerk("101"))).status_code == 200
    assert (await world.client.get(url, headers=world.inspector("city"))).status_code == 200
    assert (await world.client.get(url, headers=world.clerk("201", "west"))).status_code == 404
    assert (await world.client.get(url, headers=world.inspector("other_city"))).status_code == 404
    assert (await world.client.get(url, headers=world.tokens.header("public"))).status_code == 404


async def test_a_second_clerk_approves_and_the_document_gets_a_stable_index_number(world: World) -> None:
    doc = await world.draft()
    await world.act(doc["id"], "submit", "101")
    self_approval = await world.act(doc["id"], "approve", "101", {"confidentiality_checked": True})
    assert self_approval.status_code == 403 and self_approval.json()["code"] == "second_person_required"
    other_agency = await world.act(
        doc["id"], "approve", "201", {"confidentiality_checked": True}, agency="west"
    )
    # A document in review is not public: to another agency it is as missing as one that does not exist.
    assert (other_agency.status_code, other_agency.json()["code"]) == (404, "document_not_found")
    unchecked = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": False})
    assert (
        unchecked.status_code == 422
        and unchecked.json()["errors"][0]["field"] == "body.confidentiality_checked"
    )
    published = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    body = published.json()
    assert body["status"] == "published" and body["version"] == 1
    year = datetime.now(UTC).astimezone().year
    assert body["index_no"] in (f"990121/{year}-00001", f"990121/{year + 1}-00001")
    second = await world.publish()
    assert second["index_no"].endswith("-00002")
    public = await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")
    assert public.status_code == 200 and public.json()["index_no"] == body["index_no"]


async def test_an_illegal_step_is_refused_with_409_naming_the_state(world: World) -> None:
    doc = await world.draft()
    response = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert response.status_code == 409 and "草稿" in response.json()["detail"]
    published = await world.publish()
    again = await world.act(published["id"], "submit", "101")
    assert again.status_code == 409 and "已发布" in again.json()["detail"]
    edit = await world.client.patch(
        f"/api/v1/catalog/documents/{published['id']}", json={"title": "改标题"}, headers=world.clerk("101")
    )
    assert edit.status_code == 409


async def test_a_returned_document_is_corrected_and_resubmitted(world: World) -> None:
    doc = await world.draft()
    await world.act(doc["id"], "submit", "101")
    returned = await world.act(doc["id"], "return", "102", {"reason": "文号有误，请核对"})
    assert returned.json()["status"] == "returned" and returned.json()["status_reason"] == "文号有误，请核对"
    fixed = await world.client.patch(
        f"/api/v1/catalog/documents/{doc['id']}",
        headers=world.clerk("101"),
        json={"doc_number": "东政发〔2026〕13号"},
    )
    assert fixed.status_code == 200 and fixed.json()["doc_number"] == "东政发〔2026〕13号"
    assert (await world.act(doc["id"], "submit", "101")).json()["status"] == "in_review"


async def test_amendments_keep_old_versions_and_revocation_keeps_history(world: World) -> None:
    doc = await world.publish()
    url = f"/api/v1/catalog/documents/{doc['id']}"
    proposed = await world.act(
        doc["id"],
        "amend",
        "101",
        {"title": "东湖县关于调整最低生活保障标准的通知（修订）", "reason": "更正标准金额"},
    )
    assert proposed.status_code == 201 and proposed.json()["status"] == "pending"
    amended = await world.act(
        doc["id"], f"amendments/{proposed.json()['id']}/approve", "102", {"confidentiality_checked": True}
    )
    assert amended.json()["version"] == 2
    versions = (await world.client.get(f"{url}/versions", headers=world.inspector())).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content"]["title"] == doc["title"] and versions[1]["reason"] == "更正标准金额"
    validity = await world.act(
        doc["id"], "validity", "101", {"validity": "expired", "reason": "新标准已施行"}
    )
    assert validity.json()["validity"] == "expired"
    revoked = await world.act(doc["id"], "revoke", "102", {"reason": "内容涉及个人信息，撤回处理"})
    assert revoked.json()["status"] == "revoked"
    assert (await world.client.get(url)).status_code == 404
    listed = (await world.client.get("/api/v1/catalog/documents")).json()
    assert doc["id"] not in [d["id"] for d in listed["items"]]
    assert (await world.client.get(url, headers=world.clerk("101"))).json()["status"] == "revoked"
    history = (await world.client.get(f"{url}/history", headers=world.inspector())).json()
    assert [e["action"] for e in history] == [
        "drafted",
        "submitted",
        "published",
        "amendment_proposed",
        "amended",
        "validity_changed",
        "revoked",
    ]
    assert history[-1]["reason"] == "内容涉及个人信息，撤回处理" and history[-1]["actor_id"] == "102"
    # Revoked, it is no longer public: to another agency's clerk it is as missing as a missing one.
    assert (await world.client.get(f"{url}/history", headers=world.clerk("201", "west"))).status_code == 404
    assert (await world.client.get(f"{url}/history")).status_code == 401


async def test_an_amendment_goes_live_only_after_a_second_persons_review(world: World) -> None:
    doc = await world.publish(body_text="城关镇幸福里小区加装电梯项目已完成验收。")
    url = f"/api/v1/catalog/documents/{doc['id']}"
    leaked = "联系人王小明，身份证号110105194912310021，电话13800138000，银行卡6222021234567890128。"
    proposed = await world.act(doc["id"], "amend", "101", {"body_text": leaked, "reason": "补充联系人"})
    assert proposed.status_code == 201, proposed.text
    amendment = proposed.json()
    assert amendment["status"] == "pending" and amendment["based_on_version"] == 1

    async def public_body() -> str:
        return (await world.client.get(url)).json()["body_text"]

    async def searchable(phrase: str) -> bool:
        for _ in range(20):
            result = (await world.client.get("/api/v1/catalog/search", params={"q": phrase})).json()
            if doc["id"] in [h["id"] for h in result["hits"]]:
                return True
            await asyncio.sleep(0.1)
        return False

    assert await public_body() == doc["body_text"]  # the live version stays until the review
    assert await searchable("加装电梯")
    approve = f"amendments/{amendment['id']}/approve"
    by_author = await world.act(doc["id"], approve, "101", {"confidentiality_checked": True})
    assert by_author.status_code == 403 and by_author.json()["code"] == "second_person_required"
    unchecked = await world.act(doc["id"], approve, "102", {"confidentiality_checked": False})
    assert unchecked.status_code == 422
    returned = await world.act(
        doc["id"], f"amendments/{amendment['id']}/return", "102", {"reason": "含个人身份信息，请删除"}
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert (await world.act(doc["id"], approve, "102", {"confidentiality_checked": True})).status_code == 409
    assert await public_body() == doc["body_text"]
    versions = (await world.client.get(f"{url}/versions", headers=world.clerk("101"))).json()
    assert [v["version"] for v in versions] == [1]

    first = await world.act(doc["id"], "amend", "101", {"title": "第一稿修订", "reason": "改标题"})
    second = await world.act(doc["id"], "amend", "101", {"body_text": "验收合格。", "reason": "改正文"})
    listed = (await world.client.get(f"{url}/amendments", headers=world.inspector())).json()
    assert [a["status"] for a in listed] == ["returned", "superseded", "pending"]
    stale = await world.act(
        doc["id"], f"amendments/{first.json()['id']}/approve", "102", {"confidentiality_checked": True}
    )
    assert stale.status_code == 409
    live = await world.act(
        doc["id"], f"amendments/{second.json()['id']}/approve", "102", {"confidentiality_checked": True}
    )
    assert live.status_code == 200 and live.json()["version"] == 2
    assert await public_body() == "验收合格。" and live.json()["title"] == doc["title"]
    assert await searchable("验收合格")


LEAKED_ID = "11010519491231002X"  # check character right
LEAKED = f"低保对象王小明，身份证号{LEAKED_ID}，电话13800138000，银行卡6222021234567890128。"


async def test_personal_data_is_refused_at_publication_unless_masked_or_excepted_with_reasons(
    world: World,
) -> None:
    doc = await world.draft(body_text=f"2026年第四季度低保名单公示。{LEAKED}")
    await world.act(doc["id"], "submit", "101")
    refused = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "personal_data_found"
    assert [(e["field"], e["type"]) for e in problem["errors"]] == [
        ("body_text", "personal_data.id_number"),
        ("body_text", "personal_data.mobile"),
        ("body_text", "personal_data.bank_card"),
    ]
    assert problem["errors"][0]["message"] == "第 29–46 个字符：身份证号 110105********002X"
    assert LEAKED_ID not in refused.text
    assert (await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")).status_code == 404

    url = f"/api/v1/catalog/documents/{doc['id']}/personal-data"
    report = (await world.client.get(url, headers=world.clerk("101"))).json()
    assert [f["kind"] for f in report["findings"]] == ["id_number", "mobile", "bank_card"]
    masked = report["masked"]["body_text"]
    assert "身份证号110105********002X，电话138****8000，银行卡（不公开）。" in masked
    assert (await world.client.get(url)).status_code == 401

    await world.act(doc["id"], "return", "102", {"reason": "请遮蔽个人信息"})
    fixed = await world.client.patch(
        f"/api/v1/catalog/documents/{doc['id']}", headers=world.clerk("101"), json={"body_text": masked}
    )
    assert fixed.status_code == 200
    await world.act(doc["id"], "submit", "101")
    published = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert published.status_code == 200 and published.json()["body_text"] == masked

    excepted = await world.draft(title="见义勇为人员奖励公示", body_text="联系电话13800138000。")
    await world.act(excepted["id"], "submit", "101")
    reason = "经本人书面同意公开联系电话，便于群众联系"
    approved = await world.act(
        excepted["id"], "approve", "102", {"confidentiality_checked": True, "personal_data_override": reason}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    history = (
        await world.client.get(
            f"/api/v1/catalog/documents/{excepted['id']}/history", headers=world.inspector()
        )
    ).json()
    assert history[-1]["after"]["personal_data_override"] == reason
    assert history[-1]["after"]["personal_data"][0]["masked"] == "138****8000"


async def test_names_in_a_publicity_list_are_refused_until_masked(world: World) -> None:
    table = (
        "<table><tr><th>序号</th><th>户主姓名</th><th>保障金额（元）</th></tr>"
        "<tr><td>1</td><td>张三丰</td><td>2940</td></tr><tr><td>2</td><td>李**</td><td>980</td></tr></table>"
    )
    doc = await world.draft(
        title="城关镇2026年第四季度低保名单公示",
        body_text="序号  户主姓名  保障金额（元）\n1  张三丰  2940\n2  李**  980",
        body_html=table,
    )
    await world.act(doc["id"], "submit", "101")
    refused = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert refused.status_code == 422
    assert [(e["field"], e["type"], e["message"]) for e in refused.json()["errors"]] == [
        ("body_text", "personal_data.name", "第 22–24 个字符：姓名 张**"),
        ("body_html", "personal_data.name", "第 82–84 个字符：姓名 张**"),
    ]
    report = (
        await world.client.get(
            f"/api/v1/catalog/documents/{doc['id']}/personal-data", headers=world.clerk("102")
        )
    ).json()
    assert report["masked"]["body_text"].splitlines()[1] == "1  张**  2940"
    assert "<td>张**</td>" in report["masked"]["body_html"]


def docx(*paragraphs: str, rows: tuple[tuple[str, ...], ...] = ()) -> bytes:
    """A minimal Word document: paragraphs, then a table."""

    def para(text: str) -> str:
        return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"

    table = "".join(
        "<w:tr>" + "".join(f"<w:tc>{para(cell)}</w:tc>" for cell in row) + "</w:tr>" for row in rows
    )
    body = "".join(para(p) for p in paragraphs) + (f"<w:tbl>{table}</w:tbl>" if rows else "")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )
    return buffer.getvalue()


async def test_personal_data_in_a_word_attachment_is_refused_at_publication(world: World) -> None:
    doc = await world.draft(title="城关镇2026年第四季度低保名单公示", body_text="名单见附件。")
    data = docx(
        f"联系人身份证号{LEAKED_ID}",
        rows=(("序号", "户主姓名", "保障金额（元）"), ("1", "张三丰", "2940"), ("2", "李**", "980")),
    )
    upload = await world.client.post(
        f"/api/v1/catalog/documents/{doc['id']}/attachments",
        headers=world.clerk("101"),
        files={"file": ("名单.docx", data, "application/octet-stream")},
    )
    assert upload.status_code == 201, upload.text
    field = f"attachments.{upload.json()['id']}"
    await world.act(doc["id"], "submit", "101")
    refused = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["type"]) for e in refused.json()["errors"]] == [
        (field, "personal_data.id_number"),
        (field, "personal_data.name"),
    ]
    report = (
        await world.client.get(
            f"/api/v1/catalog/documents/{doc['id']}/personal-data", headers=world.clerk("101")
        )
    ).json()
    assert [(f["field"], f["masked"]) for f in report["findings"]] == [
        (field, "110105********002X"),
        (field, "张**"),
    ]


def pdf(html: str) -> bytes:
    """A PDF with a text layer, laid out as a printed 公示 list is (cells padded and ruled)."""
    import weasyprint

    style = "<style>td,th{border:1px solid #000;padding:4px 12px}</style>"
    return weasyprint.HTML(string=f"<html><head>{style}</head><body>{html}</body></html>").write_pdf()


async def test_personal_data_in_a_pdf_attachment_is_refused_and_a_scan_is_left_to_the_reviewer(
    world: World,
) -> None:
    doc = await world.draft(title="城关镇2026年第四季度低保名单公示", body_text="名单见附件。")
    data = pdf(
        f"<p>联系人身份证号{LEAKED_ID}</p><table><tr><th>序号</th><th>户主姓名</th><th>保障金额（元）</th></tr>"
        "<tr><td>1</td><td>张三丰</td><td>2940</td></tr><tr><td>2</td><td>李**</td><td>980</td></tr></table>"
    )
    ids = []
    for name, content in (("名单.pdf", data), ("扫描件.png", b"\x89PNG\r\n\x1a\n" + bytes(64))):
        upload = await world.client.post(
            f"/api/v1/catalog/documents/{doc['id']}/attachments",
            headers=world.clerk("101"),
            files={"file": (name, content, "application/octet-stream")},
        )
        assert upload.status_code == 201, upload.text
        ids.append(upload.json()["id"])
    field = f"attachments.{ids[0]}"
    await world.act(doc["id"], "submit", "101")
    refused = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["type"]) for e in refused.json()["errors"]] == [
        (field, "personal_data.id_number"),
        (field, "personal_data.name"),
    ]
    report = (
        await world.client.get(
            f"/api/v1/catalog/documents/{doc['id']}/personal-data", headers=world.clerk("101")
        )
    ).json()
    assert [(f["field"], f["masked"]) for f in report["findings"]] == [
        (field, "110105********002X"),
        (field, "张**"),
    ]
    assert report["unread_attachments"] == [ids[1]]


async def test_an_amendment_with_personal_data_is_refused_until_masked_or_excepted(world: World) -> None:
    doc = await world.publish()
    proposed = await world.act(doc["id"], "amend", "101", {"body_text": LEAKED, "reason": "补充联系人"})
    approve = f"amendments/{proposed.json()['id']}/approve"
    refused = await world.act(doc["id"], approve, "102", {"confidentiality_checked": True})
    assert refused.status_code == 422 and refused.json()["code"] == "personal_data_found"
    assert len(refused.json()["errors"]) == 3
    report = (
        await world.client.get(
            f"/api/v1/catalog/documents/{doc['id']}/personal-data", headers=world.clerk("101")
        )
    ).json()
    assert report["amendment_id"] == proposed.json()["id"] and len(report["findings"]) == 3
    assert (await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")).json()["version"] == 1
    masked = await world.act(
        doc["id"], "amend", "101", {"body_text": report["masked"]["body_text"], "reason": "遮蔽个人信息"}
    )
    live = await world.act(
        doc["id"], f"amendments/{masked.json()['id']}/approve", "102", {"confidentiality_checked": True}
    )
    assert live.status_code == 200 and LEAKED_ID not in live.json()["body_text"]
    assert "110105********002X" in live.json()["body_text"]


async def test_moving_the_information_date_keeps_the_late_publication_on_record(world: World) -> None:
    late = await world.publish(information_date="2026-01-05")
    proposed = await world.act(
        late["id"],
        "amend",
        "101",
        {"information_date": (date.today() - timedelta(days=1)).isoformat(), "reason": "信息已更新"},
    )
    approved = await world.act(
        late["id"], f"amendments/{proposed.json()['id']}/approve", "102", {"confidentiality_checked": True}
    )
    assert approved.status_code == 200 and approved.json()["version"] == 2
    rows = (await world.client.get("/api/v1/catalog/documents/late", headers=world.clerk("101"))).json()
    mine = [r for r in rows if r["id"] == late["id"]]
    assert len(mine) == 1
    assert mine[0]["information_date"] == "2026-01-05" and mine[0]["due_on"] == "2026-02-02"
    assert mine[0]["version"] == 1 and mine[0]["working_days_late"] > 0


async def test_staff_lists_by_status_within_their_scope_only(world: World) -> None:
    await world.draft()
    await world.client.post(
        "/api/v1/catalog/documents",
        headers=world.clerk("201", "west"),
        json={"title": "西岭县草稿", "category": "general", "doc_type": "notice", "body_text": "草稿内容"},
    )
    east = (
        await world.client.get(
            "/api/v1/catalog/documents", params={"status": "draft"}, headers=world.clerk("101")
        )
    ).json()
    region = (
        await world.client.get(
            "/api/v1/catalog/documents", params={"status": "draft"}, headers=world.inspector()
        )
    ).json()
    assert east["total"] == 1 and region["total"] == 2
    assert (
        await world.client.get("/api/v1/catalog/documents", params={"status": "draft"})
    ).status_code == 403


async def test_scheduled_publication_happens_at_its_time(world: World) -> None:
    doc = await world.draft()
    await world.act(doc["id"], "submit", "101")
    when = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    scheduled = await world.act(
        doc["id"], "approve", "102", {"confidentiality_checked": True, "publish_at": when}
    )
    assert scheduled.json()["status"] == "scheduled" and scheduled.json()["index_no"] is None
    for _ in range(50):
        await asyncio.sleep(0.1)
        current = await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")
        if current.status_code == 200:
            break
    assert current.status_code == 200 and current.json()["status"] == "published"


async def test_search_follows_publication_and_revocation_within_two_seconds(world: World) -> None:
    doc = await world.publish(
        title="城关镇老旧小区改造项目公示", body_text="本次改造涉及幸福里小区加装电梯和雨污分流。"
    )

    async def found(phrase: str) -> bool:
        result = (await world.client.get("/api/v1/catalog/search", params={"q": phrase})).json()
        return doc["id"] in [h["id"] for h in result["hits"]]

    async def eventually(predicate: bool, phrase: str) -> None:
        for _ in range(20):
            if await found(phrase) is predicate:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"search did not reach {predicate} for {phrase} within 2 s")

    await eventually(True, "加装电梯")
    result = (await world.client.get("/api/v1/catalog/search", params={"q": "加装电梯"})).json()
    assert "<mark>" in result["hits"][0]["snippet_html"] and result["took_ms"] >= 0
    await world.act(doc["id"], "revoke", "101", {"reason": "项目调整"})
    await eventually(False, "加装电梯")


async def test_late_and_overdue_documents_by_the_20_working_day_rule(world: World) -> None:
    late = await world.publish(information_date="2026-01-05")
    fresh = await world.publish(information_date=(date.today() - timedelta(days=1)).isoformat())
    pending = await world.draft(information_date="2025-12-01")
    rows = (await world.client.get("/api/v1/catalog/documents/late", headers=world.clerk("101"))).json()
    by_id = {r["id"]: r for r in rows}
    assert late["id"] in by_id and pending["id"] in by_id and fresh["id"] not in by_id
    assert by_id[late["id"]]["due_on"] == "2026-02-02"  # 20 working days after 5 January 2026
    assert by_id[pending["id"]]["published_on"] is None and by_id[pending["id"]]["working_days_late"] > 200
    west = (
        await world.client.get("/api/v1/catalog/documents/late", headers=world.clerk("201", "west"))
    ).json()
    assert west == []


async def test_a_clerk_edits_her_agencys_guide_which_the_public_reads(world: World) -> None:
    guide = {
        "how_to_apply": "可通过网上申请平台、信函或当面提交申请。",
        "office_address": "东湖县人民路1号",
        "office_hours": "工作日 9:00–17:00",
        "phone": "0571-88880000",
        "email": "gk@donghu.example.gov.cn",
        "postal_code": "311100",
        "fees_note": "不收取费用，但申请数量明显超出合理范围的除外。",
    }
    url = f"/api/v1/catalog/agencies/{world.ids['east']}/guide"
    assert (await world.client.get(url)).status_code == 404
    assert (await world.client.put(url, json=guide, headers=world.clerk("201", "west"))).status_code == 403
    assert (await world.client.put(url, json=guide, headers=world.clerk("101"))).status_code == 200
    assert (await world.client.get(url)).json()["office_address"] == "东湖县人民路1号"


async def test_the_agency_catalog_counts_public_documents_by_category_and_type(world: World) -> None:
    await world.publish()
    await world.publish(category="finance", doc_type="report", title="东湖县2025年财政决算报告")
    await world.draft(category="finance")
    catalog = (await world.client.get(f"/api/v1/catalog/agencies/{world.ids['east']}/catalog")).json()
    assert catalog["total"] == 2
    assert {c["code"]: c["count"] for c in catalog["by_category"]} == {"civil_affairs": 1, "finance": 1}
    assert {c["label"] for c in catalog["by_type"]} == {"通知", "报告"}


async def test_categories_are_a_closed_list_an_admin_can_extend(world: World) -> None:
    unknown = await world.client.post(
        "/api/v1/catalog/documents",
        headers=world.clerk("101"),
        json={"title": "测试", "category": "rural_revival", "doc_type": "notice", "body_text": "内容"},
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_category"
    added = await world.client.post(
        "/api/v1/catalog/vocabulary/categories",
        headers=world.tokens.header("admin"),
        json={"code": "rural_revival", "label": "乡村振兴"},
    )
    assert added.status_code == 201
    assert (
        await world.client.post(
            "/api/v1/catalog/documents",
            headers=world.clerk("101"),
            json={"title": "测试", "category": "rural_revival", "doc_type": "notice", "body_text": "内容"},
        )
    ).status_code == 201
    vocab = (await world.client.get("/api/v1/catalog/vocabulary")).json()
    assert {"code": "rural_revival", "label": "乡村振兴", "builtin": False} in vocab["categories"]


async def test_html_bodies_are_sanitized(world: World) -> None:
    doc = await world.draft(body_html='<p onclick="x()">正文<script>alert(1)</script><b>加粗</b></p>')
    assert (
        "<script>" not in doc["body_html"]
        and "onclick" not in doc["body_html"]
        and "<b>加粗</b>" in doc["body_html"]
    )


async def test_synonyms_set_by_an_admin_take_effect_at_once(world: World) -> None:
    doc = await world.publish()
    admin = world.tokens.header("admin")
    saved = await world.client.put(
        "/api/v1/catalog/search/synonyms", headers=admin, json={"groups": [["低保", "最低生活保障"]]}
    )
    assert saved.status_code == 200
    for _ in range(20):
        hits = (await world.client.get("/api/v1/catalog/search", params={"q": "低保"})).json()["hits"]
        if hits:
            break
        await asyncio.sleep(0.1)
    assert doc["id"] in [h["id"] for h in hits]


async def test_an_admin_imports_documents_published_by_the_old_system(world: World) -> None:
    admin = world.tokens.header("admin")
    item = {
        "title": "西岭县2024年城乡最低生活保障资金使用情况",
        "category": "civil_affairs",
        "doc_type": "report",
        "body_text": "二〇二四年全县共发放保障资金一千二百万元。",
        "agency_id": world.ids["west"],
        "published_on": "2024-03-15",
        "written_on": "2024-03-10",
    }
    response = await world.client.post(
        "/api/v1/catalog/documents/import",
        headers=admin,
        json={"documents": [item, {**item, "index_no": "LEGACY/2024-00077"}]},
    )
    assert response.status_code == 201, response.text
    first, second = response.json()["ids"]
    one = (await world.client.get(f"/api/v1/catalog/documents/{first}")).json()
    assert one["index_no"] == "990122/2024-00001" and one["published_at"].startswith("2024-03-15")
    assert (await world.client.get(f"/api/v1/catalog/documents/{second}")).json()[
        "index_no"
    ] == "LEGACY/2024-00077"
    clash = await world.client.post(
        "/api/v1/catalog/documents/import",
        headers=admin,
        json={"documents": [{**item, "index_no": "LEGACY/2024-00077"}]},
    )
    assert clash.status_code == 409
    future = await world.client.post(
        "/api/v1/catalog/documents/import",
        headers=admin,
        json={"documents": [{**item, "published_on": "2099-01-01"}]},
    )
    assert (
        future.status_code == 422 and future.json()["errors"][0]["field"] == "body.documents.0.published_on"
    )
    assert (
        await world.client.post(
            "/api/v1/catalog/documents/import", headers=world.clerk("101"), json={"documents": [item]}
        )
    ).status_code == 403
    history = (
        await world.client.get(f"/api/v1/catalog/documents/{first}/history", headers=world.inspector())
    ).json()
    assert [e["action"] for e in history] == ["imported"]


@pytest.mark.parametrize("value", ["0", "20261102", "1700000000", "2026-11-02T08:00:00"])
async def test_a_date_is_written_as_a_date_never_read_from_a_number(world: World, value: str) -> None:
    # pydantic alone reads 0 as 1970-01-01 (a Unix time): a search "to 0" listed nothing, silently.
    search = await world.client.get("/api/v1/catalog/search", params={"q": "低保", "to": value})
    assert search.status_code == 422, search.text
    assert [(e["field"], e["message"]) for e in search.json()["errors"]] == [
        ("query.to", "应为 YYYY-MM-DD 格式的日期")
    ]
    body = {"title": "东湖县通知", "category": "civil_affairs", "doc_type": "notice", "body_text": "正文"}
    number = int(value) if value.isdigit() else value
    draft = await world.client.post(
        "/api/v1/catalog/documents", json={**body, "written_on": number}, headers=world.clerk("101")
    )
    assert draft.status_code == 422 and draft.json()["errors"][0]["field"] == "body.written_on"


@pytest.mark.parametrize("value", [1, "true", "yes"])
async def test_a_yes_or_no_is_true_or_false_never_a_number_or_a_word(world: World, value: object) -> None:
    doc = await world.draft()
    await world.act(doc["id"], "submit", "101")
    refused = await world.act(doc["id"], "approve", "102", {"confidentiality_checked": value})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["body.confidentiality_checked"]
    assert (await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")).status_code == 404


async def test_a_wrong_method_on_a_literal_path_is_405_not_an_invalid_id(world: World) -> None:
    # GET /documents/import would otherwise read "import" as a document id (422).
    response = await world.client.get("/api/v1/catalog/documents/import", headers=world.clerk("101"))
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST" and response.json()["code"] == "method_not_allowed"
    # A real id that is not a number is still a 422 naming it.
    invalid = await world.client.get("/api/v1/catalog/documents/abc")
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "path.document_id"


async def test_another_agency_s_draft_is_as_missing_as_a_missing_one(world: World) -> None:
    draft = await world.draft()
    for path in ("versions", "history"):
        other = await world.client.get(
            f"/api/v1/catalog/documents/{draft['id']}/{path}", headers=world.clerk("201", agency="west")
        )
        missing = await world.client.get(
            f"/api/v1/catalog/documents/999999/{path}", headers=world.clerk("201", agency="west")
        )
        assert (other.status_code, other.json()["code"]) == (missing.status_code, missing.json()["code"])
        assert other.status_code == 404
        own = await world.client.get(
            f"/api/v1/catalog/documents/{draft['id']}/{path}", headers=world.clerk("102")
        )
        assert own.status_code == 200
