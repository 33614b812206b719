from datetime import timedelta

import pytest
from django.utils import timezone

from workers.harvest.hostslots import host_slot


def test_at_most_two_fetches_in_flight_per_host_and_slots_are_released(settings):
    settings.HARVEST_PER_HOST_IN_FLIGHT = 2
    with (
        host_slot("https://emcrit.org/feed/") as first,
        host_slot("https://EMCRIT.org/podcast/") as second,
        host_slot("https://emcrit.org/other/") as third,
        host_slot("https://litfl.com/feed/") as elsewhere,
    ):
        assert (first, second, third, elsewhere) == (True, True, False, True)
    with host_slot("https://emcrit.org/feed/") as again:
        assert again is True


def test_slot_is_released_when_the_fetch_raises(settings):
    settings.HARVEST_PER_HOST_IN_FLIGHT = 1
    with pytest.raises(RuntimeError), host_slot("https://rebelem.com/feed/"):
        raise RuntimeError("boom")
    with host_slot("https://rebelem.com/feed/") as acquired:
        assert acquired is True


@pytest.mark.django_db
def test_the_host_slot_covers_the_fetch_only_and_a_busy_host_defers(feed_server, settings):
    from unittest import mock

    from curation.models import FetchAttempt
    from tests.workers.helpers import serve_and_register
    from tests.workers.test_pipeline import item, rss
    from workers.harvest import pipeline
    from workers.tasks import harvest_source_task

    source = serve_and_register(feed_server, "/f", rss(item("1")))
    seen_while_parsing = []
    real_parse = pipeline.parse_feed

    def parse_and_look(*args, **kwargs):  # type: ignore[no-untyped-def]
        with host_slot(source.feed_url) as free:  # the harvest's own slot is already released here
            seen_while_parsing.append(free)
        return real_parse(*args, **kwargs)

    settings.HARVEST_PER_HOST_IN_FLIGHT = 1
    with mock.patch.object(pipeline, "parse_feed", parse_and_look):
        assert harvest_source_task(source.pk)["outcome"] == "ok"
    assert seen_while_parsing == [True]
    before = timezone.now()
    with host_slot(source.feed_url), mock.patch.object(harvest_source_task, "apply_async") as again:
        assert harvest_source_task(source.pk)["outcome"] == "deferred"
    again.assert_not_called()  # no delayed message for a worker to hold
    source.refresh_from_db()  # due again within seconds, for the dispatcher
    assert before + timedelta(seconds=2) <= source.next_poll_at <= timezone.now() + timedelta(seconds=10)
    assert FetchAttempt.objects.count() == 1  # deferred: nothing fetched, nothing recorded
