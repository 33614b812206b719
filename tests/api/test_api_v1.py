"""API v1: authorisation matrix for every endpoint, pinned query counts, search and filters,
problem details, conditional GET, CORS, quotas and the curated feeds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import ApiKeyScope, Designation, Endorsement, InstrumentVersion, Review
from curation.services.apikeys import api_key_issue, api_key_revoke
from curation.services.metrics import metrics_refresh_resource
from tests.api.conftest import oauth_access_token
from tests.factories import ResourceFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "learner", "expert", "editor", "api_key_read", "api_key_write", "oauth"]
PROBLEM = "application/problem+json"


@pytest.fixture
def resource():
    resource = ResourceFactory(title="Hyperkalaemia: the ECG is insensitive", text="calcium insulin dialysis")
    metrics_refresh_resource(resource_id=resource.pk)
    return resource


READS = [
    "/api/v1/",
    "/api/v1/resources/",
    "/api/v1/resources/{r}/",
    "/api/v1/resources/{r}/metrics/",
    "/api/v1/sources/",
    "/api/v1/topics/",
    "/api/v1/instruments/",
    "/api/v1/instruments/air/",
    "/api/v1/reviews/",
    "/api/v1/rounds/",
    "/api/v1/designations/",
    "/api/v1/reliability/",
    "/api/v1/schema/",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", READS)
def test_every_persona_reads_the_public_endpoints(personas, resource, persona, path):
    response = personas[persona].get(path.format(r=resource.public_id))
    assert response.status_code == 200, (persona, path, response.content[:300])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("learner", 200),
        ("expert", 200),
        ("editor", 200),
        ("api_key_read", 200),
        ("api_key_write", 200),
        ("oauth", 200),
    ],
)
def test_me_needs_a_signed_in_user(personas, persona, expected):
    response = personas[persona].get("/api/v1/me/")
    assert response.status_code == expected
    if expected == 401:
        assert response["Content-Type"] == PROBLEM and "WWW-Authenticate" in response


ENDORSE = {
    "anonymous": 401,
    "learner": 201,
    "expert": 201,
    "editor": 201,
    "api_key_read": 403,
    "api_key_write": 201,
    "oauth": 201,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_endorsement_put_and_delete_matrix(personas, resource, persona):
    client = personas[persona]
    put = client.put(
        f"/api/v1/resources/{resource.public_id}/endorsement/", {"note": "Used it on shift"}, format="json"
    )
    assert put.status_code == ENDORSE[persona], put.content
    if ENDORSE[persona] != 201:
        assert put["Content-Type"] == PROBLEM and Endorsement.objects.count() == 0
        assert (
            client.delete(f"/api/v1/resources/{resource.public_id}/endorsement/").status_code
            == ENDORSE[persona]
        )
        return
    again = client.put(
        f"/api/v1/resources/{resource.public_id}/endorsement/", {"note": "Used it on shift"}, format="json"
    )
    assert again.status_code == 200 and Endorsement.objects.count() == 1  # idempotent
    assert client.get(f"/api/v1/resources/{resource.public_id}/endorsement/").status_code == 200
    assert client.delete(f"/api/v1/resources/{resource.public_id}/endorsement/").status_code == 204
    assert client.delete(f"/api/v1/resources/{resource.public_id}/endorsement/").status_code == 204
    assert Endorsement.objects.get().status == "withdrawn"


REVIEW = {
    "anonymous": 401,
    "learner": 403,
    "expert": 200,
    "editor": 403,
    "api_key_read": 403,
    "api_key_write": 200,
    "oauth": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_draft_and_submit_matrix(personas, resource, persona):
    client = personas[persona]
    air = InstrumentVersion.objects.get(instrument__slug="air")
    scores = {item["key"]: 6 for item in air.items}
    body = {
        "resource": str(resource.public_id),
        "instrument": "air",
        "scores": scores,
        "conflict_of_interest": "None",
    }
    draft = client.post("/api/v1/reviews/", body, format="json")
    assert draft.status_code == REVIEW[persona], draft.content
    if REVIEW[persona] != 200:
        assert draft["Content-Type"] == PROBLEM and Review.objects.count() == 0
        return
    review_id = draft.json()["id"]
    assert draft.json()["status"] == "draft"
    submitted = client.post(f"/api/v1/reviews/{review_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["total"] == 30.0
    assert personas["anonymous"].get(f"/api/v1/reviews/{review_id}/").status_code == 200


def test_review_submitted_by_someone_else_cannot_be_submitted_or_seen_as_draft(
    personas, resource, expert, editor
):
    from tests.factories import ExpertProfileFactory, UserFactory

    other = ExpertProfileFactory(
        user=UserFactory(username="other-expert", role="expert"),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    ).user
    client = APIClient()
    client.force_login(other)
    draft = client.post(
        "/api/v1/reviews/",
        {"resource": str(resource.public_id), "instrument": "gestalt", "scores": {"recommend": 5}},
        format="json",
    )
    review_id = draft.json()["id"]
    for persona in ("expert", "anonymous", "learner"):
        assert personas[persona].get(f"/api/v1/reviews/{review_id}/").status_code == 404
    assert personas["expert"].post(f"/api/v1/reviews/{review_id}/submit/").status_code == 404
    assert Review.objects.get().status == "draft"


def test_review_validation_errors_come_back_per_item(personas, resource):
    body = {"resource": str(resource.public_id), "instrument": "air", "scores": {"beem": 9}}
    response = personas["expert"].post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "beem" in response.json()["errors"] and Review.objects.count() == 0


def test_oauth_token_with_read_scope_only_cannot_write(expert, resource):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {oauth_access_token(expert, scope='read')}")
    assert client.get("/api/v1/me/").status_code == 200
    assert (
        client.put(f"/api/v1/resources/{resource.public_id}/endorsement/", {}, format="json").status_code
        == 403
    )
    assert Endorsement.objects.count() == 0


def test_revoked_or_forged_api_keys_are_refused(expert, resource):
    key, raw = api_key_issue(owner=expert, name="old app", scope=ApiKeyScope.READ_WRITE)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.get("/api/v1/me/").json()["username"] == "expert"
    api_key_revoke(owner=expert, key=key)
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_X_API_KEY=raw[:-3] + "xyz")
    assert client.get("/api/v1/resources/").status_code == 401
    secret = raw.split("_", 2)[2]  # the secret itself may contain "_"
    assert len(key.key_hash) == 64 and secret and secret not in key.key_hash  # only a hash is stored


def test_api_key_quota_is_enforced_per_key(expert):
    _, raw = api_key_issue(owner=expert, name="tiny", requests_per_hour=2)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    statuses = [client.get("/api/v1/topics/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_drafts_held_items_and_blinded_reviews_never_leak_into_lists(personas, resource, expert):
    from curation.services.reviews import review_save_draft

    review_save_draft(
        reviewer=expert,
        resource=resource,
        version=InstrumentVersion.objects.get(instrument__slug="air"),
        scores={},
    )
    held = ResourceFactory(status="held", title="Held resource")
    for persona in ("anonymous", "learner", "api_key_read"):
        assert personas[persona].get("/api/v1/reviews/").json()["results"] == []
        titles = [r["title"] for r in personas[persona].get("/api/v1/resources/").json()["results"]]
        assert "Held resource" not in titles
        assert personas[persona].get(f"/api/v1/resources/{held.public_id}/").status_code == 404


LISTS = [
    "/api/v1/resources/",
    "/api/v1/resources/?q=emergency",
    "/api/v1/sources/",
    "/api/v1/topics/",
    "/api/v1/instruments/",
    "/api/v1/reviews/",
    "/api/v1/rounds/",
    "/api/v1/designations/",
]


def make_rows(count: int, editor) -> None:
    from curation.services.reviews import review_save_draft, review_submit
    from tests.curation.test_rounds import scores_for
    from tests.factories import ExpertProfileFactory, UserFactory

    topic = TopicFactory()
    air = InstrumentVersion.objects.get(instrument__slug="air")
    reviewer = ExpertProfileFactory(
        user=UserFactory(role="expert"),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    ).user
    for n in range(count):
        resource = ResourceFactory(
            title=f"Emergency topic {n}", topics=[topic], source=SourceFactory(topics=[topic])
        )
        review_submit(
            reviewer=reviewer,
            review=review_save_draft(
                reviewer=reviewer,
                resource=resource,
                version=air,
                scores=scores_for(30),
                conflict_of_interest="None",
            ),
        )
        Designation.objects.create(
            resource=resource,
            instrument_version=air,
            label="Approved",
            mean_total=30,
            review_count=1,
            published_at=timezone.now(),
        )


@pytest.mark.parametrize("path", LISTS)
def test_list_query_counts_are_pinned_and_do_not_grow_with_page_size(path, editor):
    client = APIClient()
    make_rows(3, editor)
    client.get(path)  # warm the caches every process keeps (search vocabulary): counts are per request
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    make_rows(17, editor)
    with CaptureQueriesContext(connection) as large:
        body = client.get(path + ("&" if "?" in path else "?") + "page_size=100").json()
    assert len(large) == len(small) <= 8, [q["sql"][:120] for q in large.captured_queries]
    assert len(body["results"]) >= min(20, len(body["results"]))


def test_search_returns_snippets_and_relevance_ordering(resource):
    ResourceFactory(title="Electrolytes", text="Severe hyperkalaemia treatment with calcium")
    body = APIClient().get("/api/v1/resources/", {"q": "hyperkalaemia"}).json()
    assert body["results"][0]["title"].startswith("Hyperkalaemia")
    assert all("<mark>" in (row["snippet"] or "") for row in body["results"])


def test_search_pages_follow_next_links_and_refuse_a_tampered_cursor():
    for n in range(7):
        ResourceFactory(title=f"Sepsis {n}" if n % 2 else f"Fever {n}", text="sepsis and fluids")
    client, seen, url = APIClient(), [], "/api/v1/resources/?q=sepsis&page_size=3"
    while url:
        body = client.get(url).json()
        assert body["previous"] is None  # relevance pages read forwards
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7
    response = client.get("/api/v1/resources/?q=sepsis&cursor=forged")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "podcast"}, ["episode"]),
        ({"topic": "toxicology"}, ["tox"]),
        ({"designation": "approved"}, ["approved"]),
        ({"min_score": "air:30"}, ["approved"]),
        ({"reviewed": "true"}, ["approved"]),
        ({"reviewed": "false"}, ["episode", "tox", "old"]),
        ({"published_after": "2026-01-01T00:00:00Z"}, ["approved", "episode", "tox"]),
        ({"language": "fr"}, ["tox"]),
        ({"ordering": "score"}, None),
    ],
)
def test_filters(params, expected, editor):
    from curation.models import Topic
    from curation.services.reviews import review_save_draft, review_submit
    from tests.curation.test_rounds import scores_for
    from tests.factories import ExpertProfileFactory, UserFactory

    air = InstrumentVersion.objects.get(instrument__slug="air")
    approved = ResourceFactory(title="approved", published_at=timezone.now())
    ResourceFactory(title="episode", source=SourceFactory(kind="podcast"), published_at=timezone.now())
    ResourceFactory(
        title="tox", topics=[Topic.objects.get(slug="toxicology")], language="fr", published_at=timezone.now()
    )
    ResourceFactory(title="old", published_at=timezone.now() - timedelta(days=3000))
    reviewer = ExpertProfileFactory(
        user=UserFactory(role="expert"),
        verification_status="approved",
        decided_by=editor,
        decided_at=timezone.now(),
    ).user
    review_submit(
        reviewer=reviewer,
        review=review_save_draft(
            reviewer=reviewer,
            resource=approved,
            version=air,
            scores=scores_for(31),
            conflict_of_interest="None",
        ),
    )
    Designation.objects.create(
        resource=approved,
        instrument_version=air,
        label="Approved",
        mean_total=31,
        review_count=1,
        published_at=timezone.now(),
    )
    response = APIClient().get("/api/v1/resources/", params)
    assert response.status_code == 200, response.content
    titles = [row["title"] for row in response.json()["results"]]
    if expected is None:
        assert titles[0] == "approved"
    else:
        assert sorted(titles) == sorted(expected)


@pytest.mark.parametrize(
    "params",
    [
        {"source": "not-a-uuid"},
        {"min_score": "air:high"},
        {"ordering": "relevance"},
        {"published_after": "yesterday"},
        {"kind": "tv"},
    ],
)
def test_bad_filters_are_400_problems(params):
    response = APIClient().get("/api/v1/resources/", params)
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM


def test_conditional_get_answers_304_to_a_matching_etag(resource):
    client = APIClient()
    first = client.get("/api/v1/resources/")
    assert first.has_header("ETag")
    assert client.get("/api/v1/resources/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    detail = client.get(f"/api/v1/resources/{resource.public_id}/")
    assert (
        client.get(f"/api/v1/resources/{resource.public_id}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
        == 304
    )


def test_cors_allows_cross_origin_reads_but_not_writes(resource):
    client = APIClient()
    read = client.get("/api/v1/resources/", HTTP_ORIGIN="https://dashboard.example.org")
    assert read["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        f"/api/v1/resources/{resource.public_id}/endorsement/",
        HTTP_ORIGIN="https://x.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )
    assert "PUT" not in preflight.get("Access-Control-Allow-Methods", "")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/v1/nowhere/", 404), ("delete", "/api/v1/resources/", 405), ("get", "/api/nothing", 404)],
)
def test_errors_are_problem_details(method, path, status):
    response = getattr(APIClient(), method)(path)
    assert response.status_code == status and response["Content-Type"] == PROBLEM
    assert response.json()["status"] == status and response.json()["title"]


def test_curated_feeds_carry_only_vetted_resources_overall_and_per_topic(editor):
    air = InstrumentVersion.objects.get(instrument__slug="air")
    topic = TopicFactory(slug="toxicology-demo", name="Tox demo")
    vetted = ResourceFactory(
        title="Vetted one",
        topics=[topic],
        enclosure_url="https://cdn.example.org/e.mp3",
        enclosure_type="audio/mpeg",
    )
    ResourceFactory(title="Never reviewed")
    Designation.objects.create(
        resource=vetted,
        instrument_version=air,
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    client = APIClient()
    rss = client.get("/feeds/vetted.rss")
    assert rss.status_code == 200 and b"Vetted one" in rss.content and b"Never reviewed" not in rss.content
    assert b"<rss" in rss.content and b"<feed" in client.get("/feeds/vetted.atom").content
    json_feed = client.get("/feeds/vetted.json")
    assert json_feed["Content-Type"].startswith("application/feed+json")
    body = json_feed.json()
    assert body["version"] == "https://jsonfeed.org/version/1.1" and [i["title"] for i in body["items"]] == [
        "Vetted one"
    ]
    assert body["items"][0]["attachments"][0]["url"] == "https://cdn.example.org/e.mp3"
    assert [i["title"] for i in client.get("/feeds/topics/toxicology-demo.json").json()["items"]] == [
        "Vetted one"
    ]
    assert client.get("/feeds/topics/emergency-medicine.json").json()["items"] == []
    assert client.get("/feeds/topics/no-such-topic.rss").status_code == 404


def test_list_serializer_fast_path_matches_the_declared_fields(editor):
    from rest_framework import serializers as drf

    from api.serializers import ResourceSerializer
    from curation.models import Topic
    from curation.selectors import resource_list_for_api

    ResourceFactory(title="Plain", topics=[Topic.objects.get(slug="toxicology")])
    ResourceFactory(title="Episode", enclosure_url="https://example.org/a.mp3", enclosure_type="audio/mpeg")
    for resource in resource_list_for_api():
        serializer = ResourceSerializer(resource, context={"snippets": {resource.pk: "<mark>x</mark>"}})
        assert serializer.data == drf.ModelSerializer.to_representation(serializer, resource)


@pytest.mark.parametrize("value", ["air", "air:", ":30", "air:lots"])
def test_a_malformed_score_floor_is_a_clear_400(value):
    response = APIClient().get("/api/v1/resources/", {"min_score": value})
    assert response.status_code == 400 and "min_score" in response.json()["errors"]
