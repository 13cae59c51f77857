"""Chooses the search engine from the catalog settings (`CATALOG_SEARCH_ENGINE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.catalog.search.base import SearchEngine

DEFAULT_INDEX_DIR = Path("var/search")


def make_engine(settings: Any) -> SearchEngine:
    """`embedded`: a tantivy index under `settings.search_index_dir` (default var/search);
    `meilisearch`: the server at `settings.meili_url` with `settings.meili_api_key`."""
    kind = getattr(settings, "search_engine", "embedded")
    if kind == "embedded":
        from services.catalog.search.embedded import EmbeddedEngine

        index_dir = getattr(settings, "search_index_dir", None) or DEFAULT_INDEX_DIR
        return EmbeddedEngine(Path(index_dir))
    if kind == "meilisearch":
        from services.catalog.search.meili import MeiliEngine

        url = getattr(settings, "meili_url", "")
        if not url:
            raise ValueError("search_engine is meilisearch but meili_url is empty")
        return MeiliEngine(url, getattr(settings, "meili_api_key", "") or None)
    raise ValueError(f"unknown search engine {kind!r}")
