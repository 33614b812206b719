"""What the workers do for integrity, against a local server standing in for the internet: a removed
entry never returns on a harvest, a changed vetted resource is marked and queued for re-review, the
weekly liveness check classifies live / degraded / gone, and a claim token placed in a feed is found."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from curation.enums import ClaimStatus, Liveness, ResourceStatus
from curation.models import Designation, InstrumentVersion, Resource, Review
from curation.selectors import designation_rereview_queue, designation_summary, resource_list_vetted
from curation.services.claims import source_claim_start
from curation.services.integrity import resource_remove
from tests.conftest import make_verified_expert
from tests.curation.test_rounds import scores_for
from tests.feedserver import Reply
from tests.workers.helpers import harvest, serve_and_register
from tests.workers.test_pipeline import item, rss
from workers.tasks import check_source_claims, liveness_check_vetted

pytestmark = pytest.mark.django_db


def test_a_harvest_after_an_editors_removal_adds_nothing(feed_server, editor):
    document = rss(
        item("a", "Keep", link="https://blog.example.org/a"),
        item("b", "Spam", link="https://blog.example.org/b"),
    )
    source = serve_and_register(feed_server, "/f", document)
    harvest(source)
    spam = Resource.objects.get(title="Spam")
    resource_remove(editor=editor, resource=spam, reason="Advert, not education")
    # The same entry again, edited, and with a new guid: neither identity nor URL brings it back.
    feed_server.add(
        "/f",
        Reply(
            200,
            rss(
                item("a", "Keep", link="https://blog.example.org/a"),
                item("b", "Spam, edited", link="https://blog.example.org/b", body="<p>New</p>"),
                item("b2", "Spam again", link="https://blog.example.org/b"),
            ),
        ),
    )
    counts = harvest(source)
    assert counts.new_resources == 0 and counts.updated_resources == 0
    assert Resource.objects.filter(status=ResourceStatus.VISIBLE).count() == 1
    assert Resource.objects.get(pk=spam.pk).status == ResourceStatus.REMOVED


def _designate(editor, resource):  # type: ignore[no-untyped-def]
    from curation.services.reviews import review_save_draft, review_submit
    from curation.services.rounds import round_add_candidates, round_assign, round_create, round_publish

    air = InstrumentVersion.objects.get(instrument__slug="air", version=1)
    panel = [make_verified_expert(editor, f"panel{resource.pk}x{n}") for n in range(3)]
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="Drift",
        instrument_version=air,
        window_start=now - timedelta(days=400),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=7),
    )
    round_add_candidates(editor=editor, round_=round_, resources=[resource])
    round_assign(editor=editor, round_=round_, pool=panel)
    for reviewer in panel:
        draft = review_save_draft(
            reviewer=reviewer,
            resource=resource,
            version=air,
            scores=scores_for(32),
            conflict_of_interest="None",
        )
        review_submit(reviewer=reviewer, review=draft)
    return round_publish(editor=editor, round_=round_)[0]


def test_a_material_change_after_review_marks_the_designation_and_queues_a_re_review(feed_server, editor):
    source = serve_and_register(
        feed_server,
        "/f",
        rss(item("a", "Sepsis fluids", link="https://blog.example.org/a", body="<p>30 ml/kg</p>")),
    )
    harvest(source)
    resource = Resource.objects.get()
    designation = _designate(editor, resource)
    assert designation.judged_content_hash == resource.content_hash
    assert set(Review.objects.values_list("judged_content_hash", flat=True)) == {resource.content_hash}
    assert not designation_summary(resource=resource)[0]["changed_since_review"]
    assert list(designation_rereview_queue()) == []
    feed_server.add(
        "/f",
        Reply(
            200,
            rss(
                item(
                    "a",
                    "Sepsis fluids",
                    link="https://blog.example.org/a",
                    body="<p>Now: 20 ml/kg, then reassess</p>",
                )
            ),
        ),
    )
    assert harvest(source).updated_resources == 1
    resource.refresh_from_db()
    assert designation_summary(resource=resource)[0]["changed_since_review"] is True
    assert list(designation_rereview_queue()) == [designation]


@override_settings(HARVEST_TOTAL_TIMEOUT=1.0)
def test_weekly_liveness_check_classifies_live_degraded_and_gone(feed_server, editor):
    paths = {
        "live": Reply(200, b"<html>ok</html>"),
        "missing": Reply(404, b"no"),
        "gone": Reply(410, b"gone"),
        "slow": Reply(200, (b"<p>" for _ in range(50)), delay_between_chunks=0.2),
    }
    source = serve_and_register(feed_server, "/feed", rss(item("x")))
    resources = {}
    for name, reply in paths.items():
        url = feed_server.add(f"/{name}", reply)
        resources[name] = Resource.objects.create(
            source=source, identity_key=name * 8, title=name, canonical_url=url
        )
        _designate(editor, resources[name])
    assert len(resource_list_vetted()) == 4
    tally = liveness_check_vetted()
    assert tally == {"live": 1, "degraded": 2, "gone": 1}
    state = {name: Resource.objects.get(pk=r.pk).liveness for name, r in resources.items()}
    assert state == {
        "live": Liveness.LIVE,
        "missing": Liveness.DEGRADED,
        "gone": Liveness.GONE,
        "slow": Liveness.DEGRADED,
    }
    liveness_check_vetted()  # a second 404 confirms it
    assert Resource.objects.get(pk=resources["missing"].pk).liveness == Liveness.GONE
    vetted = {r.title for r in resource_list_vetted()}
    assert vetted == {"live", "slow"}  # gone resources leave the vetted feeds
    assert {d.resource.title for d in designation_rereview_queue()} == {"missing", "gone"}
    source.refresh_from_db()
    assert source.liveness == Liveness.LIVE and Designation.objects.filter(is_current=True).count() == 4


def test_a_claim_token_placed_in_the_feed_is_found_by_the_worker(feed_server, learner):
    source = serve_and_register(feed_server, "/f", rss(item("a")))
    claim = source_claim_start(user=learner, source=source)
    assert check_source_claims() == {"checked": 1, "verified": 0}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING and "not found" in claim.check_detail
    feed_server.add(
        "/f", Reply(200, rss(item("a"), channel_extra=f"<description>Claimed: {claim.token}</description>"))
    )
    assert check_source_claims() == {"checked": 1, "verified": 1}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and list(source.owners.all()) == [learner]


def test_the_dispatcher_drains_more_than_one_batch_per_tick(settings):
    from unittest import mock

    from curation.models import Source
    from tests.factories import SourceFactory
    from workers.tasks import dispatch_due_sources

    settings.HARVEST_DISPATCH_BATCH = 10
    settings.HARVEST_DISPATCH_MAX_PER_TICK = 1000
    SourceFactory.create_batch(25, next_poll_at=timezone.now() - timedelta(minutes=1))
    with mock.patch("workers.tasks.harvest_source_task.delay") as delay:
        assert dispatch_due_sources() == 25
        assert dispatch_due_sources() == 0  # all claimed: nothing twice
    assert delay.call_count == 25 and len({call.args[0] for call in delay.call_args_list}) == 25
    settings.HARVEST_DISPATCH_MAX_PER_TICK = 15
    Source.objects.update(next_poll_at=timezone.now() - timedelta(minutes=1))
    with mock.patch("workers.tasks.harvest_source_task.delay"):
        assert dispatch_due_sources() == 15  # bounded per tick; the rest next minute
        assert dispatch_due_sources() == 10


def test_old_fetch_attempts_fold_into_daily_sums_that_harvest_health_shows(client, editor):
    from curation.enums import FetchOutcome
    from curation.models import FetchAttempt, FetchDaily
    from tests.factories import SourceFactory
    from workers.tasks import prune_fetch_attempts

    source = SourceFactory()
    now = timezone.now()
    for days_ago, outcome, new in [
        (200, FetchOutcome.OK, 3),
        (200, FetchOutcome.OK, 2),
        (200, FetchOutcome.TIMEOUT, 0),
        (120, FetchOutcome.NOT_MODIFIED, 0),
        (10, FetchOutcome.OK, 1),
    ]:
        FetchAttempt.objects.create(
            source=source,
            started_at=now - timedelta(days=days_ago, hours=1),
            outcome=outcome,
            new_resources=new,
            bytes_received=100,
        )
    assert prune_fetch_attempts() == 4
    assert FetchAttempt.objects.count() == 1  # the recent one stays
    ok = FetchDaily.objects.get(outcome=FetchOutcome.OK)
    assert (ok.attempts, ok.new_resources, ok.bytes_received) == (2, 5, 200)
    assert FetchDaily.objects.count() == 3 and prune_fetch_attempts() == 0
    client.force_login(editor)
    page = client.get("/editor/harvest/").content.decode()
    assert "Older fetches" in page and "Not modified (304)" in page
