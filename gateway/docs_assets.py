"""Swagger UI (`/docs`) and ReDoc (`/redoc`) served by the gateway itself.

FastAPI's pages load both from a CDN, so on a government intranet without internet `/docs` was a
blank page. The files are vendored under `gateway/static/vendor/<package>-<version>/` from the npm
registry's tarballs at the versions pinned below, each with its licence, and served with a long
cache (the version is in the URL). To move to a new version, change it here and run
`python -m gateway.docs_assets`: it downloads the tarballs, checks each against the registry's
sha512 integrity, and rewrites the vendored files (applying the patches listed with a package: a
bundle that would still fetch something from the internet at run time is pointed elsewhere).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from shared.errors import NotFound

VENDOR = Path(__file__).parent / "static" / "vendor"
REGISTRY = "https://registry.npmjs.org"
TITLE = "Gongkai API 文档"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: tuple[str, ...]  # paths inside the tarball's package/ folder
    patches: tuple[tuple[str, str], ...] = ()  # (text, replacement) in the vendored files

    @property
    def folder(self) -> Path:
        return VENDOR / f"{self.name}-{self.version}"

    def url(self, file: str) -> str:
        return f"/docs/assets/{self.name}-{self.version}/{Path(file).name}"


SWAGGER_UI = Package(
    "swagger-ui-dist",
    "5.35.0",
    ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE"),
)
# ReDoc 2: its standalone bundle renders a `<redoc spec-url>` element, as FastAPI's page expects.
# ReDoc's sidebar shows the Redocly logo from their CDN (the one URL it fetches): an empty image
# instead, so an offline page sends nothing off the machine.
EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
REDOC = Package(
    "redoc",
    "2.5.4",
    ("bundles/redoc.standalone.js", "LICENSE"),
    patches=(("https://cdn.redoc.ly/redoc/logo-mini.svg", EMPTY_SVG),),
)
PACKAGES = (SWAGGER_UI, REDOC)
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=TITLE,
        swagger_js_url=SWAGGER_UI.url("swagger-ui-bundle.js"),
        swagger_css_url=SWAGGER_UI.url("swagger-ui.css"),
        swagger_favicon_url=SWAGGER_UI.url("favicon-32x32.png"),
        oauth2_redirect_url="/docs/oauth2-redirect",
        init_oauth={"clientId": "swagger", "usePkceWithAuthorizationCodeGrant": False},
        swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
    )


@router.get("/docs/oauth2-redirect")
async def oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title=TITLE,
        redoc_js_url=REDOC.url("bundles/redoc.standalone.js"),
        redoc_favicon_url=SWAGGER_UI.url("favicon-32x32.png"),
        with_google_fonts=False,
    )


_SERVED = {
    f"{package.name}-{package.version}/{Path(file).name}": package.folder / Path(file).name
    for package in PACKAGES
    for file in package.files
}


@router.get("/docs/assets/{folder}/{name}")
async def asset(folder: str, name: str) -> FileResponse:
    """Only the vendored files are served (no path is built from the request)."""
    path = _SERVED.get(f"{folder}/{name}")
    if path is None or not path.is_file():
        raise NotFound("没有这个文档资源文件", code="not_found")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(path.suffix, "text/plain; charset=utf-8"),
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
        return data


def refresh(package: Package) -> None:
    """Downloads the pinned tarball, checks its sha512 against the registry's, rewrites the folder."""
    meta = json.loads(_download(f"{REGISTRY}/{package.name}/{package.version}"))
    tarball = _download(meta["dist"]["tarball"])
    algorithm, _, expected = meta["dist"]["integrity"].partition("-")
    if algorithm != "sha512" or base64.b64decode(expected) != hashlib.sha512(tarball).digest():
        raise SystemExit(f"{package.name} {package.version}: the tarball does not match its integrity")
    shutil.rmtree(package.folder, ignore_errors=True)
    package.folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        for file in package.files:
            member = archive.extractfile(f"package/{file}")
            if member is None:
                raise SystemExit(f"{package.name} {package.version}: {file} is missing from the tarball")
            data = member.read()
            for text, replacement in package.patches:
                data = data.replace(text.encode(), replacement.encode())
            (package.folder / Path(file).name).write_bytes(data)
    print(f"{package.name} {package.version}: {len(package.files)} files in {package.folder}")


if __name__ == "__main__":
    for old in VENDOR.glob("*"):
        if old.is_dir() and old not in {p.folder for p in PACKAGES}:
            shutil.rmtree(old)
    for package in PACKAGES:
        refresh(package)
    sys.exit(0)
