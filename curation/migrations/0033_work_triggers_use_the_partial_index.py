"""The work_primary triggers of 0031 scanned curation_resource on SQLite for every inserted row: SQLite
uses the partial index resource_work_idx only when a query spells the index's condition the same way
(`NOT (work_key = '')`), and they wrote `work_key <> ''`. A first harvest of 100 feeds took 18 s instead
of 3. The triggers are replaced with the corrected text (PostgreSQL's function too, for one source of
truth; its planner was not affected)."""

from django.db import migrations

from curation.migrations import _fts_triggers


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_fts_triggers.POSTGRES_WORK_TRIGGER)
        return
    for name in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS resource_work_{name}")
    for statement in _fts_triggers.WORK_TRIGGERS:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0032_resource_impact_sort"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
