"""On SQLite, altering a column rebuilds curation_resource and drops the triggers that keep the FTS5
index in sync (0012 did). Re-install them and rebuild the index. No-op on PostgreSQL, whose generated
column survives. The `curation.E001` system check catches any future rebuild that forgets this."""

from django.db import migrations

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


class Migration(migrations.Migration):
    dependencies = [("curation", "0012_resource_published_at_always_set")]
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
