"""Keeping the search index in step with the database, and answering searches.

Index updates come from the outbox (topic `catalog.document`): the message names a document;
the handler reads its current state from the database (the source of truth) and upserts or
deletes it, so replays and out-of-order deliveries converge on the right answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog import service
from services.catalog.models import (
    VALIDITY_LABELS,
    Agency,
    Document,
    DocumentStatus,
    Scope,
    SynonymGroup,
)
from services.catalog.schemas import (
    FacetValue,
    SearchHitPublic,
    SearchResponse,
    SuggestionPublic,
    SuggestResponse,
    SynonymsIn,
)
from services.catalog.search.base import IndexedDocument, SearchEngine, SearchQuery, to_safe_html
from services.catalog.vocabulary import labels
from shared.auth import Principal
from shared.events import OutboxMessage, record_event

REINDEX_BATCH = 2000


def to_indexed(document: Document, agency: Agency) -> IndexedDocument:
    assert document.id is not None and document.published_at is not None and document.index_no is not None
    ancestors = tuple(int(part) for part in agency.path.strip("/").split("/") if part)
    return IndexedDocument(
        id=document.id,
        index_no=document.index_no,
        title=document.title,
        doc_number=document.doc_number,
        body=document.body_text,
        agency_id=document.agency_id,
        agency_path=(*ancestors, document.agency_id),
        agency_name=agency.name,
        category=document.category,
        doc_type=document.doc_type,
        validity=document.validity,
        written_on=document.written_on,
        published_at=document.published_at,
    )


def searchable(document: Document) -> bool:
    return document.status == DocumentStatus.PUBLISHED and document.scope == Scope.PUBLIC


async def sync_documents(session: AsyncSession, engine: SearchEngine, document_ids: list[int]) -> None:
    """Makes the index agree with the database for these documents: upsert or delete each."""
    ids = sorted(set(document_ids))
    rows = (await session.exec(select(Document).where(col(Document.id).in_(ids)))).all()
    visible = [d for d in rows if searchable(d)]
    agency_ids = {d.agency_id for d in visible}
    agencies = {
        a.id: a for a in (await session.exec(select(Agency).where(col(Agency.id).in_(agency_ids)))).all()
    }
    await engine.upsert([to_indexed(d, agencies[d.agency_id]) for d in visible])
    await engine.delete(sorted(set(ids) - {d.id for d in visible if d.id is not None}))


def outbox_handler(
    sessionmaker: async_sessionmaker[AsyncSession], engine: SearchEngine
) -> Callable[[list[OutboxMessage]], Awaitable[None]]:
    async def handle(messages: list[OutboxMessage]) -> None:
        async with sessionmaker() as session:
            await sync_documents(session, engine, [int(m.key) for m in messages])

    return handle


async def reindex(sessionmaker: async_sessionmaker[AsyncSession], engine: SearchEngine) -> int:
    """Rebuilds the index from the database (the source of truth).

    Reads the next batch while the engine indexes the previous one (segmentation dominates).
    """
    await engine.setup()
    await engine.clear()
    total, last_id = 0, 0
    pending: asyncio.Task[None] | None = None
    async with sessionmaker() as session:
        agencies = {a.id: a for a in (await session.exec(select(Agency))).all()}
        await engine.set_synonyms(await synonym_groups(session))
        try:
            while True:
                batch = (
                    await session.exec(
                        select(Document)
                        .where(
                            Document.status == DocumentStatus.PUBLISHED,
                            Document.scope == Scope.PUBLIC,
                            col(Document.id) > last_id,
                        )
                        .order_by(col(Document.id))
                        .limit(REINDEX_BATCH)
                    )
                ).all()
                if pending is not None:
                    await pending
                    pending = None
                if not batch:
                    break
                documents = [to_indexed(d, agencies[d.agency_id]) for d in batch]
                session.expunge_all()
                pending = asyncio.create_task(engine.upsert(documents))
                total += len(batch)
                last_id = batch[-1].id or last_id
        finally:
            if pending is not None:
                await pending
    return total


async def synonym_groups(session: AsyncSession) -> list[list[str]]:
    return [
        list(g.terms) for g in (await session.exec(select(SynonymGroup).order_by(col(SynonymGroup.id)))).all()
    ]


async def replace_synonyms(
    *, session: AsyncSession, engine: SearchEngine, data: SynonymsIn, actor: Principal
) -> list[list[str]]:
    groups = [sorted(set(g)) for g in data.groups if len(set(g)) >= 2]
    before = await synonym_groups(session)
    for old in (await session.exec(select(SynonymGroup))).all():
        await session.delete(old)
    for group in groups:
        session.add(SynonymGroup(terms=group))
    record_event(
        session,
        aggregate_type="synonyms",
        aggregate_id="all",
        action="replaced",
        actor=actor,
        before={"groups": before},
        after={"groups": groups},
    )
    await session.commit()
    await engine.set_synonyms(groups)
    return groups


async def search(session: AsyncSession, engine: SearchEngine, query: SearchQuery) -> SearchResponse:
    started = time.perf_counter()
    result = await engine.search(query)
    category_labels, type_labels = await labels(session, "category"), await labels(session, "doc_type")
    agency_names = await service.agency_names(session) if result.facets.get("agency_id") else {}
    names = {
        "agency_id": agency_names,
        "category": category_labels,
        "doc_type": type_labels,
        "validity": {str(k): v for k, v in VALIDITY_LABELS.items()},
    }
    facets = {
        facet: sorted(
            (
                FacetValue(value=str(value), label=names.get(facet, {}).get(str(value), str(value)), count=n)
                for value, n in counts.items()
            ),
            key=lambda f: (-f.count, f.value),
        )
        for facet, counts in result.facets.items()
    }
    hits = [
        SearchHitPublic(
            id=hit.id,
            index_no=hit.document.index_no,
            title=hit.document.title,
            title_html=to_safe_html(hit.title),
            snippet_html=to_safe_html(hit.snippet),
            doc_number=hit.document.doc_number,
            agency_id=hit.document.agency_id,
            agency_name=hit.document.agency_name,
            category=hit.document.category,
            doc_type=hit.document.doc_type,
            validity=hit.document.validity,
            published_at=hit.document.published_at,
            score=round(hit.score, 4),
            matched_words=hit.matched_words,
            missing_words=[w for w in result.query_words if w not in hit.matched_words],
        )
        for hit in result.hits
    ]
    return SearchResponse(
        q=query.q,
        total=result.total,
        page=query.page,
        page_size=query.page_size,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        hits=hits,
        facets=facets,
        query_words=result.query_words,
        relaxed=result.relaxed,
        did_you_mean=result.did_you_mean,
    )


async def suggest(engine: SearchEngine, q: str, limit: int, agency_id: int | None = None) -> SuggestResponse:
    items = await engine.suggest(q, limit, agency_id)
    return SuggestResponse(
        q=q,
        items=[SuggestionPublic(text=i.text, kind=i.kind, document_id=i.document_id) for i in items],
    )


def reindex_command() -> None:
    """`gongkai reindex`: rebuild the configured engine's index from the catalog database."""
    import asyncio

    from services.catalog.search.factory import make_engine
    from services.catalog.settings import get_settings
    from shared.db import make_engine as make_db_engine
    from shared.db import make_sessionmaker

    async def run() -> int:
        settings = get_settings()
        db = make_db_engine(settings.database_url)
        engine = make_engine(settings)
        try:
            return await reindex(make_sessionmaker(db), engine)
        finally:
            await engine.close()
            await db.dispose()

    print(f"reindexed {asyncio.run(run())} documents")
