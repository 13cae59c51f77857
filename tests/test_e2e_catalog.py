"""The catalog's "done when", through real processes: a clerk drafts, a second clerk approves, and
within 2 s a citizen finds the document by a phrase from its body through the gateway; revoking
removes it; a restart loses and duplicates nothing; `gongkai reindex` rebuilds the index."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from shared.devrun import Cluster

pytestmark = pytest.mark.e2e


def token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": "gongkai-demo"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def publish(base: str, body_text: str, title: str) -> dict:
    clerk, reviewer = token(base, "clerk1"), token(base, "reviewer1")
    draft = httpx.post(
        f"{base}/api/v1/catalog/documents",
        headers=clerk,
        json={
            "title": title,
            "category": "construction_environment",
            "doc_type": "announcement",
            "body_text": body_text,
        },
    )
    assert draft.status_code == 201, draft.text
    doc_id = draft.json()["id"]
    assert httpx.post(f"{base}/api/v1/catalog/documents/{doc_id}/submit", headers=clerk).status_code == 200
    approved = httpx.post(
        f"{base}/api/v1/catalog/documents/{doc_id}/approve",
        headers=reviewer,
        json={"confidentiality_checked": True},
    )
    assert approved.status_code == 200, approved.text
    return approved.json()


def search_ids(base: str, q: str) -> list[int]:
    response = httpx.get(f"{base}/api/v1/catalog/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["hits"]]


def wait_for(predicate, seconds: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def test_a_published_document_is_found_within_two_seconds_and_leaves_search_when_revoked(
    cluster: Cluster,
) -> None:
    base = cluster.url()
    marker = uuid.uuid4().hex[:6]
    doc = publish(
        base, f"青山湖东岸将建设生态步道和观鸟平台{marker}，预计明年五月完工。", "青山湖生态步道建设公告"
    )
    elapsed = wait_for(lambda: doc["id"] in search_ids(base, "生态步道和观鸟平台"), 2.0)
    assert elapsed < 2.0
    hit = httpx.get(f"{base}/api/v1/catalog/search", params={"q": "观鸟平台"}).json()["hits"][0]
    assert hit["id"] == doc["id"] and "<mark>" in hit["snippet_html"]
    revoked = httpx.post(
        f"{base}/api/v1/catalog/documents/{doc['id']}/revoke",
        headers=token(base, "clerk1"),
        json={"reason": "项目方案调整"},
    )
    assert revoked.status_code == 200
    wait_for(lambda: doc["id"] not in search_ids(base, "生态步道和观鸟平台"), 2.0)


def test_a_restart_of_the_catalog_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    base = cluster.url()
    marker = f"核验码{uuid.uuid4().hex[:8]}"
    doc = publish(base, f"城关镇自来水管网改造期间临时停水通知，{marker}。", "城关镇临时停水通知")
    cluster.stop("catalog")
    cluster.start("catalog")
    cluster.wait_healthy("catalog")
    wait_for(lambda: search_ids(base, marker) == [doc["id"]], 5.0)
    assert httpx.get(f"{base}/api/v1/catalog/search", params={"q": marker}).json()["total"] == 1


def test_reindex_rebuilds_the_index_from_the_database(cluster: Cluster) -> None:
    base = cluster.url()
    marker = f"重建{uuid.uuid4().hex[:8]}"
    doc = publish(base, f"西岭县图书馆延长开放时间，{marker}。", "西岭县图书馆延长开放时间")
    wait_for(lambda: doc["id"] in search_ids(base, marker), 2.0)
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "reindex"],
        cwd=cluster.cwd,
        env={**os.environ, **cluster.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "reindexed" in result.stdout
    wait_for(lambda: search_ids(base, marker) == [doc["id"]], 5.0)
