"""The search widget `<gongkai-search>`: served small and cacheable, and driven in real headless
Chromium (Debian's package, never a downloaded build) from a page on another origin, against the
real cluster: highlights, escaping, facets, pages, the document view, keyboard, a 360 px phone
screen, and CORS refusing an unregistered origin.

Under CI=true a missing Chromium or Playwright fails; elsewhere the browser tests skip loudly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from gateway.widget import SCRIPT_PATH
from shared.devrun import Cluster
from tests.conftest import BACKENDS, CI

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
QUERY = "萤火虫栖息地"
INJECTION = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SCRIPT_TITLE = f"东湖县关于{INJECTION}萤火虫观赏季交通管制的通告"
LONG_TOKEN = "firefly-habitat-protection-office-of-donghu-county-government@example.gov.cn"
DOCUMENTS = [
    {
        "title": "东湖县萤火虫栖息地保护实施方案",
        "category": "construction_environment",
        "doc_type": "plan",
        "body_text": "为保护萤火虫栖息地，县政府决定在湿地公园划定夜间保护区，禁止强光照明和农药喷洒。"
        f"意见请发送至{LONG_TOKEN}。",
    },
    {
        "title": SCRIPT_TITLE,
        "category": "commerce_tourism",
        "doc_type": "announcement",
        "body_text": "萤火虫观赏季期间，通往萤火虫栖息地的湿地公园道路每晚七时至十时实行交通管制。",
    },
    {
        "title": "东湖县萤火虫生态监测年度报告",
        "category": "construction_environment",
        "doc_type": "report",
        "body_text": "本年度在三处萤火虫栖息地开展生态监测，萤火虫种群数量较上年增长百分之十二。",
    },
    {
        "title": "东湖县秋季义务植树活动安排",
        "category": "agriculture",
        "doc_type": "notice",
        "body_text": "各乡镇于十一月组织义务植树活动，请各单位按时参加。",
    },
]


# --- served by the gateway ----------------------------------------------------------------------


async def test_the_script_is_served_small_cacheable_and_self_contained(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/widget/search.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    body = response.text
    assert len(response.content) < 30 * 1024, f"widget is {len(response.content)} bytes"
    assert response.content == SCRIPT_PATH.read_bytes()
    assert "customElements.define(TAG" in body and '"gongkai-search"' in body
    assert "attachShadow" in body and "document.currentScript" in body
    # No dependencies, and server strings never parsed as HTML.
    assert not re.search(r"\bimport\b|\brequire\(|https?://(?!<)", body.split("*/", 1)[1])
    assert "innerHTML" not in body and "insertAdjacentHTML" not in body and "eval(" not in body

    cached = await gateway.get("/widget/search.js", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert (await gateway.get("/widget/search.js", headers={"If-None-Match": '"other"'})).status_code == 200


# --- Chromium -----------------------------------------------------------------------------------


def _unavailable(reason: str) -> None:
    if CI:
        pytest.fail(f"CI=true: {reason} — the widget's browser test must run in CI", pytrace=False)
    pytest.skip(f"!!! WIDGET BROWSER TEST NOT RUN: {reason} (run `make test` as root to install chromium)")


def chromium_path() -> str:
    """Debian's chromium; installed with apt when missing and we are root."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(command, env=env, check=False, capture_output=True, timeout=900)
        found = shutil.which("chromium")
    if found is None:
        _unavailable("chromium is not installed and could not be installed with apt-get")
    return found  # type: ignore[return-value]


class _Page(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.html)))
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class StaticSite:
    """A third-party page on its own origin (http://127.0.0.1:<its port>)."""

    html: str
    server: ThreadingHTTPServer = field(init=False)

    def __post_init__(self) -> None:
        handler = type("Page", (_Page,), {"html": self.html.encode()})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def page_html(gateway: str, agency_id: int) -> str:
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>东湖县人民政府门户</title><style>body{{margin:0;padding:8px;font-family:sans-serif}}</style></head>
<body>
<script src="{gateway}/widget/search.js"></script>
<gongkai-search placeholder="搜索" agency="{agency_id}"></gongkai-search>
</body></html>"""


@dataclass
class World:
    gateway: str
    east: int
    registered: StaticSite
    stranger: StaticSite
    browser: Any
    expected: dict[str, Any]


def _token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def publish_documents(base: str, east: int) -> None:
    admin = _token(base, "admin")
    if (
        httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "reviewer1", "password": "gongkai-demo"}
        ).status_code
        != 200
    ):
        created = httpx.post(
            f"{base}/api/v1/admin/users",
            headers=admin,
            json={
                "username": "reviewer1",
                "password": "gongkai-demo",
                "display_name": "孙丽",
                "role": "clerk",
                "agency_id": east,
            },
        )
        assert created.status_code == 201, created.text
    clerk, reviewer = _token(base, "clerk1"), _token(base, "reviewer1")
    with httpx.Client(base_url=base, timeout=30) as client:
        for doc in DOCUMENTS:
            draft = client.post(
                "/api/v1/catalog/documents",
                headers=clerk,
                json={**doc, "doc_number": "东政办〔2026〕7号", "written_on": "2026-11-02"},
            )
            assert draft.status_code == 201, draft.text
            doc_id = draft.json()["id"]
            assert client.post(f"/api/v1/catalog/documents/{doc_id}/submit", headers=clerk).status_code == 200
            approved = client.post(
                f"/api/v1/catalog/documents/{doc_id}/approve",
                headers=reviewer,
                json={"confidentiality_checked": True},
            )
            assert approved.status_code == 200, approved.text


def wait_for_search(base: str, east: int, total: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        found = httpx.get(
            f"{base}/api/v1/catalog/search", params={"q": QUERY, "agency_id": east, "page_size": 10}
        ).json()
        if found["total"] >= total or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def prepare(base: str) -> tuple[int, dict[str, Any]]:
    """The east county's id, its documents published and found by the search."""
    agencies = httpx.get(f"{base}/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
    east = next(a["id"] for a in agencies if a["code"] == "990121")
    publish_documents(base, east)
    expected = wait_for_search(base, east, 3)
    assert expected["total"] == 3, expected
    return east, expected


def register_site(base: str, origin: str) -> None:
    created = httpx.post(
        f"{base}/api/v1/admin/sites",
        headers=_token(base, "admin"),
        json={"origin": origin, "name": "东湖县人民政府门户（测试）", "rate_limit": "600/minute"},
    )
    assert created.status_code == 201, created.text


@pytest.fixture(scope="module")
async def world(cluster: Cluster) -> AsyncIterator[World]:
    path = chromium_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    base = cluster.url()
    east, expected = prepare(base)
    registered = StaticSite(page_html(base, east))
    stranger = StaticSite(page_html(base, east))
    register_site(base, registered.origin)
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield World(base, east, registered, stranger, browser, expected)
        finally:
            await browser.close()
    finally:
        await playwright.stop()
        registered.close()
        stranger.close()


@pytest.fixture
def dialogs() -> list[str]:
    return []


@pytest.fixture
async def page(world: World, dialogs: list[str]) -> AsyncIterator[Any]:
    """A fresh phone-sized page; any alert() is recorded in `dialogs` (and must never happen)."""
    context = await world.browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()

    async def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        await context.close()


# The browser tests run against one cluster (the last backend: PostgreSQL when reachable).
one_cluster = pytest.mark.parametrize("cluster", [BACKENDS[-1]], indirect=True)
STATUS = re.compile(r"^共 (\d+) 条，用时 \d+ 毫秒$")


async def _status(page: Any, pattern: re.Pattern[str] | str) -> str:
    from playwright.async_api import expect

    status = page.locator("gongkai-search .status")
    await expect(status).to_have_text(pattern, timeout=10_000)
    return await status.inner_text()


@one_cluster
async def test_a_phone_user_searches_by_keyboard_and_sees_highlighted_escaped_results(
    world: World, page: Any, dialogs: list[str]
) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    search = widget.locator("input[type=search]")
    assert await search.get_attribute("placeholder") == "搜索"
    assert await search.get_attribute("aria-label")

    await page.keyboard.press("Tab")
    assert await search.evaluate("el => el.getRootNode().activeElement === el"), "Tab must reach the input"
    await page.keyboard.type(QUERY)
    await page.keyboard.press("Enter")
    text = await _status(page, STATUS)
    assert int(STATUS.match(text).group(1)) == world.expected["total"] == 3  # type: ignore[union-attr]
    assert await widget.locator(".status").get_attribute("aria-live") == "polite"

    titles = widget.locator(".hit .title")
    assert await titles.count() == 3
    assert sorted(await titles.all_inner_texts()) == sorted(h["title"] for h in world.expected["hits"])
    marks = await widget.locator(".hit mark").all_inner_texts()
    assert marks and all(m in QUERY for m in marks), marks
    assert await widget.locator(".hit .snippet mark").count() >= 1

    # The title with <script> and <img onerror> is text: shown literally, never run, never an element.
    escaped = titles.filter(has_text="<script>alert(1)</script>")
    assert await escaped.count() == 1
    assert await escaped.text_content() == SCRIPT_TITLE
    assert await widget.evaluate("el => el.shadowRoot.querySelectorAll('script, img, iframe').length") == 0

    shown = set(re.findall(r"[A-Za-z]+", await widget.locator(".results").inner_text()))
    assert not {"null", "undefined", "NaN"} & shown, shown
    hit = widget.locator(".hit").first
    assert await hit.locator(".agency").inner_text() == "东湖县人民政府"
    assert "东政办〔2026〕7号" in await hit.locator(".meta").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", await hit.locator("time").inner_text())

    # A 360 px screen: nothing sticks out, however long the words.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert await widget.evaluate("el => el.getBoundingClientRect().right") <= PHONE["width"]
    assert dialogs == []


@one_cluster
async def test_facets_filter_pages_turn_and_a_document_opens_in_the_widget(
    world: World, page: Any, dialogs: list[str]
) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    await widget.evaluate("el => el.setAttribute('page-size', '2')")
    await widget.locator("input[type=search]").fill(QUERY)
    await widget.locator("button[type=submit]").click()
    await _status(page, re.compile(r"^共 3 条"))

    # Pages: two of them at two per page.
    pager = widget.locator(".pager")
    await _expect_text(pager.locator(".page"), "第 1 / 2 页")
    assert await pager.locator(".prev").is_disabled()
    await pager.locator(".next").click()
    await _expect_text(pager.locator(".page"), "第 2 / 2 页")
    assert await widget.locator(".hit").count() == 1
    assert await pager.locator(".next").is_disabled()

    # Facets from the answer, with counts; one click filters, the next one lifts the filter.
    tourism = widget.locator("button.facet[data-facet=category][data-value=commerce_tourism]")
    assert await tourism.inner_text() == "商贸、海关、旅游(1)"
    assert (
        await widget.locator(
            "button.facet[data-facet=category][data-value=construction_environment]"
        ).inner_text()
        == "城乡建设、环境保护(2)"
    )
    assert await widget.locator("button.facet[data-facet=year]").count() >= 1
    assert await widget.locator("button.facet[data-facet=doc_type]").count() == 3
    await tourism.click()
    await _status(page, re.compile(r"^共 1 条"))
    assert await widget.locator(".hit").count() == 1
    assert "<script>" in await widget.locator(".hit .title").inner_text()
    assert await tourism.get_attribute("aria-pressed") == "true"
    assert await tourism.evaluate("el => el.getRootNode().activeElement === el"), "focus stays on the facet"
    assert await pager.is_hidden()
    await page.keyboard.press("Enter")  # the facet is a real button: Enter toggles it off again
    await _status(page, re.compile(r"^共 3 条"))
    assert await tourism.get_attribute("aria-pressed") == "false"

    # The document opens inside the widget; "back" returns to the list and to the link.
    first = widget.locator(".hit .title").first
    await first.focus()
    await page.keyboard.press("Enter")
    detail = widget.locator(".detail")
    await _expect_text(detail.locator(".text"), re.compile("萤火虫"))
    assert "东政办〔2026〕7号" in await detail.locator("dl").inner_text()
    assert not {"null", "undefined", "NaN"} & set(re.findall(r"[A-Za-z]+", await detail.inner_text()))
    assert await widget.locator(".results").is_hidden()
    await detail.locator("button.back").click()
    assert await widget.locator(".results").is_visible()
    assert await first.evaluate("el => el.getRootNode().activeElement === el")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert dialogs == []


@one_cluster
async def test_an_unregistered_origin_is_refused_by_cors_and_the_widget_says_so(
    world: World, page: Any
) -> None:
    refused: list[str] = []
    page.on("requestfailed", lambda request: refused.append(request.url))
    await page.goto(world.stranger.origin + "/")
    widget = page.locator("gongkai-search")
    await widget.locator("input[type=search]").fill(QUERY)
    await widget.locator("input[type=search]").press("Enter")
    await _status(page, re.compile(r"^检索服务暂不可用"))
    assert await widget.locator(".status").evaluate("el => el.classList.contains('error')")
    assert await widget.locator(".hit").count() == 0
    assert any("/api/v1/catalog/search" in url for url in refused), refused


async def _expect_text(locator: Any, pattern: re.Pattern[str] | str) -> None:
    from playwright.async_api import expect

    await expect(locator).to_have_text(pattern, timeout=10_000)
