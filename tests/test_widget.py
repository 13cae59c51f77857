"""The search widget `<gongkai-search>`: served small and cacheable, and driven in real headless
Chromium (Debian's package, never a downloaded build) from a page on another origin, against the
real cluster: highlights, escaping, facets, pages, the document view, keyboard, a 360 px phone
screen, CORS refusing an unregistered origin; searching as you type (debounced, the older request
aborted), completions, did-you-mean, the words a hit lacks, clicks reported; and questions worded
as the public asks them finding the documents that answer them.

Under CI=true a missing Chromium or Playwright fails; elsewhere the browser tests skip loudly.
"""

from __future__ import annotations

import asyncio
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
from urllib.parse import parse_qs, urlsplit

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

# Written as agencies write them; the public asks in other words (see the last test).
REPLY_ARTICLE = "东湖县人民政府办公室关于依申请公开政府信息办理程序的说明"
REPLY_GUIDE = "东湖县政府信息公开申请办事指南"
PENALTY = "东湖县生态环境局关于东湖县宏达化工有限公司超标排放大气污染物的行政处罚决定"
CITING = "东湖县农业农村局关于贯彻落实高标准农田建设实施意见的通知"
REALISTIC = [
    {
        "title": REPLY_ARTICLE,
        "category": "general",
        "doc_type": "normative",
        "doc_number": "东政办发〔2026〕21号",
        "body_text": "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。"
        "行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复；需要延长答复期限的，"
        "应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。",
    },
    {
        "title": REPLY_GUIDE,
        "category": "general",
        "doc_type": "service_guide",
        "doc_number": "东政办函〔2026〕8号",
        "body_text": "一、受理范围：公民、法人或者其他组织可以向本机关申请获取政府信息。"
        "二、提交方式：当面提交、邮寄或者通过政府网站在线提交申请表。"
        "三、办理时限：本机关自收到申请之日起二十个工作日内作出书面回复；"
        "情况复杂需要延长的，书面告知申请人，延长期限不超过二十个工作日。",
    },
    {
        "title": PENALTY,
        "category": "construction_environment",
        "doc_type": "announcement",
        "doc_number": "东环罚〔2026〕3号",
        "body_text": "经查，东湖县宏达化工有限公司二氧化硫排放浓度超过国家规定的排放标准，"
        "违反了《中华人民共和国大气污染防治法》第十八条的规定。依据该法第九十九条，"
        "本局决定责令其改正违法行为，并处罚款人民币十二万元。",
    },
    {
        "title": CITING,
        "category": "agriculture",
        "doc_type": "notice",
        "doc_number": "东农发〔2026〕5号",
        "body_text": "根据《东湖县人民政府关于印发〈东湖县高标准农田建设实施意见〉的通知》"
        "（东政发〔2026〕12号）要求，现就今年高标准农田建设任务分解、资金拨付和验收有关事项通知如下。",
    },
    # Distractors: near in words, not what was asked.
    {
        "title": "东湖县2025年政府信息公开工作年度报告",
        "category": "general",
        "doc_type": "report",
        "doc_number": "东政办发〔2026〕2号",
        "body_text": "本年度主动公开政府信息1200余条，办理政府信息公开申请86件，"
        "行政复议和行政诉讼各1件，未发现违规收费情况。",
    },
    {
        "title": "东湖县城市管理局关于占道经营行为的行政处罚公示",
        "category": "construction_environment",
        "doc_type": "announcement",
        "doc_number": "东城管罚〔2026〕14号",
        "body_text": "当事人在人民路占道经营，经责令改正拒不改正，本局依据《城市市容和环境卫生管理条例》"
        "处以罚款二百元。",
    },
    {
        "title": "东湖县人民政府关于印发东湖县城区供水价格调整方案的通知",
        "category": "economy",
        "doc_type": "notice",
        "doc_number": "东政发〔2025〕12号",
        "body_text": "经县人民政府同意，现将城区居民生活用水价格调整方案印发给你们，请认真贯彻执行。",
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
    assert len(response.content) < 31 * 1024, f"widget is {len(response.content)} bytes"
    assert response.content == SCRIPT_PATH.read_bytes()
    assert "customElements.define(TAG" in body and '"gongkai-search"' in body
    assert "attachShadow" in body and "document.currentScript" in body
    # No dependencies, and server strings never parsed as HTML.
    assert not re.search(r"\bimport\b|\brequire\(|https?://(?!<)", body.split("*/", 1)[1])
    assert "innerHTML" not in body and "insertAdjacentHTML" not in body and "eval(" not in body

    cached = await gateway.get("/widget/search.js", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert (await gateway.get("/widget/search.js", headers={"If-None-Match": '"other"'})).status_code == 200


async def test_the_gateway_tells_a_page_whether_its_origin_is_registered(gateway: httpx.AsyncClient) -> None:
    from tests.conftest import login

    admin = {"Authorization": f"Bearer {(await login(gateway, 'admin'))['access_token']}"}
    site = "https://www.donghu.example.gov.cn"
    created = await gateway.post(
        "/api/v1/admin/sites", headers=admin, json={"origin": site, "name": "东湖县门户"}
    )
    assert created.status_code == 201, created.text
    known = await gateway.get("/widget/site", headers={"Origin": site})
    assert known.status_code == 200 and known.json() == {"origin": site, "registered": True}
    assert known.headers["access-control-allow-origin"] == site
    for origin in ("https://evil.example.com", "null", None):
        refused = await gateway.get("/widget/site", headers={"Origin": origin} if origin else {})
        assert refused.status_code == 403, (origin, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "site_not_registered"
        assert refused.json()["detail"] == "本站点尚未登记，请联系网站管理员"
        # Readable by the refused page's script, and never kept: a registration takes effect at once.
        assert refused.headers["access-control-allow-origin"] == "*"
        assert refused.headers["cache-control"] == "private, no-store"


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
    ids: dict[str, int]


def _token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def publish_documents(base: str, east: int) -> dict[str, int]:
    """Publishes DOCUMENTS and REALISTIC at the east county; their ids by title."""
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
    ids: dict[str, int] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for doc in DOCUMENTS + REALISTIC:
            draft = client.post(
                "/api/v1/catalog/documents",
                headers=clerk,
                json={"doc_number": "东政办〔2026〕7号", "written_on": "2026-11-02", **doc},
            )
            assert draft.status_code == 201, draft.text
            doc_id = ids[doc["title"]] = draft.json()["id"]
            assert client.post(f"/api/v1/catalog/documents/{doc_id}/submit", headers=clerk).status_code == 200
            approved = client.post(
                f"/api/v1/catalog/documents/{doc_id}/approve",
                headers=reviewer,
                json={"confidentiality_checked": True},
            )
            assert approved.status_code == 200, approved.text
    return ids


def wait_until_indexed(base: str, ids: dict[str, int]) -> None:
    """Every published document found by its own title (the outbox relay indexes them shortly)."""
    deadline = time.monotonic() + 20
    waiting = dict(ids)
    while waiting and time.monotonic() < deadline:
        for title, doc_id in list(waiting.items()):
            hits = httpx.get(f"{base}/api/v1/catalog/search", params={"q": title, "page_size": 50}).json()[
                "hits"
            ]
            if any(hit["id"] == doc_id for hit in hits):
                del waiting[title]
        time.sleep(0.2)
    assert not waiting, f"not indexed within 20 s: {sorted(waiting)}"


def wait_for_search(base: str, east: int, total: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        found = httpx.get(
            f"{base}/api/v1/catalog/search", params={"q": QUERY, "agency_id": east, "page_size": 10}
        ).json()
        if found["total"] >= total or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def prepare(base: str) -> tuple[int, dict[str, Any], dict[str, int]]:
    """The east county's id, its documents published and found by the search, and their ids."""
    agencies = httpx.get(f"{base}/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
    east = next(a["id"] for a in agencies if a["code"] == "990121")
    ids = publish_documents(base, east)
    expected = wait_for_search(base, east, 3)
    assert expected["total"] == 3, expected
    wait_until_indexed(base, ids)
    return east, expected, ids


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
    east, expected, ids = prepare(base)
    registered = StaticSite(page_html(base, east))
    stranger = StaticSite(page_html(base, east))
    register_site(base, registered.origin)
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield World(base, east, registered, stranger, browser, expected, ids)
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
    await _status(page, "本站点尚未登记，请联系网站管理员")
    assert await widget.locator(".status").evaluate("el => el.classList.contains('error')")
    assert await widget.locator(".hit").count() == 0
    assert any("/api/v1/catalog/search" in url for url in refused), refused


@one_cluster
async def test_a_registered_page_whose_search_fails_says_the_service_is_unavailable(
    world: World, page: Any
) -> None:
    """The same failure in the script's eyes, a different cause: the page is registered, the network is down."""
    await page.route(re.compile(r".*/api/v1/catalog/search.*"), lambda route: route.abort())
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    await widget.locator("input[type=search]").fill(QUERY)
    await widget.locator("input[type=search]").press("Enter")
    await _status(page, re.compile(r"^检索服务暂不可用"))
    assert await widget.locator(".status").evaluate("el => el.classList.contains('error')")


async def _expect_text(locator: Any, pattern: re.Pattern[str] | str) -> None:
    from playwright.async_api import expect

    await expect(locator).to_have_text(pattern, timeout=10_000)


async def _expect_visible(locator: Any) -> None:
    from playwright.async_api import expect

    await expect(locator).to_be_visible(timeout=10_000)


# --- as you type, completions, did-you-mean, what a hit lacks, clicks -----------------------------


def _is_search(url: str) -> bool:
    return urlsplit(url).path.endswith("/api/v1/catalog/search")


def _q(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("q", [""])[0]


def _param(url: str, name: str) -> str | None:
    return parse_qs(urlsplit(url).query).get(name, [None])[0]


async def _until(check: Any) -> None:
    """Waits up to 10 s for what the page's request events record."""
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def _focused(locator: Any) -> bool:
    return bool(await locator.evaluate("el => el.getRootNode().activeElement === el"))


STALE = {
    "q": "萤火虫",
    "total": 1,
    "page": 1,
    "page_size": 10,
    "took_ms": 1,
    "hits": [
        {
            "id": 999999,
            "title": "过时的结果",
            "title_html": "过时的结果",
            "snippet_html": "",
            "agency_name": "",
            "published_at": "2026-11-02T00:00:00Z",
        }
    ],
    "facets": {},
}


@one_cluster
async def test_typing_searches_after_a_pause_and_a_newer_query_aborts_the_older_one(
    world: World, page: Any
) -> None:
    sent: list[str] = []
    failed: list[str] = []
    intents: list[str | None] = []
    page.on("request", lambda r: _is_search(r.url) and sent.append(_q(r.url)))
    page.on("request", lambda r: _is_search(r.url) and intents.append(_param(r.url, "intent")))
    page.on("requestfailed", lambda r: _is_search(r.url) and failed.append(_q(r.url)))

    async def first_one_slow(route: Any) -> None:
        if _q(route.request.url) != "萤火虫":
            await route.continue_()
            return
        await asyncio.sleep(1.5)  # by now a newer search has aborted this one
        try:
            await route.fulfill(status=200, json=STALE, headers={"Access-Control-Allow-Origin": "*"})
        except Exception:  # the browser has abandoned the request: what we want
            pass

    await page.route(_is_search, first_one_slow)
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    search = widget.locator("input[type=search]")
    await search.focus()

    # Three keystrokes, one search, after the pause.
    await page.keyboard.type("萤火虫")
    await _until(lambda: sent == ["萤火虫"])
    # More words while that answer is slow: the older request is aborted, only the newer one shows.
    await page.keyboard.type("栖息地")
    await _status(page, re.compile(r"^共 3 条"))
    await _until(lambda: failed == ["萤火虫"])
    assert sent == ["萤火虫", QUERY]
    await asyncio.sleep(1.7)  # the stale answer's time has come and gone
    assert await widget.locator(".hit").count() == 3
    assert "过时的结果" not in await widget.inner_text()
    assert await _status(page, re.compile(r"^共 3 条"))

    await page.unroute(_is_search, first_one_slow)
    # An empty box clears the results without asking the server.
    await search.fill("")
    await _expect_text(widget.locator(".status"), "")
    assert await widget.locator(".hit").count() == 0
    # Enter searches at once: the pending pause is cancelled, so one request, not two.
    await page.keyboard.type("萤火虫")
    await page.keyboard.press("Enter")
    await _status(page, re.compile(r"^共 3 条"))
    await asyncio.sleep(0.5)
    assert sent == ["萤火虫", QUERY, "萤火虫"]
    # searches fired by typing say so (the search log skips them); Enter's search is a submission
    assert intents == ["typing", "typing", None]


@one_cluster
async def test_one_tab_from_the_box_reaches_the_first_result_and_the_facets_follow_the_results(
    world: World, page: Any
) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    search = widget.locator("input[type=search]")
    await search.focus()
    await page.keyboard.type(QUERY)
    await _status(page, re.compile(r"^共 3 条"))

    await page.keyboard.press("Tab")
    titles = widget.locator(".hit .title")
    assert await _focused(titles.first), "one Tab from the box reaches the first result"
    await page.keyboard.press("Shift+Tab")
    assert await _focused(search)
    # Then the other results, then the facets (shown above the results, reached after them).
    for i in range(3):
        await page.keyboard.press("Tab")
        assert await _focused(titles.nth(i))
    await page.keyboard.press("Tab")
    assert await _focused(widget.locator("button.facet").first)
    facets_top = await widget.locator(".facets").evaluate("el => el.getBoundingClientRect().top")
    assert facets_top < await titles.first.evaluate("el => el.getBoundingClientRect().top")
    # The search button still works for a pointer.
    assert await widget.locator("button[type=submit]").get_attribute("tabindex") == "-1"


@one_cluster
async def test_opening_a_result_reports_the_click_without_holding_it_up(world: World, page: Any) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    await widget.evaluate("el => el.setAttribute('page-size', '2')")
    await widget.locator("input[type=search]").fill(QUERY)
    await widget.locator("input[type=search]").press("Enter")
    await _status(page, re.compile(r"^共 3 条"))

    def a_click(request: Any) -> bool:
        return request.method == "POST" and request.url.endswith("/api/v1/catalog/search/clicks")

    # By mouse: the first result of page 1.
    first = widget.locator(".hit .title").first
    first_id = int((await first.get_attribute("href")).rsplit("/", 1)[1])
    async with page.expect_request(a_click) as sent:
        await first.click()
    request = await sent.value
    assert request.post_data_json == {"q": QUERY, "document_id": first_id, "position": 1}
    assert request.headers["content-type"] == "application/json"
    # The document opened in the widget all the same.
    await _expect_text(widget.locator(".detail .text"), re.compile("萤火虫"))
    await widget.locator(".detail button.back").click()

    # By keyboard: the first result of page 2 is the 3rd over all pages.
    await widget.locator(".pager .next").click()
    await _expect_text(widget.locator(".pager .page"), "第 2 / 2 页")
    third = widget.locator(".hit .title").first
    third_id = int((await third.get_attribute("href")).rsplit("/", 1)[1])
    await third.focus()
    async with page.expect_request(a_click) as sent:
        await page.keyboard.press("Enter")
    assert (await sent.value).post_data_json == {"q": QUERY, "document_id": third_id, "position": 3}
    await _expect_text(widget.locator(".detail .text"), re.compile("萤火虫"))
    response = await (await sent.value).response()
    assert response is not None and response.status == 204  # recorded


@one_cluster
async def test_completions_are_a_combobox_picked_by_keyboard_or_pointer(world: World, page: Any) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    search = widget.locator("input[type=search]")
    listbox = widget.locator("[role=listbox]")
    options = listbox.locator("[role=option]")
    assert await search.get_attribute("role") == "combobox"
    assert await search.get_attribute("aria-controls") == await listbox.get_attribute("id")
    assert await search.get_attribute("aria-expanded") == "false"

    await search.focus()
    await page.keyboard.type("萤火")
    await _expect_visible(listbox)
    assert await search.get_attribute("aria-expanded") == "true"
    texts = await options.all_inner_texts()
    assert any("萤火虫" in text for text in texts), texts
    assert await options.evaluate_all("els => els.every(el => el.tabIndex < 0)"), "options are no tab stops"

    # Down, down, up: the first option is active; Enter picks it and searches for it.
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowUp")
    first = options.first
    assert await search.get_attribute("aria-activedescendant") == await first.get_attribute("id")
    assert await first.get_attribute("aria-selected") == "true"
    picked = (await first.locator("span").first.inner_text()).strip()
    async with page.expect_request(lambda r: _is_search(r.url) and _q(r.url) == picked):
        await page.keyboard.press("Enter")
    assert await search.input_value() == picked
    assert await listbox.is_hidden() and await search.get_attribute("aria-expanded") == "false"
    assert await search.get_attribute("aria-activedescendant") is None
    assert await _focused(search)
    await _status(page, STATUS)

    # Escape closes the list and keeps the text; a pointer picks too.
    await search.fill("")
    await page.keyboard.type("萤火")
    await _expect_visible(listbox)
    await page.keyboard.press("Escape")
    assert await listbox.is_hidden() and await search.input_value() == "萤火"
    await page.keyboard.press("ArrowDown")  # opens it again
    await _expect_visible(listbox)
    last = options.last
    text = (await last.locator("span").first.inner_text()).strip()
    async with page.expect_request(lambda r: _is_search(r.url) and _q(r.url) == text):
        await last.click()
    assert await search.input_value() == text and await listbox.is_hidden()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@one_cluster
async def test_a_query_without_results_offers_did_you_mean_and_one_click_searches_it(
    world: World, page: Any
) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    # Pinyin typed without the input method: nothing has it, the Chinese term is offered.
    await widget.locator("input[type=search]").fill("huanjingbaohu")
    await widget.locator("input[type=search]").press("Enter")
    await _status(page, re.compile(r"^共 0 条"))
    dym = widget.locator(".dym")
    await _expect_text(dym, re.compile(r"^您是不是要找："))
    term = dym.locator("button").first
    word = await term.inner_text()
    assert word == "环境保护"
    async with page.expect_request(lambda r: _is_search(r.url) and _q(r.url) == word):
        await term.click()
    assert await widget.locator("input[type=search]").input_value() == word
    text = await _status(page, STATUS)
    assert int(STATUS.match(text).group(1)) >= 1  # type: ignore[union-attr]
    assert await dym.is_hidden()


@one_cluster
async def test_a_partial_match_says_which_query_words_the_hit_lacks(world: World, page: Any) -> None:
    await page.goto(world.registered.origin + "/")
    widget = page.locator("gongkai-search")
    await widget.locator("input[type=search]").fill("萤火虫 交通管制")
    await widget.locator("input[type=search]").press("Enter")
    await _status(page, STATUS)
    await _expect_text(widget.locator(".note"), "部分结果未包含全部检索词")
    hits = widget.locator(".hit")
    full = hits.filter(has_text="交通管制的通告")
    assert await full.locator(".missing").is_hidden(), "the hit with every word lacks none"
    partial = hits.filter(has_text="生态监测年度报告")
    await _expect_text(partial.locator(".missing"), "未包含：交通管制")
    assert await partial.locator(".missing s").all_inner_texts() == ["交通管制"]
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# --- done when: questions in the public's words find the documents that answer them ---------------


async def _first_page(page: Any, query: str) -> list[str]:
    widget = page.locator("gongkai-search")
    search = widget.locator("input[type=search]")
    await search.fill("")
    await search.focus()
    async with page.expect_response(lambda r: _is_search(r.url) and _q(r.url) == query):
        await page.keyboard.type(query, delay=20)  # as you type: no Enter
    await _status(page, STATUS)
    return [title.strip() for title in await widget.locator(".hit .title").all_inner_texts()]


@one_cluster
async def test_questions_in_the_publics_words_find_the_documents_that_answer_them(
    world: World, page: Any
) -> None:
    await page.goto(world.registered.origin + "/")
    # 条例第三十三条: 20 working days to reply — stated in two documents, neither worded like the question.
    titles = await _first_page(page, "信息公开申请多久答复")
    assert {REPLY_ARTICLE, REPLY_GUIDE} <= set(titles), titles
    # 环保 is what people say for 生态环境; the notice is a 行政处罚决定.
    titles = await _first_page(page, "环保处罚结果")
    assert PENALTY in titles, titles
    # Square brackets typed for 〔〕: the document citing the number comes first, not the 2025 one.
    titles = await _first_page(page, "东政发[2026]12号")
    assert titles and titles[0] == CITING, titles
