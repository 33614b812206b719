"""A real Celery worker process, on the configured broker (Redis in CI, the embedded filesystem broker
by default) and the test database, harvests a source queued through the normal task path."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from curation.enums import FetchOutcome
from curation.models import Resource, Source
from curation.services.catalogue import source_register
from tests.conftest import REQUIRE_SERVICES, uses_postgres, uses_redis_broker
from tests.feedserver import Reply
from tests.workers.helpers import serve_and_register
from tests.workers.test_pipeline import item, rss
from workers.tasks import dispatch_due_sources, harvest_source_task

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests are using right now (the test database, not the main one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path, concurrency: int = 1, **extra_env: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VAR_DIR": str(settings.VAR_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HARVEST_ALLOWED_PRIVATE_HOSTS": ",".join(settings.HARVEST_ALLOWED_PRIVATE_HOSTS),
        **extra_env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default,harvest",
            "--concurrency",
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "worker did not become ready:\n" + log.read_text(errors="replace")
        time.sleep(0.1)
    return process


def stop_worker(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def worker(
    django_db_serialized_rollback, transactional_db, feed_server, tmp_path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker; it starts after the test's feed server, so it may reach that endpoint."""
    if REQUIRE_SERVICES and not (uses_postgres() and uses_redis_broker()):
        pytest.fail("REQUIRE_SERVICES=1: the worker test must run on PostgreSQL and Redis")
    process = start_worker(tmp_path / "worker.log")
    yield process
    stop_worker(process)


def wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_real_worker_harvests_a_queued_source(worker, feed_server):
    source = serve_and_register(feed_server, "/f", rss(item("1", "One"), item("2", "Two")))
    harvest_source_task.delay(source.pk)
    assert wait_for(lambda: Resource.objects.filter(source=source).count() == 2)
    assert wait_for(lambda: Source.objects.get(pk=source.pk).last_outcome == FetchOutcome.OK)


def test_dispatch_claims_due_sources_and_the_worker_harvests_them(worker, feed_server):
    sources = [
        serve_and_register(feed_server, f"/f{n}", rss(item(f"{n}-a"), item(f"{n}-b"))) for n in range(3)
    ]
    assert dispatch_due_sources() == 3
    assert dispatch_due_sources() == 0  # claimed: not dispatched twice
    assert wait_for(lambda: Resource.objects.filter(source__in=sources).count() == 6)


def test_worker_killed_mid_task_loses_and_duplicates_nothing(
    django_db_serialized_rollback, transactional_db, redis_broker, feed_server, tmp_path
):
    """SIGKILL a worker while it is fetching; the message (acks_late) is redelivered to a new worker,
    which stores every entry exactly once."""
    body = rss(*(item(str(n), f"Entry {n}") for n in range(20)))
    calls: list[int] = []

    def slow_then_fast(handler):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # the first worker gets a slow drip and dies during it
            return Reply(200, (body[i : i + 64] for i in range(0, len(body), 64)), delay_between_chunks=0.5)
        return Reply(200, body)

    url = feed_server.add("/slow", slow_then_fast)
    source, _ = source_register(feed_url=url)
    fast_redelivery = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    first = start_worker(tmp_path / "first.log", **fast_redelivery)
    try:
        harvest_source_task.delay(source.pk)
        assert wait_for(lambda: len(calls) == 1, timeout=20), "the first worker never fetched"
        time.sleep(0.3)
    finally:
        stop_worker(first, signal.SIGKILL)
    assert Resource.objects.filter(source=source).count() == 0
    second = start_worker(tmp_path / "second.log", **fast_redelivery)
    try:
        assert wait_for(lambda: Resource.objects.filter(source=source).count() == 20, timeout=40), (
            tmp_path / "second.log"
        ).read_text(errors="replace")[-3000:]
        time.sleep(2)  # a duplicate delivery, if any, would land now
    finally:
        stop_worker(second)
    assert Resource.objects.filter(source=source).count() == 20
    assert sorted(Resource.objects.filter(source=source).values_list("guid", flat=True)) == sorted(
        str(n) for n in range(20)
    )


def test_the_worker_harvests_a_dispatched_social_source(social_web, worker):  # type: ignore[no-untyped-def]
    from curation.enums import Role
    from curation.models import Mention
    from curation.services.social import social_source_register
    from tests.factories import ResourceFactory, SourceFactory, UserFactory
    from workers.tasks import dispatch_due_social_sources

    source = SourceFactory(site_url=social_web.blog.url("/"))
    resource = ResourceFactory(source=source, canonical_url=social_web.blog.url("/posts/one/"))
    social_web.bluesky.add("3w", "alice.bsky.social", "Read", links=[resource.canonical_url], tags=["foamed"])
    editor = UserFactory(username="social-editor", role=Role.EDITOR)
    social_source_register(
        editor=editor, platform="bluesky", kind="hashtag", query="foamed", instance=social_web.bluesky.base
    )

    assert dispatch_due_social_sources() == 1
    assert dispatch_due_social_sources() == 0  # claimed: not dispatched twice
    assert wait_for(lambda: Mention.objects.filter(resource=resource).count() == 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the instruments are reseeded
def test_a_real_worker_adds_a_queued_review_to_the_orcid_record(tmp_path):  # type: ignore[no-untyped-def]
    from allauth.socialaccount.models import SocialAccount, SocialToken
    from django.test import override_settings
    from django.utils import timezone

    from curation.enums import ReviewStatus, Role
    from curation.models import InstrumentVersion, OrcidPush, Review
    from curation.services.credit import orcid_push_request
    from tests.conftest import make_verified_expert
    from tests.factories import ResourceFactory, UserFactory
    from tests.orcidserver import OrcidServer
    from workers.tasks import push_orcid_reviews

    if REQUIRE_SERVICES and not (uses_postgres() and uses_redis_broker()):
        pytest.fail("REQUIRE_SERVICES=1: the worker test must run on PostgreSQL and Redis")
    orcid = OrcidServer("127.0.0.6")
    allowed = [*settings.HARVEST_ALLOWED_PRIVATE_HOSTS, f"{orcid.host}:{orcid.port}"]
    with override_settings(ORCID_PUSH_ENABLED=True, HARVEST_ALLOWED_PRIVATE_HOSTS=allowed):
        process = start_worker(
            tmp_path / "worker.log",
            ORCID_PUSH_ENABLED="true",
            ORCID_API_URL=f"{orcid.base}/v3.0",
            HARVEST_ALLOWED_PRIVATE_HOSTS=",".join(allowed),
        )
        try:
            expert = make_verified_expert(
                UserFactory(username="orcid-editor", role=Role.EDITOR), "orcid-expert"
            )
            account = SocialAccount.objects.create(user=expert, provider="orcid", uid="0000-0002-1825-0097")
            SocialToken.objects.create(account=account, token="worker-token")
            orcid.tokens["0000-0002-1825-0097"] = "worker-token"
            review = Review.objects.create(
                resource=ResourceFactory(title="Worker-sent review"),
                reviewer=expert,
                instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
                status=ReviewStatus.SUBMITTED,
                submitted_at=timezone.now(),
            )
            orcid_push_request(reviewer=expert, review=review)
            push_orcid_reviews.delay()
            assert wait_for(lambda: OrcidPush.objects.filter(status="posted").exists())
            assert [r["subject-name"]["title"]["value"] for r in orcid.records["0000-0002-1825-0097"]] == [
                "Worker-sent review"
            ]
        finally:
            stop_worker(process)
            orcid.close()
