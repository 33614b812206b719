"""Workers that survive: two real Celery workers and a real beat on a private Redis (append-only, as in
docker-compose) harvest 200 local feeds; mid-harvest one worker is SIGKILLed and Redis is restarted.
The surviving worker reconnects, the dead worker's messages come back, deferrals for the busy host
live in the database, and every item ends up stored exactly once within two minutes."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count

from curation.enums import FetchOutcome
from curation.models import Resource, Source
from curation.services.catalogue import source_register
from tests.conftest import REQUIRE_SERVICES, uses_postgres
from tests.feedserver import Reply
from tests.workers.test_celery_worker import database_url, start_worker, stop_worker, wait_for
from tests.workers.test_pipeline import item, rss

ROOT = Path(__file__).resolve().parents[2]
FEEDS, ITEMS = 200, 5
REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.services


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A Redis of the test's own, persisting to an append-only file so a restart keeps the queues."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        assert wait_for(self._answers, timeout=10), "private Redis did not start"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Redis flushes its append-only file and exits
            self.process.wait(timeout=20)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1: redis-server is needed for the broker restart test")
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def _start_beat(log: Path, broker: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VAR_DIR": str(settings.VAR_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(folder / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_killed_worker_and_a_restarted_broker_lose_and_duplicate_nothing(
    django_db_serialized_rollback, transactional_db, feed_server, private_redis, tmp_path
):
    if REQUIRE_SERVICES and not uses_postgres():
        pytest.fail("REQUIRE_SERVICES=1: the broker restart test must run on PostgreSQL")
    for n in range(FEEDS):  # each answer trickles in over ~0.2 s, so the harvest is still going on
        body = rss(*(item(f"{n}-{i}", f"Feed {n} entry {i}") for i in range(ITEMS)))
        half = len(body) // 2
        url = feed_server.add(f"/f{n}", Reply(200, [body[:half], body[half:]], delay_between_chunks=0.2))
        source_register(feed_url=url)
    assert Source.objects.count() == FEEDS
    worker_env = {
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_VISIBILITY_TIMEOUT": "30",  # a dead worker's messages come back after 30 s (prod: 1 h)
        "CELERY_UNACKED_RESTORE_INTERVAL": "2",
        "CELERY_UNACKED_RESTORE_THROTTLE": "2",
        "HARVEST_PER_HOST_IN_FLIGHT": "4",  # every feed is on one host here
    }
    doomed = start_worker(tmp_path / "doomed.log", concurrency=2, **worker_env)
    survivor = start_worker(tmp_path / "survivor.log", concurrency=2, **worker_env)
    beat = _start_beat(tmp_path / "beat.log", private_redis.url, tmp_path)
    started = time.monotonic()
    try:
        assert wait_for(lambda: Resource.objects.count() >= FEEDS * ITEMS // 5, timeout=90), (
            tmp_path / "survivor.log"
        ).read_text(errors="replace")[-3000:]
        stored_at_kill = Resource.objects.count()
        killed_at = time.monotonic()
        stop_worker(doomed, signal.SIGKILL)  # mid-harvest, holding messages and a host slot
        private_redis.stop()
        time.sleep(2)
        private_redis.start()  # same port, same append-only file
        done = wait_for(lambda: Resource.objects.count() >= FEEDS * ITEMS, timeout=120)
        elapsed = time.monotonic() - started
        assert done, (
            f"{Resource.objects.count()} of {FEEDS * ITEMS} items after {elapsed:.0f} s\n"
            + (tmp_path / "survivor.log").read_text(errors="replace")[-4000:]
        )
        assert survivor.poll() is None, "the surviving worker exited when Redis restarted"
        time.sleep(3)  # a duplicate delivery, if any, would land now
    finally:
        stop_worker(beat)
        stop_worker(doomed, signal.SIGKILL)
        stop_worker(survivor)
    assert Resource.objects.count() == FEEDS * ITEMS
    per_source = Resource.objects.values("source").annotate(n=Count("id")).values_list("n", flat=True)
    assert sorted(set(per_source)) == [ITEMS]
    assert Resource.objects.values("source", "guid").distinct().count() == FEEDS * ITEMS
    assert not Source.objects.exclude(last_outcome=FetchOutcome.OK).exists()
    if report := os.environ.get("RESILIENCE_REPORT"):  # bench/resilience.py records these figures
        Path(report).write_text(
            json.dumps(
                {
                    "feeds": FEEDS,
                    "items": FEEDS * ITEMS,
                    "stored_when_killed": stored_at_kill,
                    "seconds_to_all_stored": round(elapsed, 1),
                    "seconds_after_kill_and_restart": round(time.monotonic() - killed_at, 1),
                    "duplicates": Resource.objects.count()
                    - Resource.objects.values("source", "guid").distinct().count(),
                    "survivor_reconnected": "Connection to broker lost"
                    in (tmp_path / "survivor.log").read_text(errors="replace"),
                }
            )
        )
