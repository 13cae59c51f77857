"""Swagger UI and ReDoc on a machine with no internet: a real Chromium whose every request off this
machine is cut, against the running system.

An administrator on a government intranet opens /docs, logs in with Authorize (the password flow),
and calls the API; /redoc renders the same contract. Any request the pages try to send elsewhere
(a CDN, a web font) is recorded and fails the test."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.docs_assets import PACKAGES
from shared.devrun import Cluster
from tests.conftest import BACKENDS
from tests.test_widget import LAUNCH_ARGS, _unavailable, chromium_path

pytestmark = pytest.mark.e2e
one_cluster = pytest.mark.parametrize("cluster", [BACKENDS[-1]], indirect=True)


def test_every_vendored_file_is_served_with_its_licence_and_a_long_cache(cluster: Cluster) -> None:
    base = cluster.url()
    for package in PACKAGES:
        assert any(name.startswith("LICENSE") for name in package.files), package.name
        for file in package.files:
            response = httpx.get(base + package.url(file))
            assert response.status_code == 200 and len(response.content) > 40, (package.name, file)
            assert "immutable" in response.headers["cache-control"]
    assert httpx.get(f"{base}/docs/assets/redoc-2.5.4/..%2F..%2Fapp.py").status_code == 404
    for page in ("/docs", "/redoc"):
        html = httpx.get(base + page).text
        assert not re.search(r"(src|href)=\"https?://", html), f"{page} loads from another host"


@pytest.fixture
async def offline_page(cluster: Cluster) -> AsyncIterator[tuple[Any, list[str]]]:
    """A browser page that reaches only this machine; `escaped` lists every other URL it tried."""
    path = chromium_path()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    escaped: list[str] = []

    async def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            escaped.append(route.request.url)
            await route.abort("internetdisconnected")

    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        await context.route("**/*", only_local)
        try:
            yield await context.new_page(), escaped
        finally:
            await browser.close()
    finally:
        await playwright.stop()


@one_cluster
async def test_swagger_ui_logs_in_and_calls_the_api_with_the_network_cut(
    cluster: Cluster, offline_page: tuple[Any, list[str]]
) -> None:
    from playwright.async_api import expect

    page, escaped = offline_page
    await page.goto(cluster.url() + "/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Gongkai", timeout=20_000)

    await page.locator(".auth-wrapper button.authorize").click()
    await page.locator("#oauth_username").fill("clerk1")
    await page.locator("#oauth_password").fill("gongkai-demo")
    await page.locator(".auth-btn-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    await expect(dialog.get_by_text("Authorized", exact=True)).to_be_visible(timeout=10_000)
    await expect(dialog.locator("button", has_text="Logout")).to_be_visible()
    await page.locator(".auth-btn-wrapper button.btn-done").click()

    me = page.locator(
        ".opblock-get", has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/auth/me$"))
    )
    await me.locator(".opblock-summary").click()
    await me.locator("button.try-out__btn").click()
    await me.locator("button.execute").click()
    status = me.locator(".live-responses-table tr.response .response-col_status").first
    await expect(status).to_have_text("200", timeout=10_000)
    await expect(me.locator(".live-responses-table .microlight").first).to_contain_text(
        '"username": "clerk1"'
    )
    assert escaped == []


@one_cluster
async def test_redoc_renders_the_contract_with_the_network_cut(
    cluster: Cluster, offline_page: tuple[Any, list[str]]
) -> None:
    from playwright.async_api import expect

    page, escaped = offline_page
    await page.goto(cluster.url() + "/redoc")
    await expect(page.locator("h1").first).to_contain_text("Gongkai", timeout=20_000)
    # The operations of every service are there, not only the gateway's own.
    for path in (
        "/api/v1/auth/token",
        "/api/v1/catalog/search",
        "/api/v1/requests",
        "/api/v1/feedback/messages",
    ):
        await expect(page.get_by_text(path, exact=True).first).to_be_attached(timeout=10_000)
    assert escaped == []
