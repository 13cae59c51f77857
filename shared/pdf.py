"""Printable HTML → PDF for every notice the services issue (告知书、回执、意见书).

WeasyPrint lays the page out with Pango and embeds a subset of each font it used, so the PDF
shows and prints the same everywhere and its text can be copied and searched. Chinese text is set
in Noto Serif/Sans CJK SC from the OS package (Debian `fonts-noto-cjk`), found through
fontconfig: PDF viewers are not required to carry CJK fonts, so a notice that relied on them
(as reportlab's built-in CJK fonts do) would print as blanks on many machines. Debian's
`libharfbuzz-subset0` makes the subsetting of these 20 MB font collections take a fraction of a
second instead of many seconds.

Rendering is CPU-bound and synchronous: services call `render_pdf_async`, which runs it in a
worker thread, a few at a time, so the event loop keeps answering other requests.

`python -m shared.pdf --check` exits non-zero when the fonts are missing (used by `make`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

import anyio
from starlette.responses import Response

from shared.errors import ServiceUnavailable

log = logging.getLogger("gongkai.pdf")
# WeasyPrint logs every layout step at INFO; a service's log keeps its warnings (e.g. a missing glyph).
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
REQUIRED_FAMILIES = (SERIF, SANS)
PDF_MEDIA_TYPE = "application/pdf"

# Renders at once per process: each takes a core for a fraction of a second.
MAX_CONCURRENT_RENDERS = 2

# Applied under the document's own styles: A4 with the margins of an official letter (公文
# 版心 is about 156 × 225 mm), the CJK faces first so that Latin digits in dates and numbers
# use the same family as the text around them.
BASE_CSS = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center {{ content: counter(page) " / " counter(pages);
                         font-family: "{SANS}"; font-size: 9pt; color: #555; }} }}
html {{ font-family: "{SERIF}", "{SANS}", serif; font-size: 12pt; line-height: 1.6; color: #000; }}
h1, h2, h3, th {{ font-family: "{SANS}", "{SERIF}", sans-serif; }}
table {{ border-collapse: collapse; }}
"""


class PdfUnavailable(ServiceUnavailable):
    """The machine lacks what a correct PDF needs; the HTML notice is still served."""

    code = "pdf_unavailable"
    title = "PDF 暂不可用"


@dataclass(frozen=True)
class FontCheck:
    """What fontconfig resolves each required family to."""

    missing: tuple[str, ...]
    files: dict[str, str]
    fast_subsetting: bool
    # Set when WeasyPrint itself cannot load (Pango, i.e. libpango-1.0-0 / libpangoft2-1.0-0, missing).
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.missing


def _match(family: str) -> tuple[str, str]:
    """Fontconfig's best match for `family`: (matched family, font file) — the lookup Pango does."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        matched = fontconfig.FcFontMatch(config, pattern, result)
        if matched == ffi.NULL:
            return "", ""
        try:
            found: dict[bytes, str] = {}
            for key in (b"family", b"file"):
                value = ffi.new("FcChar8 **")
                if fontconfig.FcPatternGetString(matched, key, 0, value) == 0:  # FcResultMatch
                    found[key] = ffi.string(value[0]).decode()
            return found.get(b"family", ""), found.get(b"file", "")
        finally:
            fontconfig.FcPatternDestroy(matched)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


@cache
def check_fonts() -> FontCheck:
    """Whether the CJK families resolve to themselves (not to a fallback without Chinese glyphs)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except (ImportError, OSError) as exc:  # WeasyPrint loads Pango and fontconfig when imported
        log.warning("WeasyPrint cannot load: %s", exc)
        return FontCheck(REQUIRED_FAMILIES, {}, fast_subsetting=False, error=str(exc))

    missing: list[str] = []
    files: dict[str, str] = {}
    for family in REQUIRED_FAMILIES:
        matched, path = _match(family)
        if matched != family:
            missing.append(family)
        else:
            files[family] = path
    return FontCheck(tuple(missing), files, fast_subsetting=harfbuzz_subset is not None)


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """Notices are self-contained: nothing they contain may make the server fetch a URL."""
    raise ValueError(f"notice documents load no external resource: {url[:80]}")


def render_pdf(html: str, *, stylesheets: Iterable[str] = ()) -> bytes:
    """The PDF of a complete HTML document, fonts embedded; blocking (see `render_pdf_async`)."""
    from weasyprint import CSS, HTML

    fonts = check_fonts()
    if fonts.error is not None:
        raise PdfUnavailable("服务器缺少 PDF 排版库（Pango），无法生成 PDF；请使用可打印的 HTML 版本")
    if not fonts.ok:
        raise PdfUnavailable(
            f"服务器缺少中文字体（{'、'.join(fonts.missing)}），无法生成 PDF；请使用可打印的 HTML 版本"
        )
    sheets = [CSS(string=BASE_CSS), *(CSS(string=s) for s in stylesheets)]
    document = HTML(string=html, url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf(stylesheets=sheets)  # WeasyPrint ships no type information
    return pdf


_limiter: anyio.CapacityLimiter | None = None


async def render_pdf_async(html: str, *, stylesheets: Iterable[str] = ()) -> bytes:
    """`render_pdf` in a worker thread, at most `MAX_CONCURRENT_RENDERS` at once per process."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(MAX_CONCURRENT_RENDERS)
    sheets = tuple(stylesheets)
    return await anyio.to_thread.run_sync(lambda: render_pdf(html, stylesheets=sheets), limiter=_limiter)


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF to open in the browser (and save under `filename`); never cached: notices name people."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        pdf,
        media_type=PDF_MEDIA_TYPE,
        headers={
            "Content-Disposition": f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the CJK fonts are missing")
    args = parser.parse_args(argv)
    fonts = check_fonts()
    if fonts.error is not None:
        print(f"WeasyPrint cannot load (install libpango-1.0-0 libpangoft2-1.0-0): {fonts.error}")
    for family in REQUIRED_FAMILIES:
        print(f"{family}: {fonts.files.get(family, 'MISSING')}")
    print(f"HarfBuzz subsetting: {'yes' if fonts.fast_subsetting else 'no (slow fontTools fallback)'}")
    if args.check and not (fonts.ok and fonts.fast_subsetting):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
