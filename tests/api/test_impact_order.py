"""`ordering=impact` reads the stored, indexed impact key (formula uptake/1: learner + 2 x expert
endorsements) that the metrics service keeps in step with each resource's endorsements."""

import pytest
from rest_framework.test import APIClient

from curation.models import Resource
from curation.services.endorsements import endorsement_put, endorsement_withdraw
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_impact_ordering_follows_endorsements_as_they_land_and_leave(expert):
    quiet, liked, vouched = (
        ResourceFactory(title="Quiet"),
        ResourceFactory(title="Liked"),
        ResourceFactory(title="Vouched"),
    )
    for n in range(3):
        endorsement_put(user=UserFactory(username=f"learner{n}"), resource=liked)
    endorsement_put(user=expert, resource=vouched)  # an expert counts twice
    endorsement_put(user=UserFactory(username="learner9"), resource=vouched)
    assert dict(Resource.objects.values_list("title", "impact_sort")) == {
        "Quiet": 0,
        "Liked": 3,
        "Vouched": 3,
    }
    endorsement_put(user=UserFactory(username="learner10"), resource=vouched)
    order = [
        r["title"] for r in APIClient().get("/api/v1/resources/", {"ordering": "impact"}).json()["results"]
    ]
    assert order == ["Vouched", "Liked", "Quiet"]
    endorsement_withdraw(user=expert, resource=vouched)
    order = [
        r["title"] for r in APIClient().get("/api/v1/resources/", {"ordering": "impact"}).json()["results"]
    ]
    assert order == ["Liked", "Vouched", "Quiet"]
    assert quiet.pk
