"""Harvest benchmark: N generated feeds (default 500 x ~50 entries) served from 127.0.0.1.

Measured in one run, on the same bytes, each phase in a fresh process:
- bare `feedparser.parse` of every document with the pipeline's own flags (`sanitize_html=False,
  resolve_relative_uris=False`: the parse-only limit, no network, no storage), and with feedparser's
  defaults for reference;
- our first harvest (fetch + parse + normalise + sanitise + store) and our re-poll of the unchanged
  feeds (conditional GET -> 304), sequential in one process;
- the `reader` library (a maintained Python feed reader) updating the same feeds from scratch, then
  re-polling them forced (`update_feeds(scheduled=False)`: its default, scheduled=True, makes no request
  right after an update, which would time nothing);
- peak RSS of our first harvest at N/5 and at N feeds, and of reader at N.
Ours and reader run ROUNDS times in alternating order (ours first, then reader first) and the best of
each is kept, so neither benefits from a warmer machine.

Prints one JSON line and appends a row to BENCHMARKS.md. Usage: python bench/harvest.py [--feeds 500]
"""

import argparse
import http.server
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from _report import emit

ROOT = Path(__file__).resolve().parent.parent
ENTRIES_PER_FEED = 50


def generate_feed(number: int, entries: int = ENTRIES_PER_FEED) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for n in range(entries):
        published = format_datetime(start + timedelta(hours=number * 7 + n * 13))
        items.append(
            f"<item><title>Feed {number} post {n}: approach to the undifferentiated patient</title>"
            f"<link>https://blog{number}.example.org/posts/{n}/?utm_source=rss</link>"
            f"<guid isPermaLink='false'>feed-{number}-post-{n}</guid><pubDate>{published}</pubDate>"
            f"<dc:creator>Author {n % 7}</dc:creator><category>Emergency medicine</category>"
            f"<description><![CDATA[<p>Teaching point {n} of feed {number}: <strong>history</strong>, "
            f"<em>examination</em> and <a href='/refs/{n}'>references</a>.</p>"
            + "<p>Background paragraph with enough words to look like a real excerpt of a post. </p>" * 4
            + "]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Benchmark blog {number}</title><link>https://blog{number}.example.org/</link>"
        f"<description>generated</description>{''.join(items)}</channel></rss>"
    ).encode()


class FeedHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    feeds: dict[str, bytes] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(feed_count: int) -> tuple[http.server.ThreadingHTTPServer, list[str]]:
    FeedHandler.feeds = {f"/feed/{n}.xml": generate_feed(n) for n in range(feed_count)}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_address[1]
    return server, [f"http://127.0.0.1:{port}{path}" for path in FeedHandler.feeds]


# --- phases, each run in a fresh process ---------------------------------------------------------
def _bodies(urls: list[str]) -> list[bytes]:
    return [generate_feed(int(url.rsplit("/", 1)[1].split(".")[0])) for url in urls]


def phase_feedparser(urls: list[str]) -> dict[str, float]:
    """Like for like: the flags workers.harvest.parse passes."""
    import feedparser

    bodies = _bodies(urls)
    started = time.perf_counter()
    entries = sum(
        len(feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False).entries)
        for body in bodies
    )
    return {"seconds": time.perf_counter() - started, "entries": entries}


def phase_feedparser_defaults(urls: list[str]) -> dict[str, float]:
    import feedparser

    bodies = _bodies(urls)
    started = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for body in bodies)
    return {"seconds": time.perf_counter() - started, "entries": entries}


def phase_ours(urls: list[str]) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="foam-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "VAR_DIR": str(workdir),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"),
            "HARVEST_ALLOWED_PRIVATE_HOSTS": ",".join(sorted({urlsplit(url).netloc for url in urls})),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from curation.models import FetchAttempt, Resource, Source
    from curation.services.catalogue import source_register
    from curation.services.harvest import fetch_attempts_flush
    from workers.harvest.pipeline import harvest_source

    call_command("migrate", verbosity=0)
    ids = [source_register(feed_url=url)[0].pk for url in urls]
    started = time.perf_counter()
    for source_id in ids:
        harvest_source(source_id)
    first = time.perf_counter() - started
    stored = Resource.objects.count()
    started = time.perf_counter()
    for source_id in ids:
        harvest_source(source_id)
    fetch_attempts_flush()  # the 304s' attempt rows, batched
    repoll = time.perf_counter() - started
    assert Resource.objects.count() == stored, "re-poll created resources"
    assert Source.objects.filter(last_outcome="not_modified").count() == len(ids), "re-poll was not a 304"
    assert FetchAttempt.objects.filter(outcome="not_modified").count() == len(ids), "attempts not all written"
    return {
        "first_seconds": first,
        "resources": stored,
        "repoll_seconds": repoll,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def phase_reader(urls: list[str]) -> dict[str, float]:
    from reader import make_reader

    workdir = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    reader = make_reader(str(workdir / "reader.sqlite"))
    for url in urls:
        reader.add_feed(url)
    started = time.perf_counter()
    reader.update_feeds(workers=1)
    seconds = time.perf_counter() - started
    entries = reader.get_entry_counts().total
    started = time.perf_counter()
    reader.update_feeds(workers=1, scheduled=False)  # forced: every feed requested again (304s)
    repoll = time.perf_counter() - started
    assert reader.get_entry_counts().total == entries, "reader's re-poll created entries"
    reader.close()
    return {
        "seconds": seconds,
        "entries": entries,
        "repoll_seconds": repoll,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


PHASES = {
    "feedparser": phase_feedparser,
    "feedparser_defaults": phase_feedparser_defaults,
    "ours": phase_ours,
    "reader": phase_reader,
}
ROUNDS = 2


def run_phase(name: str, urls: list[str]) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--phase", name],
        input=json.dumps(urls),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--no-record", action="store_true", help="do not append to BENCHMARKS.md")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](json.loads(sys.stdin.read()))))
        return

    server, urls = serve(args.feeds)
    small = urls[: max(args.feeds // 5, 1)]
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "reader": []}
    try:
        bare = run_phase("feedparser", urls)
        defaults = run_phase("feedparser_defaults", urls)
        for round_number in range(ROUNDS):
            order = ("ours", "reader") if round_number % 2 == 0 else ("reader", "ours")
            for name in order:
                runs[name].append(run_phase(name, urls))
        ours_small = run_phase("ours", small)
    finally:
        server.shutdown()
    first = min(run["first_seconds"] for run in runs["ours"])
    repoll = min(run["repoll_seconds"] for run in runs["ours"])
    reader_first = min(run["seconds"] for run in runs["reader"])
    reader_repoll = min(run["repoll_seconds"] for run in runs["reader"])
    rss = max(run["peak_rss_mib"] for run in runs["ours"])
    reader_rss = max(run["peak_rss_mib"] for run in runs["reader"])
    stored = runs["ours"][0]["resources"]
    result = {
        "benchmark": "harvest",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "feeds": args.feeds,
        "entries_per_feed": ENTRIES_PER_FEED,
        "rounds": ROUNDS,
        "resources_stored": stored,
        "feedparser_same_flags_seconds": round(bare["seconds"], 2),
        "feedparser_defaults_seconds": round(defaults["seconds"], 2),
        "first_harvest_seconds": round(first, 2),
        "first_harvest_resources_per_s": round(stored / first, 1),
        "first_vs_feedparser_same_flags": round(first / bare["seconds"], 2),
        "reader_first_seconds": round(reader_first, 2),
        "reader_entries": runs["reader"][0]["entries"],
        "first_speedup_vs_reader": round(reader_first / first, 2),
        "repoll_seconds": round(repoll, 2),
        "repoll_sources_per_s": round(args.feeds / repoll, 1),
        "reader_forced_repoll_seconds": round(reader_repoll, 2),
        "reader_forced_repoll_sources_per_s": round(args.feeds / reader_repoll, 1),
        "repoll_speedup_vs_reader": round(reader_repoll / repoll, 2),
        "peak_rss_mib_small": round(ours_small["peak_rss_mib"], 1),
        "peak_rss_mib": round(rss, 1),
        "reader_peak_rss_mib": round(reader_rss, 1),
        "small_feeds": len(small),
        "targets": {
            "first_within_2x_feedparser_same_flags": first <= 2 * bare["seconds"],
            "first_1_5x_faster_than_reader": reader_first >= 1.5 * first,
            "repoll_2x_faster_than_reader_forced": reader_repoll >= 2 * repoll,
            "rss_flat": rss <= 1.25 * ours_small["peak_rss_mib"],
            "rss_within_1_5x_reader": rss <= 1.5 * reader_rss,
        },
    }
    emit(result, record=not args.no_record)


if __name__ == "__main__":
    main()
