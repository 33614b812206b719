"""API v1 integrity endpoints: who may flag, appeal, claim, declare conflicts, remove, steer reviewers and
version instruments (every persona of the matrix); a denied request changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import Appeal, Assignment, Designation, Flag, InstrumentVersion, SourceClaim, Tombstone
from curation.services.rounds import round_add_candidates, round_assign, round_create
from tests.conftest import make_verified_expert
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"

FLAG = {
    "anonymous": 401,
    "learner": 201,
    "expert": 201,
    "editor": 201,
    "api_key_read": 403,
    "api_key_write": 201,
    "oauth": 201,
}


@pytest.mark.parametrize("persona", list(FLAG))
def test_flag_matrix(personas, persona):
    resource = ResourceFactory()
    response = personas[persona].post(
        f"/api/v1/resources/{resource.public_id}/flags/", {"reason": "Wrong dose"}, format="json"
    )
    assert response.status_code == FLAG[persona], response.content
    assert Flag.objects.count() == (1 if FLAG[persona] == 201 else 0)
    if FLAG[persona] != 201:
        assert response["Content-Type"] == PROBLEM


def test_flag_answers_held_text_and_bad_input_with_problems(personas):
    resource = ResourceFactory()
    url = f"/api/v1/resources/{resource.public_id}/flags/"
    held = personas["learner"].post(url, {"reason": "My patient MRN 12345678 had this"}, format="json").json()
    assert held["held_for_confidentiality"] is True and "medical record" in held["message"]
    for body in ({}, {"reason": ""}, {"reason": "x", "review": "not-a-uuid"}):
        response = personas["learner"].post(url, body, format="json")
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    missing = personas["learner"].post(
        url, {"reason": "x", "review": "00000000-0000-0000-0000-000000000000"}, format="json"
    )
    assert missing.status_code == 404 and Flag.objects.count() == 1


def test_appeal_by_a_non_author_is_refused_and_an_owner_appeals(personas, learner):
    resource = ResourceFactory()
    designation = Designation.objects.create(
        resource=resource,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    body = {"designation": str(designation.public_id), "statement": "The reviewers missed the update"}
    refused = personas["learner"].post("/api/v1/appeals/", body, format="json")
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM and not Appeal.objects.exists()
    assert personas["anonymous"].post("/api/v1/appeals/", body, format="json").status_code == 401
    assert personas["learner"].post("/api/v1/appeals/", {"statement": "x"}, format="json").status_code == 400
    resource.source.owners.add(learner)
    created = personas["learner"].post("/api/v1/appeals/", body, format="json")
    assert created.status_code == 201 and Appeal.objects.get().designation == designation
    assert personas["learner"].post("/api/v1/appeals/", body, format="json").status_code == 409


def test_claims_and_conflicts_are_self_service(personas, expert):
    source = ResourceFactory().source
    claim = personas["learner"].post(f"/api/v1/sources/{source.public_id}/claims/")
    assert claim.status_code == 201 and claim.json()["token"].startswith("foam-curator-claim-")
    assert personas["learner"].get("/api/v1/me/claims/").json()["results"][0]["id"] == claim.json()["id"]
    assert personas["anonymous"].post(f"/api/v1/sources/{source.public_id}/claims/").status_code == 401
    assert SourceClaim.objects.count() == 1
    assert personas["learner"].get("/api/v1/me/conflicts/").status_code == 404  # not an expert
    put = personas["expert"].put(
        "/api/v1/me/conflicts/",
        {"sources": [str(source.public_id)], "authors": ["Ada Quill"], "statement": "I edit it"},
        format="json",
    )
    assert put.status_code == 200 and put.json()["sources"] == [str(source.public_id)]
    assert personas["expert"].get("/api/v1/me/conflicts/").json()["authors"] == ["Ada Quill"]
    unknown = personas["expert"].put(
        "/api/v1/me/conflicts/", {"sources": ["00000000-0000-0000-0000-000000000000"]}, format="json"
    )
    assert unknown.status_code == 404 and personas["expert"].get("/api/v1/me/conflicts/").json()[
        "authors"
    ] == ["Ada Quill"]


REMOVE = {
    "anonymous": 401,
    "learner": 403,
    "expert": 403,
    "editor": 204,
    "api_key_read": 403,
    "api_key_write": 403,
    "oauth": 403,
}


@pytest.mark.parametrize("persona", list(REMOVE))
def test_removal_matrix(personas, persona):
    resource = ResourceFactory()
    response = personas[persona].post(
        f"/api/v1/resources/{resource.public_id}/removal/", {"reason": "Spam"}, format="json"
    )
    assert response.status_code == REMOVE[persona], response.content
    assert Tombstone.objects.count() == (1 if REMOVE[persona] == 204 else 0)


def test_editors_steer_reviewers_and_create_instrument_versions_through_the_api(personas, editor):
    panel = [make_verified_expert(editor, name) for name in ("ann", "bob", "cat")]
    resource = ResourceFactory()
    now = timezone.now()
    air = InstrumentVersion.objects.get(instrument__slug="air", version=1)
    round_ = round_create(
        editor=editor,
        title="API steer",
        instrument_version=air,
        window_start=now - timedelta(days=3),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=5),
    )
    round_add_candidates(editor=editor, round_=round_, resources=[resource])
    round_assign(editor=editor, round_=round_, pool=panel)
    url = f"/api/v1/rounds/{round_.public_id}/assignments/"
    newcomer = make_verified_expert(editor, "dee")
    swap = {
        "resource": str(resource.public_id),
        "remove": str(panel[0].public_id),
        "add": str(newcomer.public_id),
    }
    assert personas["learner"].post(url, swap, format="json").status_code == 403
    assert (
        personas["editor"].post(url, {"resource": str(resource.public_id)}, format="json").status_code == 400
    )
    assert personas["editor"].post(url, swap, format="json").status_code == 204
    assert set(Assignment.objects.values_list("reviewer__username", flat=True)) == {"bob", "cat", "dee"}
    resource.source.owners.add(panel[0])
    conflicted = personas["editor"].post(
        url, {"resource": str(resource.public_id), "add": str(panel[0].public_id)}, format="json"
    )
    assert conflicted.status_code == 403 and Assignment.objects.count() == 3
    version = {"items": air.items, "thresholds": air.thresholds, "min_panel": 4, "notes": "Board panel"}
    assert (
        personas["expert"].post("/api/v1/instruments/air/versions/", version, format="json").status_code
        == 403
    )
    created = personas["editor"].post("/api/v1/instruments/air/versions/", version, format="json")
    assert created.status_code == 201 and created.json()["min_panel"] == 4 and created.json()["version"] == 2
    low = personas["editor"].post(
        "/api/v1/instruments/air/versions/", {**version, "min_panel": 1}, format="json"
    )
    assert low.status_code == 400 and air.instrument.versions.count() == 2


def test_editors_list_and_decide_cases_through_the_api(personas, learner):
    from curation.enums import ClaimStatus, ResourceStatus
    from curation.services.cases import flag_raise
    from curation.services.claims import source_claim_start

    resource = ResourceFactory()
    flag, _ = flag_raise(user=learner, resource=resource, reason="Wrong dose")
    claim = source_claim_start(user=learner, source=resource.source)
    assert personas["learner"].get("/api/v1/cases/").status_code == 403
    open_cases = personas["editor"].get("/api/v1/cases/").json()
    assert [c["id"] for c in open_cases["flags"]] == [str(flag.public_id)] and len(open_cases["claims"]) == 1
    url = f"/api/v1/cases/flag/{flag.public_id}/decision/"
    assert personas["learner"].post(url, {"accept": True, "reason": "x"}, format="json").status_code == 403
    assert personas["editor"].post(url, {"accept": True, "reason": ""}, format="json").status_code == 400
    flag.refresh_from_db()
    assert flag.status == "open"
    assert (
        personas["editor"].post(url, {"accept": True, "reason": "Confirmed"}, format="json").status_code
        == 204
    )
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.HELD
    assert (
        personas["editor"].post(url, {"accept": False, "reason": "again"}, format="json").status_code == 409
    )
    decided = personas["editor"].post(
        f"/api/v1/cases/claim/{claim.public_id}/decision/",
        {"accept": True, "reason": "Mail from the blog"},
        format="json",
    )
    assert decided.status_code == 204 and SourceClaim.objects.get().status == ClaimStatus.VERIFIED
    assert (
        personas["editor"]
        .post(
            f"/api/v1/cases/zine/{claim.public_id}/decision/", {"accept": True, "reason": "x"}, format="json"
        )
        .status_code
        == 404
    )


def test_youtube_fields_are_in_the_api(personas):
    ResourceFactory(title="A short", video_id="abcdefghijk", is_short=True, view_count=12345)
    row = personas["anonymous"].get("/api/v1/resources/").json()["results"][0]
    assert row["is_short"] is True and row["view_count"] == 12345 and row["video_id"] == "abcdefghijk"
