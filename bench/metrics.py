"""Metrics benchmark on PostgreSQL: 100,000 resources, 300,000 reviews, 1,000,000 endorsements.

Measured in one run:
- baseline: the bare SQL of the aggregate queries the recompute issues (reviews per resource and
  instrument, normalised sums, endorsement counts), executed and fetched without any Python work;
- full recompute of every resource's metrics (`metrics_recompute_all`), target < 60 s: the first
  one after seeding, when every resource's score sort key changes (the worst case: each changed key
  rewrites its resource row, search vectors included), then a second one, the nightly steady state;
- the per-resource refresh that runs when a review or endorsement lands, p50/p95 over 200 random
  resources, target < 20 ms.

Creates (and drops afterwards) its own database. Usage:
    python bench/metrics.py [--resources 100000] [--pg postgres://postgres@127.0.0.1:5432]
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime

from _report import emit
from _seed import drop_database, seed, setup_django


def baseline_sql_seconds() -> float:
    """The same aggregates the recompute runs, as bare SQL, fetched and discarded."""
    from django.db import connection
    from django.db.models import Count, F, FloatField, Q, Sum
    from django.db.models.functions import Cast

    from curation.models import Endorsement, Review

    reviews = Review.objects.filter(status__in=["submitted", "accepted"])
    span = Cast(F("instrument_version__total_max") - F("instrument_version__total_min"), FloatField())
    querysets = [
        reviews.values("resource_id", "instrument_version_id").annotate(
            n=Count("id"), s=Sum("total"), q=Sum(F("total") * F("total"))
        ),
        reviews.values("resource_id").annotate(
            n=Count("id"), x=Sum((Cast(F("total"), FloatField()) - F("instrument_version__total_min")) / span)
        ),
        Endorsement.objects.filter(status="counted")
        .values("resource_id")
        .annotate(learner=Count("id", filter=Q(kind="learner")), expert=Count("id", filter=Q(kind="expert"))),
    ]
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
        started = time.perf_counter()
        metrics_recompute_all()
        again = time.perf_counter() - started
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
        "full_recompute_again_seconds": round(again, 2),
        "metrics_rows": stored,
        "incremental_ms_p50": round(statistics.median(timings), 2),
        "incremental_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "targets": {
            "full_under_60_s": full < 60,
            "incremental_p95_under_20_ms": timings[int(len(timings) * 0.95) - 1] < 20,
        },
    }
    emit(result, record=not args.no_record)


if __name__ == "__main__":
    main()
