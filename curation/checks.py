"""System checks that guard invariants the ORM cannot see."""

from typing import Any

from django.core import checks
from django.db import connection
from django.db.utils import DatabaseError

SQLITE_SEARCH_TRIGGERS = {"resource_fts_insert", "resource_fts_delete", "resource_fts_update"}


@checks.register(checks.Tags.database)
def sqlite_search_triggers_present(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """On SQLite, a migration that rebuilds curation_resource drops the FTS5 sync triggers; search
    would then silently miss new and edited resources."""
    if connection.vendor != "sqlite":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'curation_resource'"
            )
            present = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'")
            migrated = cursor.fetchone() is not None
    except DatabaseError:
        return []
    missing = SQLITE_SEARCH_TRIGGERS - present
    if not migrated or not missing:
        return []
    return [
        checks.Error(
            f"The full-text search triggers {sorted(missing)} are missing from curation_resource.",
            hint="A migration rebuilt the table on SQLite; add one that re-installs them (see migration 0013).",
            id="curation.E001",
        )
    ]
