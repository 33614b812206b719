"""Web page server time on PostgreSQL with the seeded catalogue: 100,000 resources (300,000 reviews,
1,000,000 endorsements) plus a week of usage, designations, an open round, fetch attempts and a queue
of expert applications.

Each page is requested through Django's full stack (middleware, view, templates) in-process, so the
time is the server's alone, without network or browser. Target: every page under 200 ms (p95), while
a second client (another process) requests anonymous pages without pause, as a second visitor would.
`first_ms` is the first request of each page (it also compiles templates). The research results and
the home page's trending list are what their workers store; `home_after_cache_clear_ms` is the home
page's first request after the cache was emptied (it must not compute anything).
Search's corners: a query matching nothing, the most common word and its fifth "More results" page,
a topic without a date window, and page 3,900 of the unfiltered listing (keyset: the page after the
78,000th row; the listing had numbered OFFSET pages before 2026-12-05).

Usage: python bench/pages.py [--resources 100000] [--repeat 100] [--pg postgres://postgres@127.0.0.1:5432]
       [--keep] (seed a database once and reuse it: for tuning; such runs are not recorded)
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import gc
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from _report import emit, percentile
from _seed import drop_database, seed, setup_django


def extras() -> dict[str, object]:
    """What the pages show beyond the catalogue: usage, designations, a round, fetches, applications."""
    from django.utils import timezone

    from curation.models import (
        Designation,
        ExpertProfile,
        FetchAttempt,
        InstrumentVersion,
        Resource,
        ResourceDailyStat,
        SavedResource,
        Source,
        Topic,
        User,
    )
    from curation.services.rounds import round_add_candidates, round_assign, round_create

    rng, now = random.Random(7), timezone.now()
    ids = list(Resource.objects.order_by("id").values_list("id", flat=True))
    topic = Topic.objects.get(slug="emergency-medicine")
    for source in Source.objects.order_by("id")[:20]:
        source.topics.add(topic)
    ResourceDailyStat.objects.bulk_create(
        [
            ResourceDailyStat(
                resource_id=rng.choice(ids),
                day=(now - timedelta(days=d)).date(),
                views=rng.randint(1, 50),
                clicks=rng.randint(0, 10),
            )
            for d in range(7)
            for _ in range(2000)
        ],
        ignore_conflicts=True,
    )
    air = InstrumentVersion.objects.get(instrument__slug="air")
    Designation.objects.bulk_create(
        [
            Designation(
                resource_id=pk,
                instrument_version=air,
                label=rng.choice(["Approved", "Honourable mention", ""]),
                mean_total=30,
                review_count=3,
                published_at=now,
            )
            for pk in ids[::50]
        ]
    )
    editor = User.objects.create(username="bench-editor", role="editor", first_name="Ed", last_name="Itor")
    experts = list(User.objects.filter(role="expert")[:12])
    for expert in experts:
        ExpertProfile.objects.create(
            user=expert,
            profession="Physician",
            specialty="EM",
            applied_at=now,
            verification_status="approved",
            decided_by=editor,
            decided_at=now,
        )
    ExpertProfile.objects.bulk_create(
        [
            ExpertProfile(user=user, profession="Nurse", specialty="ED", applied_at=now)
            for user in User.objects.filter(role="learner")[:25]
        ]
    )
    round_ = round_create(
        editor=editor,
        title="Bench round",
        instrument_version=air,
        window_start=now - timedelta(days=30),
        window_end=now,
        deadline=now + timedelta(days=14),
    )
    round_add_candidates(editor=editor, round_=round_, resources=Resource.objects.filter(pk__in=ids[:40]))
    round_assign(editor=editor, round_=round_, pool=experts)
    FetchAttempt.objects.bulk_create(
        [
            FetchAttempt(
                source=source,
                started_at=now - timedelta(minutes=n),
                outcome=rng.choice(["ok", "not_modified", "timeout"]),
                duration_ms=rng.randint(50, 900),
            )
            for source in Source.objects.all()
            for n in range(30)
        ]
    )
    Source.objects.filter(pk__in=Source.objects.order_by("id").values("pk")[:8]).update(
        last_outcome="timeout", consecutive_errors=3
    )
    learner = User.objects.filter(role="learner").first()
    assert learner is not None
    SavedResource.objects.bulk_create(
        [SavedResource(user=learner, resource_id=pk) for pk in ids[:30]], ignore_conflicts=True
    )
    return {
        "editor": editor,
        "expert": experts[0],
        "learner": learner,
        "round": round_,
        "resource": Resource.objects.get(pk=ids[0]),
    }


def made_objects() -> dict[str, object]:
    """What extras() made, found again in a kept database."""
    from curation.models import CurationRound, Resource, User

    return {
        "editor": User.objects.get(username="bench-editor"),
        "expert": User.objects.filter(role="expert", expert_profile__verification_status="approved")
        .order_by("id")
        .first(),
        "learner": User.objects.filter(role="learner").first(),
        "round": CurationRound.objects.get(title="Bench round"),
        "resource": Resource.objects.order_by("id").first(),
    }


def second_client(paths: list[str], stop) -> None:  # type: ignore[no-untyped-def]
    """Another visitor: request anonymous pages one after another until told to stop."""
    from django.db import connections
    from django.test import Client

    connections.close_all()  # never share the parent's connection
    client, n = Client(), 0
    while not stop.is_set():
        client.get(paths[n % len(paths)], HTTP_HOST="127.0.0.1")
        n += 1


def follow_more_results(client, path: str, pages: int) -> str:  # type: ignore[no-untyped-def]
    """The address of the `pages`-th "More results" page after `path` (keyset: each carries a cursor)."""
    import html
    import re

    for _ in range(pages):
        body = client.get(path, HTTP_HOST="127.0.0.1").content.decode()
        found = re.search(r'href="/search/(\?[^"]*(?:after|before)=[^"]+)"', body)
        assert found, f"no More results link on {path}"
        path = "/search/" + html.unescape(found.group(1))
    return path


def measure(client, path: str, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    client.get(path, HTTP_HOST="127.0.0.1")  # the first request also compiles templates and fills caches
    first = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, HTTP_HOST="127.0.0.1")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "first_ms": round(first, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--keep", action="store_true", help="seed once into a kept database (tuning runs)")
    parser.add_argument("--no-second-client", action="store_true", help="one client only (tuning runs)")
    args = parser.parse_args()
    name = f"foam_bench_pages_kept_{args.resources}" if args.keep else f"foam_bench_pages_{os.getpid()}"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    setup_django(args.pg, name, fresh=not args.keep)
    stop, helper = None, None
    try:
        import multiprocessing

        from django.core.cache import cache
        from django.db import connection, connections
        from django.test import Client

        from curation.models import InstrumentVersion, Resource
        from curation.services.metrics import metrics_recompute_all, topic_facets_refresh, trending_refresh
        from research.analysis import instrument_reliability_snapshot
        from research.report import research_results_refresh

        if args.keep and Resource.objects.exists():
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            from curation.models import Endorsement, Review

            sizes = {
                "resources": Resource.objects.count(),
                "reviews": Review.objects.count(),
                "endorsements": Endorsement.objects.count(),
            }
            made = made_objects()
        else:
            sizes = seed(args.resources)
            metrics_recompute_all()
            for version in InstrumentVersion.objects.all():
                instrument_reliability_snapshot(version=version)  # what the nightly task stores
            research_results_refresh(force=True)  # what the research worker stores for the dashboard
            made = extras()
            with connection.cursor() as cursor:  # what autovacuum does after a bulk load: statistics and
                cursor.execute("VACUUM ANALYZE")  # the visibility map index-only scans rely on
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        editor = made["editor"]
        if not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(editor, generate_totp_secret())  # editors must have a second factor
        trending_refresh()  # what beat stores every five minutes
        topic_facets_refresh()  # likewise
        # The seeding's own objects stay in this process; a web server holds none of them. Freeze them
        # so full garbage collections scan what the requests make, as in a server (config/wsgi.py).
        gc.collect()
        gc.freeze()
        resource, source = made["resource"], made["resource"].source  # type: ignore[attr-defined]
        common = "sepsis"  # bench/api.py's common query: the most frequent clinical term of the seed
        anonymous = Client()
        deep = follow_more_results(anonymous, f"/search/?q={common}", 5)
        from urllib.parse import urlencode

        from curation.search import newest_cursor_encode
        from curation.selectors import resource_list_listed

        # The listing newest first is keyset-paged: page 3,900 is the page after its 78,000th row.
        row = resource_list_listed().order_by("-published_at", "-id")[3899 * 20 - 1]
        deepest = "/search/?" + urlencode({"before": newest_cursor_encode(row)})
        labels = {deep: "5th More results of q=sepsis", deepest: "listing page 3900 (keyset)"}
        pages = {
            "anonymous": [
                "/",
                "/search/",
                "/search/?q=sepsis",
                "/search/?q=sepsis+shock&kind=blog&score=air:30",
                "/search/?topic=emergency-medicine&within=30",
                "/search/?topic=emergency-medicine",
                "/search/?q=zzqxv",
                f"/search/?q={common}",
                deep,
                deepest,
                f"/resources/{resource.public_id}/",
                "/sources/",
                f"/sources/{source.public_id}/",
                "/topics/emergency-medicine/",
                "/research/",
                "/research/score-distributions.svg",
                "/research/reliability-vs-raters.svg",
                "/research/signal-correlations.svg",
            ],
            "learner": ["/library/", "/experts/apply/"],
            "expert": ["/reviews/assignments/", f"/resources/{resource.public_id}/review/air/"],
            "editor": [
                "/editor/",
                "/editor/experts/",
                "/editor/rounds/",
                f"/editor/rounds/{made['round'].public_id}/",  # type: ignore[attr-defined]
                "/editor/moderation/",
                "/editor/harvest/",
            ],
        }
        cache.clear()
        started = time.perf_counter()
        assert anonymous.get("/", HTTP_HOST="127.0.0.1").status_code == 200
        home_after_clear = (time.perf_counter() - started) * 1000
        if not args.no_second_client:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            stop = context.Event()
            helper = context.Process(target=second_client, args=(pages["anonymous"][:10], stop), daemon=True)
            helper.start()
        results = {}
        for persona, paths in pages.items():
            client = Client()
            if persona != "anonymous":
                client.force_login(made[persona])  # type: ignore[arg-type]
            for path in paths:
                results[labels.get(path, path)] = measure(client, path, args.repeat)
    finally:
        if helper is not None and stop is not None:
            stop.set()
            helper.join(timeout=30)
        if not args.keep:
            drop_database(args.pg, name)
    slowest = max(results.values(), key=lambda r: r["p95_ms"])
    result = {
        "benchmark": "pages",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL, in-process",
        **sizes,
        "repeat": args.repeat,
        "second_client": not args.no_second_client,
        "home_after_cache_clear_ms": round(home_after_clear, 1),
        "pages": results,
        "slowest_p95_ms": slowest["p95_ms"],
        "targets": {
            "every_page_p95_under_200_ms": slowest["p95_ms"] < 200,
            "home_after_cache_clear_under_200_ms": home_after_clear < 200,
        },
    }
    emit(result, record=not (args.no_record or args.keep or args.no_second_client))


if __name__ == "__main__":
    main()
