"""work_key is indexed only by resource_work_idx (keyed rows, with status and id: what one_per_work's
anti-join reads); the two full indexes (btree and its LIKE twin) cost writes and were never the better
plan. SQLite may rebuild the table for this, dropping its full-text triggers: they are put back."""

from django.db import migrations, models

from curation.migrations import _fts_triggers


class Migration(migrations.Migration):
    dependencies = [("curation", "0028_add_episode_chapters")]

    operations = [
        migrations.AlterField(
            model_name="resource",
            name="work_key",
            field=models.CharField(
                blank=True,
                help_text="same value = the same work cross-posted by several sources",
                max_length=64,
            ),
        ),
        migrations.RunPython(_fts_triggers.reinstall, migrations.RunPython.noop),
    ]
