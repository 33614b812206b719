"""Related resources beat "same topic, newest" on a small judged set, on either engine."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Designation, Endorsement, InstrumentVersion
from curation.selectors import resource_list_for_api
from curation.selectors.search import resource_related
from tests.factories import ResourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged():
    emergency = TopicFactory(slug="emergency-judged", name="Emergency judged")
    now = timezone.now()

    def make(title, days_ago, text=""):  # type: ignore[no-untyped-def]
        resource = ResourceFactory(
            title=title, text=text or title.lower(), published_at=now - timedelta(days=days_ago)
        )
        resource.topics.add(emergency)
        return resource

    target = make("Hyperkalaemia: ECG changes and emergency treatment", 30)
    relevant = {
        make("Treating hyperkalaemia with calcium and insulin", 40).pk,
        make("ECG changes you must not miss in hyperkalemia", 50).pk,
        make("Hyperkalemia in dialysis patients", 60).pk,
    }
    for n, title in enumerate(
        ["Airway checklist for the night shift", "Department flow at handover", "Sepsis bundles revisited"]
    ):
        make(title, n)  # the newest on the topic, and unrelated
    return target, relevant, emergency


def test_related_beats_same_topic_newest_on_the_judged_set(judged):
    target, relevant, topic = judged
    related = [r.pk for r in resource_related(resource=target, candidates=resource_list_for_api(), limit=3)]
    baseline = list(
        resource_list_for_api()
        .filter(topics=topic)
        .exclude(pk=target.pk)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:3]
    )
    precision = len(set(related) & relevant) / 3
    baseline_precision = len(set(baseline) & relevant) / 3
    assert precision >= 2 / 3 and precision > baseline_precision, (precision, baseline_precision)


def test_vetted_first_and_co_endorsed_resources_are_related(judged):
    target, relevant, _ = judged
    unrelated_text = ResourceFactory(title="Wound closure pearls", text="sutures")
    for n in range(2):
        user = UserFactory(username=f"fan{n}")
        for resource in (target, unrelated_text):
            Endorsement.objects.create(user=user, resource=resource, kind="learner", status="counted")
    vetted = sorted(relevant)[-1]
    Designation.objects.create(
        resource_id=vetted,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    related = [r.pk for r in resource_related(resource=target, candidates=resource_list_for_api(), limit=6)]
    assert related[0] == vetted and unrelated_text.pk in related and target.pk not in related


def test_related_on_the_page_and_in_the_api(judged, client):
    target, _relevant, _ = judged
    body = APIClient().get(f"/api/v1/resources/{target.public_id}/related/").json()
    assert {row["title"] for row in body[:3]} >= {"Treating hyperkalaemia with calcium and insulin"}
    assert "Related resources" in client.get(f"/resources/{target.public_id}/").content.decode()
    assert APIClient().get("/api/v1/resources/not-a-uuid/related/").status_code == 404
