"""A word index of each resource's authors on PostgreSQL (a stored generated tsvector, 'simple'
configuration: names are not stemmed) with a GIN index, so "Weingart" finds what he wrote by an index
lookup instead of a LIKE over every row. SQLite keeps the LIKE (no table rebuild there). Not part of
the Django model state: curation.selectors.search queries it with SQL of its own."""

from django.db import migrations

FORWARD = """
ALTER TABLE curation_resource ADD COLUMN search_authors tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, coalesce(authors::text, ''))
) STORED;
CREATE INDEX resource_search_authors_gin ON curation_resource USING GIN (search_authors);
"""
BACKWARD = """
DROP INDEX IF EXISTS resource_search_authors_gin;
ALTER TABLE curation_resource DROP COLUMN IF EXISTS search_authors;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("curation", "0025_add_transcript")]
    operations = [migrations.RunPython(forward, backward)]
