"""On SQLite, altering a column rebuilds curation_resource and drops the triggers that keep the FTS5
index in sync (0012 did). Re-install them and rebuild the index. No-op on PostgreSQL, whose generated
column survives. The `curation.E001` system check catches any future rebuild that forgets this."""

from django.db import migrations

from curation.migrations._fts_triggers import reinstall


class Migration(migrations.Migration):
    dependencies = [("curation", "0012_resource_published_at_always_set")]
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
