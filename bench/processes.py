"""What each process carries: `manage.py help` wall time, the modules importing the URL configuration
pulls in, and the resident memory of gunicorn workers after a warm-up over every kind of page.

A fresh SQLite database in a temporary folder, migrated and given a small catalogue (sources, resources
and reviews) so the pages render real rows; then gunicorn with 2 sync workers on loopback, each page
requested 10 times, and each worker's VmRSS read from /proc. Targets: worker RSS <= 120 MiB,
`manage.py help` <= 1.5 s (median of 5).

Usage: python bench/processes.py [--label before|after] [--no-record]
Prints one JSON line and appends it to BENCHMARKS.md.
"""

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from _report import emit

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy", "pandas", "pingouin", "statsmodels", "matplotlib", "networkx", "seaborn", "xarray", "numpy")
PAGES = (
    "/",
    "/resources/",
    "/search/?q=sepsis",
    "/sources/",
    "/research/",
    "/api/v1/",
    "/api/v1/resources/",
    "/api/v1/resources/?q=sepsis&facets=true",
    "/api/v1/sources/",
    "/healthz",
)


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        VAR_DIR=str(workdir),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _seed(env: dict[str, str]) -> None:
    _manage(env, "migrate", "--noinput")
    script = """
from curation.models import Resource, Source
from curation.enums import SourceKind
source = Source.objects.create(title="Bench Blog", feed_url="https://bench.example/feed", site_url="https://bench.example/", kind=SourceKind.BLOG)
Resource.objects.bulk_create([
    Resource(source=source, title=f"Sepsis pearls {i}", canonical_url=f"https://bench.example/{i}", identity_key=f"bench-{i}", summary="Sepsis and fluids.")
    for i in range(200)
])
"""
    _manage(env, "shell", "-c", script)


def _help_seconds(env: dict[str, str]) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        _manage(env, "help")
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def _heavy_after_urlconf(env: dict[str, str]) -> list[str]:
    probe = (
        "import django, sys, json; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import config.wsgi;"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else ["error"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _worker_rss(env: dict[str, str]) -> list[float]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env={**env, "ALLOWED_HOSTS": "127.0.0.1,localhost"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(10):
            for page in PAGES:
                with contextlib.suppress(OSError):  # an error page still warms the worker
                    urllib.request.urlopen(base + page, timeout=60).read()
        return sorted(_rss_mib(pid) for pid in _children(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = _env(Path(folder))
        _seed(env)
        help_seconds = _help_seconds(env)
        heavy = _heavy_after_urlconf(env)
        rss = _worker_rss(env)
    load = os.getloadavg()[0]
    emit(
        {
            "benchmark": "processes",
            "label": args.label,
            "date": datetime.now(UTC).date().isoformat(),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, SQLite",
            "load_average_1min": round(load, 2),
            "manage_help_seconds_median": help_seconds,
            "heavy_modules_after_urlconf": heavy,
            "gunicorn_worker_rss_mib": rss,
            "targets": {
                "manage_help_under_1_5_s": help_seconds <= 1.5,
                "worker_rss_under_120_mib": bool(rss) and max(rss) <= 120,
            },
        },
        record=not args.no_record,
    )


if __name__ == "__main__":
    main()
