from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0016_add_resource_score_sort"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(fields=["source", "status"], name="resource_source_status_idx"),
        ),
    ]
