"""Uploaded files: recognised by their bytes (not their name), named safely, checked once.

What government offices publish and what citizens send with a message: documents and pictures,
nothing executable. Every service that accepts files uses these checks.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any
from urllib.parse import quote

from fastapi import Response

from shared.errors import InvalidField

# signature -> content type
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),  # docx, xlsx, pptx, ofd are zip containers
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # doc, xls
]
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "application/zip": {".docx", ".xlsx", ".pptx", ".ofd", ".zip"},
    "application/x-ole-storage": {".doc", ".xls", ".ppt"},
}
SERVED_AS = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


def sniff(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def safe_filename(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/")).strip()
    name = re.sub(r"[\x00-\x1f\x7f/:*?\"<>|]", "_", name)[:150]
    return name or "attachment"


ALLOWED_LABEL = "PDF、OFD、Word、Excel、PowerPoint、PNG、JPEG 或 ZIP"


def checked_upload(filename: str, data: bytes, max_bytes: int, field: str = "file") -> tuple[str, str]:
    """(safe file name, content type to serve it as), or a 422 naming `field`."""
    if not data:
        raise InvalidField(field, "文件为空", code="empty_file")
    if len(data) > max_bytes:
        raise InvalidField(field, f"附件不能超过 {max_bytes // 1_048_576} MB", code="file_too_large")
    name = safe_filename(filename)
    detected = sniff(data)
    extension = os.path.splitext(name)[1].lower()
    if detected is None or extension not in EXTENSIONS[detected]:
        raise InvalidField(
            field, f"只接受 {ALLOWED_LABEL} 文件，且扩展名须与内容一致", code="file_type_not_allowed"
        )
    return name, SERVED_AS.get(extension, detected)


def stored_file(filename: str, data: bytes, max_bytes: int) -> dict[str, Any]:
    """The checked columns of a file kept in a service's own database (name, type, size, digest, bytes)."""
    name, content_type = checked_upload(filename, data, max_bytes)
    return {
        "filename": name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
    }


def private_download(data: bytes, content_type: str, filename: str, sha256: str) -> Response:
    """A file only some people may read: always a download, never run in the browser, never cached
    by anyone between."""
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{sha256}"',
        },
    )
