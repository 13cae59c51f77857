"""Attachments: checked by their bytes (not their name), stored on local disk, served inertly."""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import os
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from fastapi import Response
from fastapi.responses import FileResponse
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Receive, Scope, Send

from services.catalog.models import Attachment, Document, DocumentStatus
from services.catalog.scope import ensure_clerk_of
from shared.auth import Principal
from shared.errors import Conflict
from shared.events import record_event
from shared.files import checked_upload


class LocalStorage:
    """Attachments as files under a directory (the embedded default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, data: bytes) -> str:
        key = uuid.uuid4().hex
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return key

    def path(self, key: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def response(self, key: str, media_type: str, headers: dict[str, str]) -> Response:
        return FileResponse(self.path(key), media_type=media_type, headers=headers)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)


class S3Storage:
    """Attachments in an S3-compatible bucket (MinIO, Ceph, a cloud's object storage)."""

    def __init__(
        self, *, endpoint_url: str, bucket: str, access_key: str, secret_key: str, region: str
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            region_name=region,
            config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 3}),
        )

    async def put(self, data: bytes) -> str:
        key = uuid.uuid4().hex
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=f"attachments/{key}", Body=data
        )
        return key

    async def get(self, key: str) -> bytes:
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise ValueError("bad storage key")
        answer = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=f"attachments/{key}")
        return await asyncio.to_thread(answer["Body"].read)

    async def ping(self) -> None:
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)

    def response(self, key: str, media_type: str, headers: dict[str, str]) -> Response:
        return _S3Response(self, key, media_type, headers)


class _S3Response(Response):
    """Fetches the object when sent, so the route stays the same for both storages."""

    def __init__(self, storage: S3Storage, key: str, media_type: str, headers: dict[str, str]) -> None:
        super().__init__(media_type=media_type, headers=headers)
        self._storage, self._key = storage, key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.body = await self._storage.get(self._key)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


Storage = LocalStorage | S3Storage


def make_storage(settings: Any) -> Storage:
    if settings.attachment_storage == "s3":
        return S3Storage(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            region=settings.s3_region,
        )
    return LocalStorage(settings.attachment_dir)


async def add_attachment(
    *,
    session: AsyncSession,
    storage: LocalStorage,
    document: Document,
    filename: str,
    data: bytes,
    max_bytes: int,
    actor: Principal,
) -> Attachment:
    ensure_clerk_of(actor, document.agency_id)
    if document.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise Conflict("只能在草稿或退回状态添加附件", code="invalid_transition")
    name, content_type = checked_upload(filename, data, max_bytes)
    attachment = Attachment(
        document_id=document.id or 0,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=await storage.put(data),
        created_by=actor.subject,
    )
    session.add(attachment)
    await session.flush()
    record_event(
        session,
        aggregate_type="document",
        aggregate_id=document.id,
        action="attachment_added",
        actor=actor,
        after={"attachment_id": attachment.id, "filename": name, "size": len(data)},
    )
    await session.commit()
    return attachment


# Text of Office Open XML attachments (Word, Excel, PowerPoint) and of PDFs with a text layer, for the
# personal-data check before publication. Scanned PDFs, OFD and images are not read: their text
# needs OCR.
_TEXT_PARTS = {
    ".docx": re.compile(r"word/(?:document|header\d*|footer\d*|footnotes)\.xml"),
    ".xlsx": re.compile(r"xl/(?:sharedStrings|worksheets/sheet\d+)\.xml"),
    ".pptx": re.compile(r"ppt/slides/slide\d+\.xml"),
}
READABLE_SUFFIXES = frozenset({*_TEXT_PARTS, ".pdf"})
MAX_PDF_PAGES = 500  # pages past this are not read (a 公示 list is far shorter)
MAX_TEXT_PART_BYTES = 20 * 1024 * 1024  # an unpacked part larger than this is not read (zip bombs)


def _xml_text(xml: str) -> str:
    """Paragraphs and table rows as lines, table cells split by tabs (as 公示 lists are read)."""
    xml = re.sub(r"</w:p>\s*</w:tc>", "</w:tc>", xml)
    xml = re.sub(r"</w:tc>|</a:tc>|</c>|<w:tab/>", "\t", xml)
    xml = re.sub(r"</w:p>|</w:tr>|</a:p>|</a:tr>|</row>|</si>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def _pdf_text(data: bytes) -> str | None:
    """The text layer of a PDF, laid out as on the page so a table's columns stay apart (as 公示
    lists are read); None for an unreadable or password-protected file."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages[:MAX_PDF_PAGES]]
    except (
        PyPdfError,
        DependencyError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ):
        # pypdf raises more than its own errors on malformed files; such a file is "not readable"
        return None
    # Layout mode puts blank lines between a table's rows: dropped, so the rows stay under their header.
    return "\n".join(line for text in pages for line in text.splitlines() if line.strip())


def extract_text(filename: str, data: bytes) -> str | None:
    """The text of a .docx, .xlsx, .pptx or text-layer .pdf attachment; None when it cannot be read."""
    suffix = os.path.splitext(filename)[1].lower()
    if suffix == ".pdf":
        return _pdf_text(data)
    pattern = _TEXT_PARTS.get(suffix)
    if pattern is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [
                _xml_text(archive.read(info).decode("utf-8", "replace"))
                for info in archive.infolist()
                if pattern.fullmatch(info.filename) and info.file_size <= MAX_TEXT_PART_BYTES
            ]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError):
        return None
    return "\n".join(parts)


async def attachment_texts(
    session: AsyncSession, storage: Storage, document_id: int
) -> dict[str, str | None]:
    """`attachments.<id>` → extracted text for each attachment of the document; None for one whose
    text cannot be read (a scan, OFD, an image), which the reviewer must check by eye."""
    rows = (
        await session.exec(
            select(Attachment).where(Attachment.document_id == document_id).order_by(col(Attachment.id))
        )
    ).all()
    out: dict[str, str | None] = {}
    for attachment in rows:
        text = None
        if os.path.splitext(attachment.filename)[1].lower() in READABLE_SUFFIXES:
            # Reading a PDF is CPU work: off the event loop, so other requests are answered meanwhile.
            data = await storage.get(attachment.storage_key)
            text = await asyncio.to_thread(extract_text, attachment.filename, data)
        out[f"attachments.{attachment.id}"] = text
    return out
