"""Tiered relevance on PostgreSQL (see curation.search): stored title and summary tsvectors, each with
its own GIN index, so the first page of a common term ranks only the resources with it in the title.
SQLite keeps its FTS5 table (bm25 with column weights); nothing to do there."""

from django.db import migrations

FORWARD = """
ALTER TABLE curation_resource
    ADD COLUMN search_title tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(title, ''))) STORED,
    ADD COLUMN search_summary tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(summary, ''))) STORED;
CREATE INDEX resource_search_title_gin ON curation_resource USING GIN (search_title);
CREATE INDEX resource_search_summary_gin ON curation_resource USING GIN (search_summary);
"""
BACKWARD = """
DROP INDEX IF EXISTS resource_search_title_gin;
DROP INDEX IF EXISTS resource_search_summary_gin;
ALTER TABLE curation_resource DROP COLUMN IF EXISTS search_title, DROP COLUMN IF EXISTS search_summary;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("curation", "0014_add_source_request")]
    operations = [migrations.RunPython(forward, backward)]
