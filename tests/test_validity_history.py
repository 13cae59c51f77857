"""Validity history in the catalog: each validity (有效 / 失效 / 废止) with the day it takes effect,
so the annual report can count 现行有效 on 31 December and 本年废止 of a past year, and the
counts for 2025 do not move when a document is repealed in 2026."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import World, create_database

DOCS = "/api/v1/catalog/documents"


async def imported(world: World, title: str, doc_type: str, published_on: str, agency: str = "east") -> int:
    item = {
        "title": title,
        "category": "general",
        "doc_type": doc_type,
        "body_text": "本规定自发布之日起施行。",
        "agency_id": world.ids[agency],
        "published_on": published_on,
    }
    response = await world.client.post(
        f"{DOCS}/import", json={"documents": [item]}, headers=world.tokens.header("admin")
    )
    assert response.status_code == 201, response.text
    return response.json()["ids"][0]


async def count(client: httpx.AsyncClient, **params: Any) -> int:
    response = await client.get(DOCS, params={"page_size": 1, **params})
    assert response.status_code == 200, response.text
    return response.json()["total"]


async def change(world: World, doc_id: int, validity: str, effective_on: str | None) -> httpx.Response:
    body: dict[str, Any] = {"validity": validity, "reason": "新规定施行，本规定废止"}
    if effective_on is not None:
        body["effective_on"] = effective_on
    return await world.act(doc_id, "validity", "101", body)


async def test_counts_as_of_a_day_follow_the_effective_dates(world: World) -> None:
    east, city = world.ids["east"], world.ids["city"]
    old = await imported(world, "东湖县农村宅基地管理办法", "regulation", "2024-05-06")
    kept = await imported(world, "东湖县城市绿化管理办法", "regulation", "2025-03-03")
    late = await imported(world, "东湖县停车管理办法", "regulation", "2026-02-02")
    normative = await imported(world, "东湖县关于规范行政执法的意见", "normative", "2025-07-01")

    repealed = await change(world, old, "repealed", "2026-03-01")
    assert repealed.status_code == 200, repealed.text
    assert repealed.json()["validity"] == "repealed"
    history = await world.client.get(f"{DOCS}/{old}/history", headers=world.clerk("101"))
    event = history.json()[-1]
    assert event["action"] == "validity_changed" and event["after"]["effective_on"] == "2026-03-01"

    regulations = {"agency_id": city, "doc_type": "regulation"}  # the region: east is below the city
    assert await count(world.client, **regulations, in_force_on="2025-12-31") == 2  # old and kept
    assert await count(world.client, **regulations, in_force_on="2026-12-31") == 2  # kept and late
    assert await count(world.client, **regulations, in_force_on="2024-12-31") == 1
    assert await count(world.client, **regulations, in_force_on="2024-05-05") == 0  # before publication
    year_2026 = {"repealed_from": "2026-01-01", "repealed_to": "2026-12-31"}
    year_2025 = {"repealed_from": "2025-01-01", "repealed_to": "2025-12-31"}
    assert await count(world.client, **regulations, **year_2026) == 1
    assert await count(world.client, **regulations, **year_2025) == 0
    assert await count(world.client, agency_id=east, doc_type="normative", in_force_on="2025-12-31") == 1
    assert await count(world.client, agency_id=world.ids["west"], doc_type="regulation", **year_2026) == 0

    # Expired, then valid again, then repealed: in force only in the valid stretches; one repeal.
    assert (await change(world, normative, "expired", "2026-01-10")).status_code == 200
    assert await count(world.client, doc_type="normative", in_force_on="2026-01-10") == 0
    assert await count(world.client, doc_type="normative", in_force_on="2026-01-09") == 1
    assert (await change(world, normative, "valid", "2026-02-01")).status_code == 200
    assert (await change(world, normative, "repealed", None)).status_code == 200  # today
    assert await count(world.client, doc_type="normative", in_force_on="2026-02-01") == 1
    assert await count(world.client, doc_type="normative", **year_2026) == 1
    assert {kept, late}  # still valid


async def test_a_published_document_is_valid_from_its_publication_day(world: World) -> None:
    doc = await world.publish(doc_type="regulation")
    assert await count(world.client, doc_type="regulation", in_force_on="2099-12-31") == 1
    assert await count(world.client, doc_type="regulation", in_force_on="2020-12-31") == 0
    # A repeal cannot take effect before publication, nor in the future.
    early = await change(world, doc["id"], "repealed", "2020-01-01")
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "body.effective_on"
    future = await change(world, doc["id"], "repealed", "2099-01-01")
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "body.effective_on"
    assert (await change(world, doc["id"], "repealed", None)).status_code == 200
    assert await count(world.client, doc_type="regulation", repealed_from="2020-01-01") == 1
    assert await count(world.client, doc_type="regulation", repealed_to="2020-01-01") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"in_force_on": "2025-13-01"},
        {"in_force_on": "1900-01-01"},
        {"repealed_from": "2026-02-01", "repealed_to": "2026-01-01"},
    ],
)
async def test_bad_dates_are_422_naming_the_parameter(world: World, params: dict[str, str]) -> None:
    response = await world.client.get(DOCS, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in {f"query.{name}" for name in params}


async def test_the_migration_fills_history_from_publication_and_recorded_changes(
    backend: str, tmp_path: Path
) -> None:
    """Documents published before the history existed: valid (or what the first change started
    from) from the publication day in China, then each recorded `validity_changed` event."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlmodel import select
    from sqlmodel.ext.asyncio.session import AsyncSession

    from services.catalog.models import Agency, Document, ValidityEntry
    from shared.cli import migrations_dir
    from shared.db import migrate
    from shared.events import Event

    url = await create_database(backend, tmp_path, "catalog_backfill")
    await asyncio.to_thread(migrate, migrations_dir("catalog"), url, "0004")
    engine = create_async_engine(url)
    utc = ZoneInfo("UTC")
    async with AsyncSession(engine, expire_on_commit=False) as session:
        agency = Agency(code="990121", name="东湖县人民政府", level="county", path="/")
        session.add(agency)
        await session.flush()

        def document(title: str, validity: str, published_at: datetime | None) -> Document:
            return Document(
                agency_id=agency.id or 0,
                title=title,
                information_date=date(2024, 1, 1),
                category="general",
                doc_type="regulation",
                validity=validity,
                body_text="正文",
                status="published" if published_at else "draft",
                version=1 if published_at else 0,
                published_at=published_at,
                created_by="101",
            )

        # 2024-12-31 17:00 UTC is 1 January 2025 in China.
        changed = document("已废止的办法", "repealed", datetime(2024, 12, 31, 17, 0, tzinfo=utc))
        untouched = document("有效的办法", "valid", datetime(2025, 6, 1, 2, 0, tzinfo=utc))
        draft = document("草稿", "valid", None)
        session.add_all([changed, untouched, draft])
        await session.flush()
        session.add(
            Event(
                aggregate_type="document",
                aggregate_id=str(changed.id),
                action="validity_changed",
                actor_id="102",
                before={"validity": "valid"},
                after={"validity": "repealed"},
                at=datetime(2026, 3, 1, 20, 0, tzinfo=utc),  # 2 March in China
            )
        )
        await session.commit()
    await asyncio.to_thread(migrate, migrations_dir("catalog"), url, "head")
    async with AsyncSession(engine) as session:
        rows = (await session.exec(select(ValidityEntry).order_by(ValidityEntry.id))).all()
    await engine.dispose()
    assert [(r.document_id, r.previous, r.validity, r.effective_on, r.recorded_by) for r in rows] == [
        (changed.id, None, "valid", date(2025, 1, 1), "migration"),
        (changed.id, "valid", "repealed", date(2026, 3, 2), "102"),
        (untouched.id, None, "valid", date(2025, 6, 1), "migration"),
    ]
