"""Topic categories and types: the built-in closed lists plus what an admin added."""

from __future__ import annotations

import time
from collections.abc import Mapping

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import (
    AGENCY_LEVEL_LABELS,
    BUILTIN_CATEGORIES,
    BUILTIN_DOC_TYPES,
    DOCUMENT_STATUS_LABELS,
    SCOPE_LABELS,
    VALIDITY_LABELS,
    VocabularyTerm,
)
from services.catalog.schemas import Vocabulary, VocabularyItem, VocabularyTermIn
from shared.auth import Principal
from shared.db import database_key
from shared.errors import Conflict, InvalidField
from shared.events import record_event

BUILTIN = {"category": BUILTIN_CATEGORIES, "doc_type": BUILTIN_DOC_TYPES}


# Read on every search page: kept for a short while per process (another replica's addition
# shows up within LABEL_TTL_SECONDS; this process's own additions at once).
LABEL_TTL_SECONDS = 30.0
_cache: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}


def _key(session: AsyncSession, kind: str) -> tuple[str, str]:
    return (database_key(session), kind)


async def labels(session: AsyncSession, kind: str, *, fresh: bool = False) -> dict[str, str]:
    cached = _cache.get(_key(session, kind))
    if not fresh and cached is not None and time.monotonic() - cached[0] < LABEL_TTL_SECONDS:
        return cached[1]
    extra = await session.exec(select(VocabularyTerm).where(VocabularyTerm.kind == kind))
    found = {**BUILTIN[kind], **{t.code: t.label for t in extra.all()}}
    _cache[_key(session, kind)] = (time.monotonic(), found)
    return found


async def ensure_known_terms(session: AsyncSession, *, category: str | None, doc_type: str | None) -> None:
    for kind, value in (("category", category), ("doc_type", doc_type)):
        if (
            value is not None
            and value not in await labels(session, kind)
            and value not in await labels(session, kind, fresh=True)
        ):
            raise InvalidField(
                kind,
                f"未知的{'主题分类' if kind == 'category' else '体裁'}代码 {value}",
                code=f"unknown_{kind}",
            )


async def vocabulary(session: AsyncSession) -> Vocabulary:
    def items(mapping: Mapping[str, str], builtin: Mapping[str, str] | None = None) -> list[VocabularyItem]:
        return [
            VocabularyItem(code=str(k), label=v, builtin=builtin is None or k in builtin)
            for k, v in mapping.items()
        ]

    return Vocabulary(
        categories=items(await labels(session, "category"), BUILTIN_CATEGORIES),
        doc_types=items(await labels(session, "doc_type"), BUILTIN_DOC_TYPES),
        validities=items(VALIDITY_LABELS),
        scopes=items(SCOPE_LABELS),
        statuses=items(DOCUMENT_STATUS_LABELS),
        agency_levels=items(AGENCY_LEVEL_LABELS),
    )


async def add_term(
    *, session: AsyncSession, kind: str, data: VocabularyTermIn, actor: Principal
) -> VocabularyItem:
    if data.code in await labels(session, kind):
        raise Conflict(f"代码 {data.code} 已存在", code="term_exists")
    session.add(VocabularyTerm(kind=kind, code=data.code, label=data.label))
    record_event(
        session,
        aggregate_type="vocabulary",
        aggregate_id=f"{kind}:{data.code}",
        action="added",
        actor=actor,
        after=data.model_dump(),
    )
    await session.commit()
    _cache.pop(_key(session, kind), None)
    return VocabularyItem(code=data.code, label=data.label, builtin=False)
