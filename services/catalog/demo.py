"""The catalog's demo documents, written through the public API (admin import), once."""

from __future__ import annotations

import json
import sys

import httpx

from services.catalog.corpus import generate

DEMO_DOCUMENT_COUNT = 320
DEMO_SEED = 20261124
BATCH = 100


def seed_documents(base_url: str, admin_token: str, count: int = DEMO_DOCUMENT_COUNT) -> int:
    """Imports the demo corpus when the catalog has no published documents yet; returns how many."""
    with httpx.Client(
        base_url=base_url, timeout=60.0, headers={"Authorization": f"Bearer {admin_token}"}
    ) as client:
        if client.get("/api/v1/catalog/documents", params={"page_size": 1}).json()["total"] > 0:
            return 0
        agencies = {
            a["code"]: a["id"]
            for a in client.get("/api/v1/catalog/agencies", params={"page_size": 100}).json()["items"]
        }
        corpus = generate(count, DEMO_SEED, agency_codes=[c for c in agencies if c.startswith("99")])
        items = [
            {
                "agency_id": agencies[doc.agency_code],
                "title": doc.title,
                "doc_number": doc.doc_number,
                "written_on": doc.written_on.isoformat(),
                "information_date": doc.written_on.isoformat(),
                "published_on": doc.published_on.isoformat(),
                "category": doc.category,
                "doc_type": doc.doc_type,
                "validity": doc.validity,
                "body_text": doc.body,
            }
            for doc in corpus
        ]
        for start in range(0, len(items), BATCH):
            client.post(
                "/api/v1/catalog/documents/import", json={"documents": items[start : start + BATCH]}
            ).raise_for_status()
        return len(items)


if __name__ == "__main__":
    # `python -m services.catalog.demo <gateway url> <admin token>`: one JSON line for `make run`
    print(json.dumps({"added": seed_documents(sys.argv[1], sys.argv[2])}))
