"""The re-poll path: a 304 is one UPDATE of the source plus a FetchAttempt row written in batches."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curation.enums import FetchOutcome
from curation.models import FetchAttempt, Source
from curation.services.harvest import fetch_attempts_flush, fetch_attempts_pending
from tests.feedserver import Reply
from tests.workers.helpers import harvest, serve_and_register
from tests.workers.test_pipeline import item, rss
from workers.harvest.pipeline import harvest_source

pytestmark = pytest.mark.django_db


def _serve_304(feed_server, count: int) -> list[Source]:  # type: ignore[no-untyped-def]
    sources = []
    for n in range(count):
        source = serve_and_register(feed_server, f"/f{n}", rss(item(f"{n}")), ETag=f'"v{n}"')
        harvest(source)
        feed_server.add(f"/f{n}", Reply(304, b"", {"ETag": f'"v{n}"'}))
        sources.append(source)
    return sources


def test_a_304_is_one_read_and_one_update_and_its_attempt_waits_for_a_batch(feed_server, settings):
    settings.HARVEST_ATTEMPT_BATCH = 100
    (source,) = _serve_304(feed_server, 1)
    Source.objects.filter(pk=source.pk).update(consecutive_errors=0, last_error="")
    before = FetchAttempt.objects.filter(source=source).count()
    with CaptureQueriesContext(connection) as queries:
        counts = harvest_source(source.pk)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert counts.outcome == FetchOutcome.NOT_MODIFIED
    assert statements == ["SELECT", "UPDATE"], statements  # no row lock, no full save, no insert yet
    assert FetchAttempt.objects.filter(source=source).count() == before and fetch_attempts_pending() == 1
    source.refresh_from_db()
    assert source.last_outcome == FetchOutcome.NOT_MODIFIED and source.etag == '"v0"'
    assert source.next_poll_at > timezone.now() + timedelta(minutes=30)
    assert fetch_attempts_flush() == 1 and fetch_attempts_pending() == 0
    attempt = FetchAttempt.objects.filter(source=source).latest("started_at")
    assert attempt.outcome == FetchOutcome.NOT_MODIFIED and attempt.http_status == 304


def test_queued_attempts_are_written_in_one_insert_when_the_batch_fills(feed_server, settings):
    settings.HARVEST_ATTEMPT_BATCH = 5
    sources = _serve_304(feed_server, 5)
    written_before = FetchAttempt.objects.count()
    for source in sources[:4]:
        harvest_source(source.pk)
    assert fetch_attempts_pending() == 4 and FetchAttempt.objects.count() == written_before
    with CaptureQueriesContext(connection) as queries:
        harvest_source(sources[4].pk)  # the fifth fills the batch
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("INSERT")]
    assert len(inserts) == 1 and fetch_attempts_pending() == 0
    assert FetchAttempt.objects.filter(outcome=FetchOutcome.NOT_MODIFIED).count() == 5


def test_an_old_queue_is_flushed_by_the_next_poll_and_any_other_outcome_flushes_it(feed_server, settings):
    settings.HARVEST_ATTEMPT_BATCH = 100
    settings.HARVEST_ATTEMPT_FLUSH_SECONDS = 0.05
    first, second = _serve_304(feed_server, 2)
    harvest_source(first.pk)
    time.sleep(0.1)
    harvest_source(second.pk)  # the oldest row is older than the limit: both go in
    assert fetch_attempts_pending() == 0
    assert FetchAttempt.objects.filter(outcome=FetchOutcome.NOT_MODIFIED).count() == 2
    settings.HARVEST_ATTEMPT_FLUSH_SECONDS = 60
    harvest_source(first.pk)
    assert fetch_attempts_pending() == 1
    feed_server.add("/f1", Reply(200, rss(item("1"), item("new"))))
    harvest_source(second.pk)  # a 200 is recorded in its transaction; the queued 304 goes in with it
    assert fetch_attempts_pending() == 0
    assert FetchAttempt.objects.filter(outcome=FetchOutcome.NOT_MODIFIED).count() == 3


def test_attempts_of_a_source_deleted_before_the_flush_are_dropped(feed_server, settings):
    settings.HARVEST_ATTEMPT_BATCH = 100
    kept, deleted = _serve_304(feed_server, 2)
    harvest_source(kept.pk)
    harvest_source(deleted.pk)
    deleted.delete()
    assert fetch_attempts_flush() == 1
    assert FetchAttempt.objects.filter(outcome=FetchOutcome.NOT_MODIFIED).get().source_id == kept.pk


def test_a_304_of_a_source_deleted_during_the_fetch_is_ignored(feed_server):
    (source,) = _serve_304(feed_server, 1)
    from unittest import mock

    from workers.harvest import fetch as fetching

    real_fetch = fetching.fetch

    def fetch_then_delete(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_fetch(*args, **kwargs)
        Source.objects.filter(pk=source.pk).delete()
        return result

    with mock.patch.object(fetching, "fetch", fetch_then_delete):
        assert harvest_source(source.pk).outcome == "deleted"
    assert fetch_attempts_pending() == 0


def test_a_304_resets_the_error_streak_like_any_success(feed_server):
    (source,) = _serve_304(feed_server, 1)
    Source.objects.filter(pk=source.pk).update(
        consecutive_errors=3, first_error_at=timezone.now(), last_error="timeout", redirect_candidate_count=1
    )
    assert harvest(source).outcome == FetchOutcome.NOT_MODIFIED
    assert (source.consecutive_errors, source.first_error_at, source.last_error) == (0, None, "")
    assert source.redirect_candidate_count == 0 and source.last_success_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_flushes_its_queue_after_a_quiet_moment_and_when_it_stops(feed_server, settings):
    from workers.attempts import flush_later, flush_now

    settings.HARVEST_ATTEMPT_BATCH = 100
    settings.HARVEST_ATTEMPT_FLUSH_SECONDS = 0.2
    first, second = _serve_304(feed_server, 2)
    harvest_source(first.pk)
    flush_later()  # what task_postrun does in a worker
    written = FetchAttempt.objects.filter(source=first, outcome=FetchOutcome.NOT_MODIFIED)
    deadline = time.monotonic() + 10
    while not written.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert written.exists() and fetch_attempts_pending() == 0
    settings.HARVEST_ATTEMPT_FLUSH_SECONDS = 60
    harvest_source(second.pk)
    flush_now()  # what worker_process_shutdown does
    assert FetchAttempt.objects.filter(source=second, outcome=FetchOutcome.NOT_MODIFIED).exists()


def test_one_keep_alive_connection_serves_304s_redirects_and_error_pages(feed_server):
    """An unread body closes its connection: 304s, redirects and error pages are read (they are small), so
    the worker's client keeps one connection per host instead of a new handshake per feed."""
    sources = _serve_304(feed_server, 3)
    feed_server.add("/moved", Reply(302, b"see /f0", {"Location": "/f0"}))
    feed_server.add("/missing", Reply(404, b"<html>not here</html>"))
    moved = Source.objects.create(feed_url=feed_server.url("/moved"))
    missing = Source.objects.create(feed_url=feed_server.url("/missing"))
    before = feed_server.connections
    for source in [*sources, moved, missing, *sources]:
        harvest_source(source.pk)
    assert feed_server.connections - before <= 1
    assert Source.objects.get(pk=missing.pk).last_outcome == FetchOutcome.HTTP_ERROR
    assert Source.objects.get(pk=sources[0].pk).last_outcome == FetchOutcome.NOT_MODIFIED
