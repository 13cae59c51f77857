"""Catalog service: agencies (the org tree), published documents, guides, search index."""
