"""The SQLite FTS5 triggers of curation_resource, for migrations that rebuild the table (a rebuild
drops them). Not a migration itself: the loader skips modules whose name starts with an underscore."""

TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS resource_fts_insert AFTER INSERT ON curation_resource BEGIN "
    "INSERT INTO resource_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS resource_fts_delete AFTER DELETE ON curation_resource BEGIN "
    "INSERT INTO resource_fts(resource_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS resource_fts_update AFTER UPDATE OF title, summary, text ON curation_resource BEGIN "
    "INSERT INTO resource_fts(resource_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text); "
    "INSERT INTO resource_fts(rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text); END",
    "INSERT INTO resource_fts(resource_fts) VALUES ('rebuild')",
]


# one_per_work's stored answer (migration 0031): work_primary is true unless a visible resource with the
# same non-empty work key has a smaller id. Kept by the database itself, so every write path (harvest,
# moderation, the admin, a test's factory) agrees with it.
_IS_PRIMARY = (
    # NOT (e.work_key = '') lets the planner use the partial index resource_work_idx (keyed rows only):
    # SQLite uses a partial index only when the query repeats the index's own condition, spelt the same
    # way (`work_key <> ''` is not recognised, and every insert then scanned the table)
    "(work_key = '' OR NOT EXISTS (SELECT 1 FROM curation_resource AS e WHERE e.work_key = "
    "curation_resource.work_key AND NOT (e.work_key = '') AND e.status = 'visible' AND e.id < curation_resource.id))"
)
_PRIMARY = f"UPDATE curation_resource SET work_primary = {_IS_PRIMARY}"
_CHANGED = f"work_primary <> {_IS_PRIMARY}"
_KEYED = "NOT (work_key = '')"  # spelt as resource_work_idx's condition, see above
WORK_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS resource_work_insert AFTER INSERT ON curation_resource "
    f"WHEN new.work_key <> '' BEGIN {_PRIMARY} WHERE work_key = new.work_key AND {_KEYED} AND {_CHANGED}; END",
    "CREATE TRIGGER IF NOT EXISTS resource_work_update AFTER UPDATE OF status, work_key ON curation_resource BEGIN "
    f"{_PRIMARY} WHERE ((work_key IN (new.work_key, old.work_key) AND {_KEYED}) OR id = new.id) AND {_CHANGED}; END",
    "CREATE TRIGGER IF NOT EXISTS resource_work_delete AFTER DELETE ON curation_resource "
    f"WHEN old.work_key <> '' BEGIN {_PRIMARY} WHERE work_key = old.work_key AND {_KEYED} AND {_CHANGED}; END",
]
POSTGRES_WORK_TRIGGER = f"""
CREATE OR REPLACE FUNCTION curation_resource_work_primary() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keys text[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        keys := ARRAY[OLD.work_key];
    ELSIF TG_OP = 'INSERT' THEN
        keys := ARRAY[NEW.work_key];
    ELSE
        keys := ARRAY[NEW.work_key, OLD.work_key];
    END IF;
    {_PRIMARY}
        WHERE ((work_key = ANY(keys) AND {_KEYED}) OR (TG_OP = 'UPDATE' AND id = NEW.id)) AND {_CHANGED};
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS resource_work_primary ON curation_resource;
CREATE TRIGGER resource_work_primary AFTER INSERT OR DELETE OR UPDATE OF status, work_key ON curation_resource
    FOR EACH ROW EXECUTE FUNCTION curation_resource_work_primary();
"""


BACKFILL = f"{_PRIMARY} WHERE {_CHANGED}"


def reinstall(apps, schema_editor):
    """Put back every SQLite trigger of curation_resource (full text, and work_primary once it exists)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS:
            schema_editor.execute(statement)
        with schema_editor.connection.cursor() as cursor:
            description = schema_editor.connection.introspection.get_table_description(
                cursor, "curation_resource"
            )
        columns = {column.name for column in description}
        if "work_primary" in columns:  # from migration 0031 on
            for statement in WORK_TRIGGERS:
                schema_editor.execute(statement)


# curation_transcript's, for the same reason (its FTS5 table's rowid is the resource id).
TRANSCRIPT_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS transcript_fts_insert AFTER INSERT ON curation_transcript BEGIN "
    "INSERT INTO transcript_fts(rowid, text) VALUES (new.resource_id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS transcript_fts_delete AFTER DELETE ON curation_transcript BEGIN "
    "INSERT INTO transcript_fts(transcript_fts, rowid, text) VALUES ('delete', old.resource_id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS transcript_fts_update AFTER UPDATE OF text ON curation_transcript BEGIN "
    "INSERT INTO transcript_fts(transcript_fts, rowid, text) VALUES ('delete', old.resource_id, old.text); "
    "INSERT INTO transcript_fts(rowid, text) VALUES (new.resource_id, new.text); END",
    "INSERT INTO transcript_fts(transcript_fts) VALUES ('rebuild')",
]
