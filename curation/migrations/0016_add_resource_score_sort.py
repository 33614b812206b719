"""A stored, indexed sort key for score-ordered lists (Coalesce over a joined table could not use an
index: the first page sorted the whole catalogue). Backfilled from the stored metrics. On SQLite,
adding a column may rebuild curation_resource, which drops the FTS5 triggers: re-install them."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from curation.migrations import _fts_triggers


def backfill(apps, schema_editor):
    Resource = apps.get_model("curation", "Resource")
    ResourceMetrics = apps.get_model("curation", "ResourceMetrics")
    score = ResourceMetrics.objects.filter(resource_id=OuterRef("pk")).values("ranking_score")[:1]
    Resource.objects.filter(metrics__ranking_score__isnull=False).update(
        score_sort=Coalesce(Subquery(score), -1.0, output_field=models.FloatField())
    )
    _fts_triggers.reinstall(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0015_add_resource_search_tiers"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="score_sort",
            field=models.FloatField(
                db_default=-1.0,
                default=-1.0,
                help_text="the ranking score, -1 while unreviewed: the indexed key of score-ordered lists, kept in step with ResourceMetrics by the metrics service",
            ),
        ),
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(fields=["status", "-score_sort", "-id"], name="resource_score_idx"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
