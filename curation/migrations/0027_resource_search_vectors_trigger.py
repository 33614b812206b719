"""PostgreSQL: the resource's stored search vectors (document, title, summary, authors) become plain
columns kept by a trigger that recomputes them only when the text they come from changes.

As generated columns they were recomputed on every UPDATE of the row, whatever changed: writing the
score sort key after a metrics recompute parsed every resource's text again (175 s for the first
recompute of 100,000 resources). `DROP EXPRESSION` keeps the stored values; the expressions are the
same as in migrations 0009, 0015 and 0026. SQLite's FTS5 triggers already fire only on text columns."""

from django.db import migrations

FORWARD = """
ALTER TABLE curation_resource
    ALTER COLUMN search_document DROP EXPRESSION,
    ALTER COLUMN search_title DROP EXPRESSION,
    ALTER COLUMN search_summary DROP EXPRESSION,
    ALTER COLUMN search_authors DROP EXPRESSION;
CREATE FUNCTION curation_resource_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title OR NEW.summary IS DISTINCT FROM OLD.summary
            OR NEW.text IS DISTINCT FROM OLD.text THEN
        NEW.search_document :=
            setweight(to_tsvector('english'::regconfig, coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english'::regconfig, coalesce(NEW.summary, '')), 'B') ||
            setweight(to_tsvector('english'::regconfig, coalesce(NEW.text, '')), 'C');
        NEW.search_title := to_tsvector('english'::regconfig, coalesce(NEW.title, ''));
        NEW.search_summary := to_tsvector('english'::regconfig, coalesce(NEW.summary, ''));
    END IF;
    IF TG_OP = 'INSERT' OR NEW.authors IS DISTINCT FROM OLD.authors THEN
        NEW.search_authors := to_tsvector('simple'::regconfig, coalesce(NEW.authors::text, ''));
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER resource_search_vectors BEFORE INSERT OR UPDATE ON curation_resource
    FOR EACH ROW EXECUTE FUNCTION curation_resource_search_vectors();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS resource_search_vectors ON curation_resource;
DROP FUNCTION IF EXISTS curation_resource_search_vectors();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    # The columns stay plain (a generated column cannot be restored in place); 0026/0015/0009's own
    # reversal drops them.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("curation", "0026_resource_search_authors")]
    operations = [migrations.RunPython(forward, backward)]
