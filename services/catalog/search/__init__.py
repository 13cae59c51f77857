"""Full-text search over published documents: one interface, two engines (embedded, meilisearch)."""
