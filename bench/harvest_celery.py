"""The production harvest path, measured: beat's dispatcher -> Redis -> real Celery worker processes ->
PostgreSQL, harvesting N generated feeds served from many loopback host names (127.0.0.2 ...
127.0.0.H, one small HTTP server each), so the per-host limit applies as it would across real hosts.

For 1 and then 2 worker processes (`celery worker --concurrency 1|2`, prefork, the harvest queue), on a
fresh database each time: every source is made due, the dispatcher task is sent once (as beat does), and
the clock runs until every source has been harvested. Recorded: the dispatcher's own time (it must be
a small fraction of the whole: dispatch is never the bottleneck), feeds/s and resources/s, the speed-up
of 2 processes over 1 (target >= 1.6x), and a re-poll of every feed (304s) through the same workers.

Needs PostgreSQL and Redis (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres as
the admin connection; BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed).
Usage: python bench/harvest_celery.py [--feeds 400] [--hosts 40] [--no-record]
"""

import argparse
import http.server
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _report import emit
from harvest import FeedHandler, generate_feed

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "foam_bench_celery"


def serve(feed_count: int, hosts: int) -> tuple[list[http.server.ThreadingHTTPServer], list[str]]:
    FeedHandler.feeds = {f"/feed/{n}.xml": generate_feed(n) for n in range(feed_count)}
    servers, bases = [], []
    for number in range(hosts):
        address = f"127.0.0.{number + 2}"
        server = http.server.ThreadingHTTPServer((address, 0), FeedHandler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        bases.append(f"http://{address}:{server.server_address[1]}")
    urls = [f"{bases[n % hosts]}/feed/{n}.xml" for n in range(feed_count)]
    return servers, urls


def _env(urls: list[str], workdir: Path) -> dict[str, str]:
    admin = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(admin)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "HARVEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        VAR_DIR=str(workdir),
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{DB_NAME}")),
        CELERY_BROKER_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        HARVEST_ALLOWED_PRIVATE_HOSTS=",".join(sorted({urlsplit(url).netloc for url in urls})),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fresh_database(env: dict[str, str]) -> None:
    import psycopg

    admin = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (DB_NAME,)
        )
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        connection.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True
    )


def _start_worker(env: dict[str, str], processes: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "harvest,default",
            "--concurrency",
            str(processes),
            "--prefetch-multiplier",
            "4",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _wait_ready(worker: subprocess.Popen[bytes]) -> None:
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit("the worker exited; see its log")
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit("the worker did not answer a ping within 60 s")


def _round(processes: int, urls: list[str], workdir: Path) -> dict[str, float]:
    """One measurement in a child process (a fresh Django with this round's settings)."""
    completed = subprocess.run(
        [sys.executable, __file__, "--round", str(processes), "--workdir", str(workdir)],
        input="\n".join(urls),
        text=True,
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"round with {processes} processes failed:\n{completed.stderr[-4000:]}")
    import json

    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_round(processes: int, urls: list[str], workdir: Path) -> dict[str, float]:
    env = _env(urls, workdir)
    _fresh_database(env)
    _django(env)
    import redis
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from curation.enums import FetchOutcome
    from curation.models import FetchAttempt, Resource, Source
    from curation.services.catalogue import source_register
    from workers.tasks import dispatch_due_sources

    redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    ids = [source_register(feed_url=url)[0].pk for url in urls]
    log = workdir / f"worker-{processes}.log"
    worker = _start_worker(env, processes, log)
    try:
        _wait_ready(worker)
        phases: dict[str, float] = {}
        for phase in ("first", "repoll"):
            Source.objects.filter(pk__in=ids).update(
                next_poll_at=timezone.now(), last_outcome=FetchOutcome.NEVER
            )
            started = time.perf_counter()
            dispatch = dispatch_due_sources.apply()  # what beat sends; run here so its own time is measured
            phases[f"{phase}_dispatch_seconds"] = time.perf_counter() - started
            assert dispatch.get() == len(ids), f"dispatched {dispatch.get()} of {len(ids)}"
            deadline = time.monotonic() + 900
            while Source.objects.filter(pk__in=ids, last_outcome=FetchOutcome.NEVER).exists():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"harvest did not finish; see {log}")
                time.sleep(0.05)
            phases[f"{phase}_seconds"] = time.perf_counter() - started
            connection.close()
        outcomes = dict(Source.objects.values_list("last_outcome").annotate(n=Count("id")))
    finally:
        _stop(worker)
    assert outcomes.get(FetchOutcome.NOT_MODIFIED) == len(ids), f"re-poll outcomes {outcomes}"
    return {
        **phases,
        "resources": Resource.objects.count(),
        "attempts": FetchAttempt.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--round", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.round:
        import json

        urls = sys.stdin.read().split()
        print(json.dumps(run_round(args.round, urls, Path(args.workdir))))
        return

    servers, urls = serve(args.feeds, args.hosts)
    workdir = Path(tempfile.mkdtemp(prefix="foam-bench-celery-"))
    try:
        one = _round(1, urls, workdir)
        two = _round(2, urls, workdir)
    finally:
        for server in servers:
            server.shutdown()
    resources = one["resources"]
    result = {
        "benchmark": "harvest_celery",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL + Redis",
        "feeds": args.feeds,
        "hosts": args.hosts,
        "resources": resources,
        "one_process_seconds": round(one["first_seconds"], 2),
        "one_process_feeds_per_s": round(args.feeds / one["first_seconds"], 1),
        "one_process_resources_per_s": round(resources / one["first_seconds"], 1),
        "two_processes_seconds": round(two["first_seconds"], 2),
        "two_processes_feeds_per_s": round(args.feeds / two["first_seconds"], 1),
        "two_processes_resources_per_s": round(two["resources"] / two["first_seconds"], 1),
        "speedup_two_vs_one": round(one["first_seconds"] / two["first_seconds"], 2),
        "dispatch_seconds": round(max(one["first_dispatch_seconds"], two["first_dispatch_seconds"]), 3),
        "dispatch_share_of_harvest": round(two["first_dispatch_seconds"] / two["first_seconds"], 3),
        "repoll_one_process_feeds_per_s": round(args.feeds / one["repoll_seconds"], 1),
        "repoll_two_processes_feeds_per_s": round(args.feeds / two["repoll_seconds"], 1),
        "attempts_written": two["attempts"],
        "targets": {
            "two_processes_1_6x_one": one["first_seconds"] >= 1.6 * two["first_seconds"],
            "dispatch_under_5_percent": two["first_dispatch_seconds"] <= 0.05 * two["first_seconds"],
        },
    }
    emit(result, record=not args.no_record)


if __name__ == "__main__":
    main()
