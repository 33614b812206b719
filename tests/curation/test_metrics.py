import random
from datetime import timedelta

import pytest
from django.utils import timezone

from curation.enums import VerificationStatus
from curation.errors import Conflict, NotAllowed
from curation.models import InstrumentVersion, Resource, ResourceMetrics, UsageVisit
from curation.services.endorsements import endorsement_put, endorsement_withdraw
from curation.services.metrics import (
    metrics_recompute_all,
    metrics_refresh_resource,
    resource_click_record,
    resource_save,
    resource_unsave,
    resource_view_record,
    usage_visits_prune,
)
from curation.services.reviews import review_decide, review_save_draft, review_submit, review_withdraw
from research.analysis import instrument_reliability_snapshot
from tests.factories import ExpertProfileFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db
FIELDS = [
    "views",
    "clicks",
    "saves",
    "learner_endorsements",
    "expert_endorsements",
    "review_count",
    "instruments",
    "ranking_score",
]


def make_experts(editor, count):
    from django.utils import timezone

    return [
        ExpertProfileFactory(
            user=UserFactory(username=f"x{n}", role="expert"),
            verification_status=VerificationStatus.APPROVED,
            decided_by=editor,
            decided_at=timezone.now(),
        ).user
        for n in range(count)
    ]


def random_scores(version, rng):
    return {item["key"]: rng.randint(item["scale"]["min"], item["scale"]["max"]) for item in version.items}


def snapshot():
    return {m.resource_id: {f: getattr(m, f) for f in FIELDS} for m in ResourceMetrics.objects.all()}


def test_nightly_recompute_equals_the_incremental_values_on_a_randomised_scenario(editor):
    rng = random.Random(20261122)
    versions = list(InstrumentVersion.objects.filter(instrument__slug__in=["air", "gestalt", "rmetriq"]))
    resources = ResourceFactory.create_batch(8)
    experts = make_experts(editor, 6)
    learners = [UserFactory(username=f"l{n}") for n in range(10)]
    for resource in resources:
        metrics_refresh_resource(resource_id=resource.pk)
    for step in range(160):
        resource = rng.choice(resources)
        action = rng.random()
        if action < 0.35:
            expert, version = rng.choice(experts), rng.choice(versions)
            try:
                review = review_save_draft(
                    reviewer=expert,
                    resource=resource,
                    version=version,
                    scores=random_scores(version, rng),
                    conflict_of_interest="None",
                )
                review_submit(reviewer=expert, review=review)
                if rng.random() < 0.2:
                    review_decide(editor=editor, review=review, accept=rng.random() < 0.5, reason="checked")
                elif rng.random() < 0.1:
                    review_withdraw(reviewer=expert, review=review)
            except (Conflict, NotAllowed):  # refusals (already submitted, final) are part of the scenario
                continue
        elif action < 0.6:
            endorsement_put(user=rng.choice(learners + experts), resource=resource)
        elif action < 0.7:
            endorsement_withdraw(user=rng.choice(learners), resource=resource)
        elif action < 0.8:
            resource_save(user=rng.choice(learners), resource=resource)
        elif action < 0.85:
            resource_unsave(user=rng.choice(learners), resource=resource)
        elif action < 0.95:
            resource_view_record(resource_id=resource.pk, visitor=f"visitor-{rng.randrange(5)}")
        else:
            resource_click_record(resource_id=resource.pk, visitor=f"visitor-{rng.randrange(5)}")
        if step == 80:
            for version in versions:
                instrument_reliability_snapshot(version=version)
            for (
                r
            ) in resources:  # a new snapshot changes reliability figures: refresh like the nightly job does
                metrics_refresh_resource(resource_id=r.pk)
    incremental = snapshot()
    assert sum(v["review_count"] for v in incremental.values()) > 20
    assert sum(v["views"] for v in incremental.values()) > 0
    # the indexed sort key of score-ordered lists follows every change
    keys = dict(Resource.objects.values_list("pk", "score_sort"))
    assert keys == {
        pk: -1.0 if v["ranking_score"] is None else v["ranking_score"] for pk, v in incremental.items()
    }
    assert any(key >= 0 for key in keys.values())
    metrics_recompute_all()
    nightly = snapshot()
    differences = [
        (resource_id, field, incremental[resource_id][field], nightly[resource_id][field])
        for resource_id in incremental
        for field in FIELDS
        if incremental[resource_id][field] != nightly[resource_id][field]
    ]
    assert differences == []


def test_ranking_score_is_the_documented_bayesian_average(editor):
    air = InstrumentVersion.objects.get(instrument__slug="air")
    resource = ResourceFactory()
    experts = make_experts(editor, 2)
    for expert, per_item in zip(experts, [7, 4], strict=True):  # totals 35 and 20 out of 5..35
        review = review_save_draft(
            reviewer=expert,
            resource=resource,
            version=air,
            scores={i["key"]: per_item for i in air.items},
            conflict_of_interest="None",
        )
        review_submit(reviewer=expert, review=review)
    metrics = ResourceMetrics.objects.get(resource=resource)
    normalised = (35 - 5) / 30 + (20 - 5) / 30
    assert metrics.ranking_score == pytest.approx((3 * 0.5 + normalised) / (3 + 2))
    summary = metrics.instruments["air/v1"]
    assert summary["n"] == 2 and summary["mean"] == 27.5 and summary["sd"] == pytest.approx(10.6066, abs=1e-3)
    assert summary["ci95"] == pytest.approx(
        [27.5 - 12.7062 * 10.6066 / 2**0.5, 27.5 + 12.7062 * 10.6066 / 2**0.5], abs=1e-2
    )


def test_unreviewed_resource_has_no_ranking_score_rather_than_a_low_one():
    resource = ResourceFactory()
    assert metrics_refresh_resource(resource_id=resource.pk).ranking_score is None


def test_reliability_and_more_ratings_needed_come_from_the_instrument_snapshot(editor):
    gestalt = InstrumentVersion.objects.get(instrument__slug="gestalt")
    experts = make_experts(editor, 3)
    resources = ResourceFactory.create_batch(4)
    for resource, scores in zip(resources, [(7, 6, 7), (2, 3, 2), (5, 4, 5), (3, 3, 4)], strict=True):
        for expert, score in zip(experts, scores, strict=True):
            review = review_save_draft(
                reviewer=expert,
                resource=resource,
                version=gestalt,
                scores={"recommend": score},
                conflict_of_interest="None",
            )
            review_submit(reviewer=expert, review=review)
    snapshot_row = instrument_reliability_snapshot(version=gestalt)
    assert snapshot_row.result["design"] == "crossed" and snapshot_row.single_rater_icc > 0.5
    summary = metrics_refresh_resource(resource_id=resources[0].pk).instruments["gestalt/v1"]
    assert 0 < summary["reliability"] <= 1 and summary["more_ratings_needed"] is not None


def test_views_and_clicks_are_counted_daily_and_on_the_metrics_row():
    resource = ResourceFactory()
    for visitor in ("a", "b", "c"):
        resource_view_record(resource_id=resource.pk, visitor=visitor)
    resource_click_record(resource_id=resource.pk, visitor="a")
    metrics = ResourceMetrics.objects.get(resource=resource)
    assert (metrics.views, metrics.clicks) == (3, 1)
    assert resource.daily_stats.get().views == 3


def test_a_visitor_counts_once_a_day_and_no_raw_identifier_is_stored(time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    resource = ResourceFactory()
    assert resource_view_record(resource_id=resource.pk, visitor="address:203.0.113.9|Firefox") is True
    for _ in range(5):
        assert resource_view_record(resource_id=resource.pk, visitor="address:203.0.113.9|Firefox") is False
        assert resource_click_record(resource_id=resource.pk, visitor="session:abc") in (True, False)
    metrics = ResourceMetrics.objects.get(resource=resource)
    assert (metrics.views, metrics.clicks) == (1, 1)
    stored = list(UsageVisit.objects.values_list("visitor", flat=True))
    assert stored and not any("203.0.113.9" in v or "abc" in v for v in stored)
    time_machine.move_to(start + timedelta(days=1), tick=False)
    assert resource_view_record(resource_id=resource.pk, visitor="address:203.0.113.9|Firefox") is True
    assert ResourceMetrics.objects.get(resource=resource).views == 2
    time_machine.move_to(start + timedelta(days=4), tick=False)
    assert usage_visits_prune() == 3 and not UsageVisit.objects.exists()
