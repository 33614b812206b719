"""Metrics benchmark on PostgreSQL: 100,000 resources, 300,000 reviews, 1,000,000 endorsements.

Measured in one run:
- baseline: the bare SQL of the aggregate queries the recompute issues (reviews per resource and
  instrument, normalised sums, endorsement counts), executed and fetched without any Python work;
- full recompute of every resource's metrics (`metrics_recompute_all`), target < 60 s;
- the per-resource refresh that runs when a review or endorsement lands, p50/p95 over 200 random
  resources, target < 20 ms.

Creates (and drops afterwards) its own database. Usage:
    python bench/metrics.py [--resources 100000] [--pg postgres://postgres@127.0.0.1:5432]
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(pg: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": f"{pg}/{name}",
            "VAR_DIR": tempfile.mkdtemp(prefix="foam-bench-metrics-"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_database(pg: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def copy_rows(model: type, columns: list[str], rows: object) -> int:
    """Stream rows into a table with COPY (the only way to load 1.4M rows in seconds)."""
    from django.db import connection

    table = model._meta.db_table  # type: ignore[attr-defined]
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:  # type: ignore[attr-defined]
                copy.write_row(row)
                count += 1
    return count


def seed(resource_count: int) -> dict[str, int]:
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from curation.models import Endorsement, InstrumentVersion, Resource, Review, Source, User

    rng = random.Random(42)
    now = timezone.now()
    learners = [User(username=f"learner{n}", password="!", role="learner", email="") for n in range(10_000)]
    experts = [User(username=f"expert{n}", password="!", role="expert", email="") for n in range(300)]
    User.objects.bulk_create(learners + experts, batch_size=5000)
    learner_ids = list(User.objects.filter(role="learner").values_list("id", flat=True))
    expert_ids = list(User.objects.filter(role="expert").values_list("id", flat=True))
    sources = Source.objects.bulk_create(
        [Source(title=f"S{n}", feed_url=f"https://s{n}.example.org/feed/") for n in range(100)]
    )
    source_ids = [s.pk for s in sources]
    resource_columns = [
        "public_id", "source_id", "identity_key", "guid", "canonical_url", "title", "authors", "published_at", "summary",
        "text", "content_hash", "work_key", "previous_content_hash", "language", "enclosure_url", "enclosure_type",
        "transcript_urls", "chapters_url", "video_id", "is_short", "thumbnail_url", "status", "created_at", "modified_at",
    ]  # fmt: skip
    copy_rows(
        Resource,
        resource_columns,
        (
            [uuid.uuid4(), source_ids[n % 100], f"{n:064x}", "", f"https://example.org/{n}", f"Resource {n}", Jsonb([]), now,
             "", "", "", "", "", "", "", "", Jsonb([]), "", "", False, "", "visible", now, now]
            for n in range(resource_count)
        ),
    )  # fmt: skip
    resource_ids = list(Resource.objects.order_by("id").values_list("id", flat=True))
    versions = list(InstrumentVersion.objects.filter(instrument__slug__in=["air", "rmetriq", "gestalt"]))
    review_columns = ["public_id", "resource_id", "reviewer_id", "instrument_version_id", "scores", "total", "comments",
                      "conflict_of_interest", "status", "held_for_confidentiality", "created_at", "modified_at", "submitted_at"]  # fmt: skip

    def reviews():  # type: ignore[no-untyped-def]
        for index, resource_id in enumerate(resource_ids):
            for slot in range(3):
                version = versions[(index + slot) % len(versions)]
                yield [uuid.uuid4(), resource_id, expert_ids[(index * 3 + slot) % len(expert_ids)], version.pk, Jsonb({}),
                       float(rng.randint(version.total_min, version.total_max)), "", "None", "submitted", False, now, now, now]  # fmt: skip

    review_count = copy_rows(Review, review_columns, reviews())
    endorsement_columns = [
        "public_id",
        "user_id",
        "resource_id",
        "kind",
        "status",
        "note",
        "hold_reason",
        "created_at",
        "modified_at",
    ]

    def endorsements():  # type: ignore[no-untyped-def]
        for index, resource_id in enumerate(resource_ids):
            for slot in range(10):
                kind = "expert" if slot == 9 else "learner"
                yield [
                    uuid.uuid4(),
                    learner_ids[(index * 10 + slot) % len(learner_ids)],
                    resource_id,
                    kind,
                    "counted",
                    "",
                    "",
                    now,
                    now,
                ]

    endorsement_count = copy_rows(Endorsement, endorsement_columns, endorsements())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"resources": len(resource_ids), "reviews": review_count, "endorsements": endorsement_count}


def baseline_sql_seconds() -> float:
    """The same aggregates the recompute runs, as bare SQL, fetched and discarded."""
    from django.db import connection
    from django.db.models import Count, F, FloatField, Q, Sum
    from django.db.models.functions import Cast

    from curation.models import Endorsement, Review

    reviews = Review.objects.filter(status__in=["submitted", "accepted"])
    span = Cast(F("instrument_version__total_max") - F("instrument_version__total_min"), FloatField())
    querysets = [
        reviews.values("resource_id", "instrument_version_id").annotate(n=Count("id"), s=Sum("total"), q=Sum(F("total") * F("total"))),
        reviews.values("resource_id").annotate(n=Count("id"), x=Sum((Cast(F("total"), FloatField()) - F("instrument_version__total_min")) / span)),
        Endorsement.objects.filter(status="counted").values("resource_id").annotate(
            learner=Count("id", filter=Q(kind="learner")), expert=Count("id", filter=Q(kind="expert"))
        ),
    ]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for queryset in querysets:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    name = f"foam_bench_metrics_{os.getpid()}"
    setup_django(args.pg, name)
    try:
        from curation.models import Resource
        from curation.services.metrics import metrics_recompute_all, metrics_refresh_resource

        started = time.perf_counter()
        sizes = seed(args.resources)
        seed_seconds = time.perf_counter() - started
        baseline = min(baseline_sql_seconds() for _ in range(3))
        started = time.perf_counter()
        stored = metrics_recompute_all()
        full = time.perf_counter() - started
        ids = list(Resource.objects.values_list("id", flat=True))
        sample = random.Random(7).sample(ids, 200)
        timings = []
        for resource_id in sample:
            started = time.perf_counter()
            metrics_refresh_resource(resource_id=resource_id)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
    finally:
        drop_database(args.pg, name)
    result = {
        "benchmark": "metrics",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL",
        **sizes,
        "seed_seconds": round(seed_seconds, 1),
        "baseline_bare_sql_seconds": round(baseline, 2),
        "full_recompute_seconds": round(full, 2),
        "full_vs_bare_sql": round(full / baseline, 1),
        "metrics_rows": stored,
        "incremental_ms_p50": round(statistics.median(timings), 2),
        "incremental_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "targets": {
            "full_under_60_s": full < 60,
            "incremental_p95_under_20_ms": timings[int(len(timings) * 0.95) - 1] < 20,
        },
    }
    line = json.dumps(result)
    print(line)
    if not args.no_record:
        with (ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as record:
            record.write(f"\n`{line}`\n")


if __name__ == "__main__":
    main()
