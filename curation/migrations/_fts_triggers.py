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


def reinstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS:
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
