"""The applicant answers a correction notice (补正, 条例第三十条) with text and files: files are
uploaded while the correction is awaited, sent with it in its transaction, and downloadable by
whoever may read the application.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from services.requests.models import CorrectionFile
from shared.errors import InvalidField
from tests.conftest import Tokens, _serve, create_database
from tests.test_requests_lifecycle import PATHS, WEST, Clock, World

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MAX_UPLOAD = 4096


@pytest.fixture
async def world(backend: str, tmp_path: Path, tokens: Tokens) -> AsyncIterator[World]:
    from services.requests.app import create_app
    from services.requests.settings import RequestsSettings

    async def lookup(agency_id: int, field: str = "agency_id") -> str:
        if agency_id not in PATHS:
            raise InvalidField(field, f"机关 {agency_id} 不存在", code="agency_not_found")
        return PATHS[agency_id]

    url = await create_database(backend, tmp_path, "requests", schema="requests")
    app = create_app(RequestsSettings(database_url=url, environment="test", max_upload_bytes=MAX_UPLOAD))
    clock = Clock()
    app.state.verifier = tokens.verifier()
    app.state.agency_lookup = lookup
    app.state.today = clock
    async for client in _serve(app, "http://requests"):
        yield World(client, tokens, clock)


async def awaiting_correction(world: World, who: str = "5001") -> int:
    app_id = (await world.apply(who))["id"]
    notice = {"items": [{"text": "请写明文件名称"}, {"text": "请提供身份证明复印件"}], "days": 10}
    response = await world.act(app_id, "correction-request", notice, world.clerk())
    assert response.status_code == 200, response.text
    return app_id


async def upload(
    world: World, app_id: int, name: str, data: bytes, headers: dict[str, str] | None = None
) -> Any:
    return await world.client.post(
        f"/api/v1/requests/{app_id}/correction/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers if headers is not None else world.citizen(),
    )


async def test_the_applicant_sends_text_and_files_and_the_clerk_downloads_them(world: World) -> None:
    app_id = await awaiting_correction(world)
    first = await upload(world, app_id, "身份证明.pdf", PDF)
    assert first.status_code == 201, first.text
    second = await upload(world, app_id, "scan.png", PNG)
    assert second.status_code == 201, second.text
    assert first.json()["content_type"] == "application/pdf" and first.json()["submitted_at"] is None
    assert first.json()["url"] == f"/api/v1/requests/{app_id}/correction/attachments/{first.json()['id']}"

    ids = [first.json()["id"], second.json()["id"]]
    sent = await world.act(app_id, "correction", {"text": "所需文件为2025年低保资金发放表"}, world.citizen())
    assert sent.status_code == 200, sent.text
    assert sent.json()["state"] == "in_progress"

    for reader in (world.citizen(), world.clerk(), world.inspector()):
        listed = await world.get(app_id, reader, "/correction/attachments")
        assert listed.status_code == 200, listed.text
        assert [f["id"] for f in listed.json()] == ids
        assert all(f["submitted_at"] is not None for f in listed.json())
    download = await world.get(app_id, world.clerk(), f"/correction/attachments/{ids[0]}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["cache-control"] == "private, no-store"

    timeline = (await world.get(app_id, world.clerk(), "/timeline")).json()
    assert [e["action"] for e in timeline].count("correction_file_added") == 2
    correction = next(e for e in timeline if e["action"] == "submit_correction")
    assert [a["attachment_id"] for a in correction["details"]["attachments"]] == ids
    assert correction["details"]["attachments"][0]["filename"] == "身份证明.pdf"

    # Once the correction is in, no more files (the clock restarted on what came).
    late = await upload(world, app_id, "more.pdf", PDF)
    assert late.status_code == 409 and late.json()["code"] == "invalid_transition"


async def test_only_readers_of_the_application_see_the_files_and_only_the_applicant_uploads(
    world: World,
) -> None:
    app_id = await awaiting_correction(world)
    file_id = (await upload(world, app_id, "a.pdf", PDF)).json()["id"]
    for outsider in (world.citizen("5002"), world.clerk(WEST, "201"), world.inspector(5)):
        assert (await world.get(app_id, outsider, "/correction/attachments")).status_code == 404
        assert (await world.get(app_id, outsider, f"/correction/attachments/{file_id}")).status_code == 404
    assert (await world.get(app_id, {}, f"/correction/attachments/{file_id}")).status_code == 401
    assert (
        await world.get(app_id, world.tokens.header("admin"), "/correction/attachments")
    ).status_code == 403
    assert (await upload(world, app_id, "a.pdf", PDF, world.clerk())).status_code == 403
    assert (await upload(world, app_id, "a.pdf", PDF, world.citizen("5002"))).status_code == 404
    other = await awaiting_correction(world, "5001")
    assert (await world.get(other, world.clerk(), f"/correction/attachments/{file_id}")).status_code == 404


async def test_files_are_checked_by_their_bytes_and_size(world: World) -> None:
    app_id = await awaiting_correction(world)
    fake = await upload(world, app_id, "report.pdf", b"MZ\x90\x00 not a pdf")
    assert fake.status_code == 422 and fake.json()["errors"][0]["field"] == "body.file"
    assert fake.json()["code"] == "file_type_not_allowed"
    renamed = await upload(world, app_id, "report.docx", PDF)
    assert renamed.status_code == 422 and renamed.json()["code"] == "file_type_not_allowed"
    big = await upload(world, app_id, "big.pdf", PDF + b"0" * MAX_UPLOAD)
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    empty = await upload(world, app_id, "empty.pdf", b"")
    assert empty.status_code == 422 and empty.json()["code"] == "empty_file"
    assert (await world.get(app_id, world.clerk(), "/correction/attachments")).json() == []


async def test_a_correction_takes_only_its_own_application_s_files_and_text_alone_is_one(
    world: World,
) -> None:
    app_id, other = await awaiting_correction(world), await awaiting_correction(world)
    mine = (await upload(world, app_id, "a.pdf", PDF)).json()["id"]
    theirs = (await upload(world, other, "b.pdf", PDF)).json()["id"]
    sent = await world.act(app_id, "correction", {"text": "补正内容"}, world.citizen())
    assert sent.status_code == 200, sent.text
    async with world.client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        rows = {row.id: row.submitted_at for row in (await session.exec(select(CorrectionFile))).all()}
    assert rows[mine] is not None and rows[theirs] is None
    # The other application's correction: text alone is a correction too; its file goes with it.
    alone = await awaiting_correction(world)
    ok = await world.act(alone, "correction", {"text": "所需文件为2025年低保资金发放表"}, world.citizen())
    assert ok.status_code == 200, ok.text
    timeline = (await world.get(alone, world.clerk(), "/timeline")).json()
    assert "attachments" not in timeline[-1]["details"]
    assert (await world.act(other, "correction", {"text": "补正"}, world.citizen())).status_code == 200
    listed = (await world.get(other, world.clerk(), "/correction/attachments")).json()
    assert [(f["id"], f["submitted_at"] is not None) for f in listed] == [(theirs, True)]


async def test_no_files_before_a_correction_is_asked_for_and_at_most_ten(world: World) -> None:
    app_id = (await world.apply())["id"]
    early = await upload(world, app_id, "a.pdf", PDF)
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    app_id = await awaiting_correction(world)
    for i in range(10):
        assert (await upload(world, app_id, f"{i}.pdf", PDF)).status_code == 201
    eleventh = await upload(world, app_id, "10.pdf", PDF)
    assert eleventh.status_code == 422 and eleventh.json()["code"] == "too_many_files"
