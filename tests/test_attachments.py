"""Attachments: recognised by their bytes, stored on disk or in an S3-compatible bucket, served
as downloads that a browser never executes, and visible exactly like their document."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(
    world: World, doc_id: int, name: str, data: bytes, who: str = "101", agency: str = "east"
) -> httpx.Response:
    return await world.client.post(
        f"/api/v1/catalog/documents/{doc_id}/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=world.clerk(who, agency),
    )


async def test_an_attachment_is_checked_stored_and_served_as_a_download(world: World) -> None:
    doc = await world.draft()
    added = await upload(world, doc["id"], "东湖县低保标准.pdf", PDF)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    url = body["url"]
    assert (await world.client.get(url)).status_code == 404  # the document is still a draft
    staff = await world.client.get(url, headers=world.clerk("101"))
    assert staff.status_code == 200 and staff.content == PDF
    assert staff.headers["cache-control"] == "private, no-store"
    await world.act(doc["id"], "submit", "101")
    await world.act(doc["id"], "approve", "102", {"confidentiality_checked": True})
    public = await world.client.get(url)
    assert public.status_code == 200 and public.content == PDF
    assert public.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    assert public.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in public.headers["content-security-policy"]
    listed = (await world.client.get(f"/api/v1/catalog/documents/{doc['id']}")).json()["attachments"]
    assert [a["filename"] for a in listed] == ["东湖县低保标准.pdf"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("report.pdf", b"MZ\x90\x00\x03", "file_type_not_allowed"),  # a Windows program named .pdf
        ("report.exe", PDF, "file_type_not_allowed"),
        ("page.html", b"<html><script>alert(1)</script>", "file_type_not_allowed"),
        ("empty.pdf", b"", "empty_file"),
    ],
)
async def test_files_that_are_not_what_they_claim_are_refused(
    world: World, name: str, data: bytes, code: str
) -> None:
    doc = await world.draft()
    response = await upload(world, doc["id"], name, data)
    assert response.status_code == 422 and response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == "body.file"


async def test_only_the_agencys_clerks_attach_and_only_to_drafts(world: World) -> None:
    doc = await world.draft()
    # Another agency's draft is not public: it is as missing as a document that does not exist.
    foreign = await upload(world, doc["id"], "a.pdf", PDF, who="201", agency="west")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "document_not_found"), foreign.text
    published = await world.publish()
    late = await upload(world, published["id"], "a.pdf", PDF)
    assert late.status_code == 409


async def test_attachments_go_to_an_s3_compatible_bucket_when_configured(tmp_path, tokens, backend) -> None:  # type: ignore[no-untyped-def]
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    from services.catalog.app import create_app
    from services.catalog.settings import CatalogSettings
    from shared.devrun import free_port
    from tests.conftest import _serve, create_database

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        bucket = f"gk-{uuid.uuid4().hex[:12]}"
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="k",
            aws_secret_access_key="s",
            region_name="cn-north-1",
        )
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        settings = CatalogSettings(
            database_url=await create_database(backend, tmp_path, "catalog", schema="catalog"),
            environment="test",
            search_index_dir=tmp_path / "search",
            attachment_storage="s3",
            s3_endpoint_url=endpoint,
            s3_bucket=bucket,
            s3_access_key="k",
            s3_secret_key="s",
            s3_region="cn-north-1",
        )
        app = create_app(settings)
        app.state.verifier = tokens.verifier()
        async for client in _serve(app, "http://catalog"):
            ids = {}
            for key, code, level, parent in [
                ("p", "990000", "province", None),
                ("c", "990100", "city", "p"),
                ("east", "990121", "county", "c"),
            ]:
                made = await client.post(
                    "/api/v1/catalog/agencies",
                    headers=tokens.header("admin"),
                    json={"code": code, "name": key, "level": level, "parent_id": ids.get(parent)},
                )
                ids[key] = made.json()["id"]
            w = World(client, tokens, ids)
            doc = await w.draft()
            added = await upload(w, doc["id"], "a.pdf", PDF)
            assert added.status_code == 201, added.text
            stored = s3.list_objects_v2(Bucket=bucket)["Contents"]
            assert len(stored) == 1 and stored[0]["Key"].startswith("attachments/")
            fetched = await client.get(added.json()["url"], headers=w.clerk("101"))
            assert fetched.status_code == 200 and fetched.content == PDF
            assert (await client.get("/readyz")).json()["checks"]["attachments"] == "ok"
    finally:
        server.stop()
