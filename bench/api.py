"""API benchmark on PostgreSQL: 100,000 resources (300,000 reviews, 1,000,000 endorsements) served by
gunicorn on loopback.

Measured in one run: p50/p95/p99 latency of list, filtered list, search, detail, search with
clinicians' abbreviations and UK/US spellings (expanded to their synonyms), search with facet counts
and related resources from one client
(requests one after another over a keep-alive connection: the latency a user sees), and latency and
throughput under load from 4 concurrent clients (on this 2-core machine the clients share the cores
with the server, so that latency includes queueing); next to the bare SQL time of the same search
pages (every statement of the page, executed directly on the database); and the query count of each
list at page sizes 10 and 100 (it must not grow). Targets: search p95 < 50 ms, and within 3x of its
bare SQL's p95 (the bare statements run warm, a second time, so they are compared with the same searches
through the API run again, warm; the p50 ratio is reported beside it), both from one client; synonym search p95 < 50 ms, facet counts p95 < 100 ms,
related p95 < 50 ms.

Usage: python bench/api.py [--resources 100000] [--requests 400] [--pg postgres://postgres@127.0.0.1:5432]
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from _report import emit, percentile
from _seed import ROOT, WORDS, drop_database, seed, setup_django

CLIENTS = 4  # the load run; the latency run uses one
SYNONYM_QUERIES = [
    "MI",
    "PE",
    "DKA",
    "ECG",
    "ICH",
    "tPA",
    "haemorrhage",
    "anaesthesia",
    "oesophagus",
    "paediatric sepsis",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load(base: str, paths: list[str], concurrency: int = CLIENTS) -> dict[str, float]:
    """Fetch every path once, spread over `concurrency` keep-alive connections; latency in ms."""
    clients = [httpx.Client(base_url=base, timeout=30) for _ in range(concurrency)]
    for client in clients:  # warm connections and caches
        client.get(paths[0]).raise_for_status()

    def fetch(item: tuple[int, str]) -> float:
        index, path = item
        started = time.perf_counter()
        try:
            response = clients[index % concurrency].get(path)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # A pooled connection the server closed while idle (its keep-alive ran out): what a
            # browser does, once, on a fresh connection; counted in the result.
            reconnects.append(path)
            response = clients[index % concurrency].get(path)
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    reconnects: list[str] = []

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(fetch, enumerate(paths)))
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    return {
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "requests_per_s": round(len(paths) / elapsed, 1),
        **({"reconnects": len(reconnects)} if reconnects else {}),
    }


def bare_search_ms(terms: list[str]) -> dict[str, float]:
    """Every SQL statement of a first search page (the tiers read, the page's rows and prefetches, the
    snippets), captured as the API issues them and then executed directly on the database: the
    database's share of a search request, without Python, serialisation or HTTP."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation.selectors import resource_list_for_api
    from curation.selectors.search import resource_search_page, search_snippets

    timings = []
    for term in terms:
        with CaptureQueriesContext(connection) as captured:
            page = resource_search_page(resource_list_for_api(), term, limit=26)
            search_snippets([r.pk for r in page[:25]], term)
        statements = [query["sql"] for query in captured.captured_queries]
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2)}


def query_counts() -> dict[str, list[int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for path in [
        "/api/v1/resources/",
        "/api/v1/resources/?q=sepsis",
        "/api/v1/sources/",
        "/api/v1/designations/",
        "/api/v1/reviews/",
    ]:
        row = []
        for size in (10, 100):
            with CaptureQueriesContext(connection) as captured:
                client.get(path + ("&" if "?" in path else "?") + f"page_size={size}", HTTP_HOST="127.0.0.1")
            row.append(len(captured))
        counts[path] = row
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="seed a database named after the size once and keep it for later runs (when tuning queries)",
    )
    parser.add_argument("--seed-only", action="store_true", help="with --keep: seed, then stop")
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint names (a tuning run; not recorded)"
    )
    args = parser.parse_args()
    name = f"foam_bench_api_kept_{args.resources}" if args.keep else f"foam_bench_api_{os.getpid()}"
    setup_django(args.pg, name, fresh=not args.keep)
    server, timeouts = None, 0
    try:
        from curation.models import Resource
        from curation.services.metrics import metrics_recompute_all

        if args.keep and Resource.objects.exists():
            from django.db import connection

            with connection.cursor() as cursor:  # what autovacuum does after the migrations' bulk updates
                cursor.execute("VACUUM ANALYZE")
            from curation.models import Endorsement, Review

            sizes = {
                "resources": Resource.objects.count(),
                "reviews": Review.objects.count(),
                "endorsements": Endorsement.objects.count(),
            }
        else:
            sizes = seed(args.resources)
            metrics_recompute_all()
        from curation.models import Source, Topic

        topic = Topic.objects.get(slug="emergency-medicine")  # a topic on 20 sources, no date window
        for source in Source.objects.order_by("id")[:20]:
            source.topics.add(topic)
        if args.seed_only:
            return
        port = free_port()
        server_log = tempfile.TemporaryFile()  # noqa: SIM115 - read after the server stops, in finally
        env = {
            **os.environ,
            "API_THROTTLE_ANON": "100000000/hour",
            "API_THROTTLE_USER": "100000000/hour",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--keep-alive",
                "30",  # behind a proxy in production; the load run's four clients pause between phases
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=server_log,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/v1/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        rng = random.Random(3)
        ids = [
            str(i)
            for i in Resource.objects.order_by("?").values_list("public_id", flat=True)[: args.requests]
        ]
        terms = [" ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))) for _ in range(args.requests)]
        filtered = "/api/v1/resources/?kind=blog&reviewed=true&language=en&ordering=score"
        endpoints = {
            "list": ["/api/v1/resources/"] * args.requests,
            "filtered_list": [filtered] * args.requests,
            "search": [f"/api/v1/resources/?q={term}" for term in terms],
            "detail": [f"/api/v1/resources/{i}/" for i in ids],
            # clinicians' spelling and abbreviations: each term expands to its variants and synonyms
            "synonym_search": [
                f"/api/v1/resources/?q={SYNONYM_QUERIES[n % len(SYNONYM_QUERIES)]}"
                for n in range(args.requests)
            ],
            "facets": [f"/api/v1/resources/?q={term}&facets=true" for term in terms],
            "related": [f"/api/v1/resources/{i}/related/" for i in ids],
        }
        deep, url = [], "/api/v1/resources/?page_size=100"
        for _ in range(30):  # keyset cursors 1 to 30 pages deep, fetched again below
            following = httpx.get(base + url, timeout=30).json()["next"]
            if not following:
                break
            parts = urlsplit(following)
            url = f"{parts.path}?{parts.query}"
            deep.append(url)
        corners = {  # issue 14: no slow corner in search and lists
            "zero_result_search": [f"/api/v1/resources/?q=zzqx{n}" for n in range(args.requests)],
            "common_search": ["/api/v1/resources/?q=sepsis"] * args.requests,
            "deep_pages": [deep[n % len(deep)] for n in range(args.requests)],
            "impact_order": ["/api/v1/resources/?ordering=impact"] * args.requests,
            "topic_list": ["/api/v1/resources/?topic=emergency-medicine"] * args.requests,
            "sources_page_100": ["/api/v1/sources/?page_size=100"] * args.requests,
        }
        endpoints.update(corners)
        if args.only:
            endpoints = {name: paths for name, paths in endpoints.items() if name in args.only.split(",")}
            results = {name: load(base, paths, concurrency=1) for name, paths in endpoints.items()}
            print(json.dumps(results))
            return
        results = {name: load(base, paths, concurrency=1) for name, paths in endpoints.items()}
        print(json.dumps({"one_client": results}), file=sys.stderr, flush=True)  # kept if the load run fails
        under_load = {name: load(base, paths) for name, paths in endpoints.items()}
        bare = bare_search_ms(terms[:200])
        # The bare SQL above runs each page's statements a second time (the capture ran them once), on a
        # warm cache; compare it with the same searches through the API in the same warm state.
        warm = load(base, [f"/api/v1/resources/?q={term}" for term in terms[:200]], concurrency=1)
        counts = query_counts()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
            server_log.seek(0)
            timeouts = server_log.read().decode(errors="replace").count("WORKER TIMEOUT")
        if not args.keep:
            drop_database(args.pg, name)
    result = {
        "benchmark": "api",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL, gunicorn 2x2",
        **sizes,
        "requests_per_endpoint": args.requests,
        "clients": 1,
        **{f"{name}_{key}": value for name, stats in results.items() for key, value in stats.items()},
        "under_load": {
            "clients": CLIENTS,
            **{f"{name}_{key}": value for name, stats in under_load.items() for key, value in stats.items()},
        },
        "bare_sql_search_p50_ms": bare["p50_ms"],
        "bare_sql_search_p95_ms": bare["p95_ms"],
        "warm_search_p50_ms": warm["p50_ms"],
        "warm_search_p95_ms": warm["p95_ms"],
        "search_overhead_vs_bare_sql": round(warm["p50_ms"] / bare["p50_ms"], 2),
        "search_p95_vs_bare_sql_p95": round(warm["p95_ms"] / bare["p95_ms"], 2),
        "query_counts_page_10_vs_100": counts,
        "gunicorn_worker_timeouts": timeouts,
        "targets": {
            "search_p95_under_50_ms": results["search"]["p95_ms"] < 50,
            # the acceptance's wording: search p95 under 50 ms and within 3x bare SQL (p95 against p95,
            # both warm: the same searches again through the API)
            "overhead_under_3x": warm["p95_ms"] < 3 * bare["p95_ms"],
            "query_count_flat": all(small == large for small, large in counts.values()),
            "synonym_search_p95_under_50_ms": results["synonym_search"]["p95_ms"] < 50,
            "facets_p95_under_100_ms": results["facets"]["p95_ms"] < 100,
            "related_p95_under_50_ms": results["related"]["p95_ms"] < 50,
            **{f"{name}_p95_under_100_ms": results[name]["p95_ms"] < 100 for name in corners},
        },
    }
    emit(result, record=not args.no_record)


if __name__ == "__main__":
    main()
