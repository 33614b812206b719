"""Full-text search over resources, per database:

- PostgreSQL: a stored generated tsvector (title weight A, summary B, text C; English stemming) with a
  GIN index. Summary HTML tags are tokens of type 'tag', which the English configuration ignores.
- SQLite: an FTS5 table over the same three columns (porter stemming), kept in sync by triggers.

Neither is part of the Django model state: curation.search queries them with SQL of its own."""

from django.db import migrations

POSTGRES_FORWARD = """
ALTER TABLE curation_resource ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'C')
) STORED;
CREATE INDEX resource_search_document_gin ON curation_resource USING GIN (search_document);
"""
POSTGRES_BACKWARD = """
DROP INDEX IF EXISTS resource_search_document_gin;
ALTER TABLE curation_resource DROP COLUMN IF EXISTS search_document;
"""
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE resource_fts USING fts5(title, summary, text, content='curation_resource', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER resource_fts_insert AFTER INSERT ON curation_resource BEGIN "
    "INSERT INTO resource_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); END",
    "CREATE TRIGGER resource_fts_delete AFTER DELETE ON curation_resource BEGIN "
    "INSERT INTO resource_fts(resource_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text); END",
    "CREATE TRIGGER resource_fts_update AFTER UPDATE OF title, summary, text ON curation_resource BEGIN "
    "INSERT INTO resource_fts(resource_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text); "
    "INSERT INTO resource_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); END",
    "INSERT INTO resource_fts(resource_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS resource_fts_insert",
    "DROP TRIGGER IF EXISTS resource_fts_delete",
    "DROP TRIGGER IF EXISTS resource_fts_update",
    "DROP TABLE IF EXISTS resource_fts",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("curation", "0008_add_metrics")]
    operations = [migrations.RunPython(forward, backward)]
