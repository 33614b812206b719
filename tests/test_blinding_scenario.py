"""The integrity promise end to end: while a round is open, a submitted score is visible nowhere public.

A round with 3 reviewers, 2 submitted. Anonymous visitors, a learner, the third reviewer, an API key
and an OAuth token look at every public surface (resource pages and cards, search and its score
filter, score ordering and its stored sort key, API lists and details, metrics, reviews, rounds,
designations, feeds, portfolios and their CSV, the research dashboard and its data, the research
export) and find no score, no count and no round. After publication everyone sees them. Runs on
whichever database the suite uses (PostgreSQL in CI)."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from curation.enums import ReviewStatus
from curation.models import ApiKeyScope, Assignment, InstrumentVersion, Resource, ResourceMetrics, Review
from curation.services.apikeys import api_key_issue
from curation.services.metrics import metrics_refresh_resource
from curation.services.reviews import review_save_draft, review_submit
from curation.services.rounds import round_add_candidates, round_assign, round_create, round_publish
from research.exports import research_export
from research.report import research_results_refresh
from tests.api.conftest import oauth_access_token
from tests.conftest import make_verified_expert
from tests.curation.test_rounds import scores_for
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ROUND_TITLE = "Blinded electrolytes round"


@pytest.fixture
def scenario(editor, learner):
    cache.clear()
    air = InstrumentVersion.objects.get(instrument__slug="air", version=1)
    reviewers = [make_verified_expert(editor, name) for name in ("ada", "ben", "cy")]
    target = ResourceFactory(title="Hyperkalaemia zebra primer", text="hyperkalaemia zebra calcium")
    other = ResourceFactory(title="Unreviewed zebra notes", text="zebra notes")
    for resource in (target, other):
        metrics_refresh_resource(resource_id=resource.pk)
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title=ROUND_TITLE,
        instrument_version=air,
        window_start=now - timedelta(days=30),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=7),
        reviewers_per_candidate=3,
    )
    round_add_candidates(editor=editor, round_=round_, resources=[target])
    round_assign(editor=editor, round_=round_, pool=reviewers)
    assert Assignment.objects.filter(candidate__round=round_).count() == 3
    submitted = []
    for reviewer, total in zip(reviewers[:2], (35, 33), strict=True):
        review = review_save_draft(
            reviewer=reviewer,
            resource=target,
            version=air,
            scores=scores_for(total),
            comments="<p>Superb zebra teaching</p>",
            conflict_of_interest="None",
        )
        submitted.append(review_submit(reviewer=reviewer, review=review))
    _, raw_key = api_key_issue(owner=learner, name="dashboard", scope=ApiKeyScope.READ)
    api_key = APIClient()
    api_key.credentials(HTTP_X_API_KEY=raw_key)
    oauth = APIClient()
    oauth.credentials(HTTP_AUTHORIZATION=f"Bearer {oauth_access_token(learner)}")
    web_learner, web_third, api_third = Client(), Client(), APIClient()
    web_learner.force_login(learner)
    web_third.force_login(reviewers[2])
    api_third.force_login(reviewers[2])
    return {
        "air": air,
        "round": round_,
        "target": target,
        "other": other,
        "reviewers": reviewers,
        "submitted": submitted,
        "web": {"anonymous": Client(), "learner": web_learner, "third reviewer": web_third},
        "api": {
            "anonymous": APIClient(),
            "API key": api_key,
            "OAuth token": oauth,
            "third reviewer": api_third,
        },
    }


def _pages(s) -> list[str]:
    target, (ada, ben, _) = s["target"], s["reviewers"]
    return [
        "/",
        f"/resources/{target.public_id}/",
        "/search/?q=zebra",
        "/search/?q=zebra&score=air:5",
        f"/sources/{target.source.public_id}/",
        f"/experts/{ada.public_id}/portfolio/",
        f"/experts/{ben.public_id}/portfolio/",
        f"/experts/{ada.public_id}/portfolio.csv",
        "/research/",
        "/research/score-distributions.csv",
        "/research/reliability-vs-raters.csv",
        "/research/signal-correlations.csv",
        "/feeds/vetted.rss",
        "/feeds/vetted.atom",
        "/feeds/vetted.json",
    ]


def _api(s) -> list[str]:
    target = s["target"]
    return [
        "/api/v1/resources/",
        "/api/v1/resources/?q=zebra",
        f"/api/v1/resources/{target.public_id}/",
        f"/api/v1/resources/{target.public_id}/metrics/",
        "/api/v1/resources/?min_score=air:5",
        "/api/v1/resources/?ordering=score",
        f"/api/v1/reviews/?resource={target.public_id}",
        "/api/v1/reviews/",
        "/api/v1/rounds/",
        f"/api/v1/rounds/{s['round'].public_id}/",
        "/api/v1/designations/",
        "/api/v1/reliability/",
    ]


def _secrets(s) -> list[str]:
    """What must not appear anywhere public while the round is open."""
    return [
        ROUND_TITLE,
        str(s["round"].public_id),
        "Superb zebra teaching",
        *(str(r.public_id) for r in s["submitted"]),
    ]


def test_an_open_round_leaks_nothing_and_publication_shows_everything(scenario, editor, tmp_path):
    s = scenario
    target = s["target"]
    assert research_results_refresh()["refreshed"]  # what the research worker stores, during the round
    for who, client in s["web"].items():
        for path in _pages(s):
            response = client.get(path)
            body = response.content.decode()
            assert response.status_code == 200, (who, path, response.status_code)
            for secret in _secrets(s):
                assert secret not in body, (who, path, secret)
            if path == f"/resources/{target.public_id}/":
                assert "Not yet reviewed" in body and "Superb" not in body, who
            if path.startswith("/search/?q=zebra&score="):
                assert "Hyperkalaemia zebra primer" not in body, (who, "the min_score oracle")
            if path.endswith("portfolio.csv"):
                assert len(list(csv.reader(io.StringIO(body)))) == 1, (who, "only the header")
    for who, client in s["api"].items():
        for path in _api(s):
            response = client.get(path)
            assert response.status_code == (
                404 if path.startswith("/api/v1/rounds/") and path != "/api/v1/rounds/" else 200
            ), (who, path, response.content[:200])
            body = response.content.decode()
            for secret in _secrets(s):
                assert secret not in body, (who, path, secret)
        detail = client.get(f"/api/v1/resources/{target.public_id}/").json()
        assert (
            detail["scores"] == [] and detail["designations"] == [] and detail["metrics"]["review_count"] == 0
        ), who
        assert client.get(f"/api/v1/resources/{target.public_id}/metrics/").json()["instruments"] == {}, who
        assert client.get("/api/v1/resources/?min_score=air:5").json()["results"] == [], (
            who,
            "min_score oracle",
        )
        ordered = [r["id"] for r in client.get("/api/v1/resources/?ordering=score").json()["results"]]
        assert ordered == [str(r.public_id) for r in Resource.objects.order_by("-id")], (
            who,
            "score ordering oracle",
        )
        assert client.get(f"/api/v1/reviews/?resource={target.public_id}").json()["results"] == [], who
        for review in s["submitted"]:
            assert client.get(f"/api/v1/reviews/{review.public_id}/").status_code == 404, who
    assert Resource.objects.get(pk=target.pk).score_sort == -1.0  # the stored sort key
    assert ResourceMetrics.objects.get(resource=target).review_count == 0
    assert research_export(tmp_path, secret=settings.RESEARCH_PSEUDONYM_KEY)["reviews.csv"] == 0

    # The third reviewer submits: now they see their co-reviewers' reviews; the public still sees nothing.
    third = s["reviewers"][2]
    last = review_submit(
        reviewer=third,
        review=review_save_draft(
            reviewer=third,
            resource=target,
            version=s["air"],
            scores=scores_for(34),
            conflict_of_interest="None",
        ),
    )
    seen = {
        r["id"]
        for r in s["api"]["third reviewer"]
        .get(f"/api/v1/reviews/?resource={target.public_id}")
        .json()["results"]
    }
    assert seen == {str(r.public_id) for r in [*s["submitted"], last]}
    assert s["api"]["anonymous"].get(f"/api/v1/reviews/?resource={target.public_id}").json()["results"] == []

    round_publish(editor=editor, round_=s["round"])
    assert research_results_refresh()["refreshed"]  # the worker's next look sees the published round
    cache.clear()
    for who, client in s["api"].items():
        detail = client.get(f"/api/v1/resources/{target.public_id}/").json()
        assert detail["metrics"]["review_count"] == 3 and detail["designations"][0]["label"] == "Approved", (
            who
        )
        assert (
            detail["designations"][0]["provisional"] is False
            and detail["designations"][0]["review_count"] == 3
        )
        assert [r["id"] for r in client.get("/api/v1/resources/?min_score=air:5").json()["results"]] == [
            str(target.public_id)
        ]
        assert client.get("/api/v1/resources/?ordering=score").json()["results"][0]["id"] == str(
            target.public_id
        )
        assert len(client.get(f"/api/v1/reviews/?resource={target.public_id}").json()["results"]) == 3, who
        assert ROUND_TITLE in client.get("/api/v1/rounds/").content.decode(), who
    for who, client in s["web"].items():
        page = client.get(f"/resources/{target.public_id}/").content.decode()
        assert "Approved" in page and "Superb zebra teaching" in page, who
        assert "Hyperkalaemia zebra primer" in client.get("/search/?q=zebra&score=air:5").content.decode(), (
            who
        )
        assert "Hyperkalaemia zebra primer" in client.get("/feeds/vetted.rss").content.decode(), who
        portfolio = client.get(f"/experts/{s['reviewers'][0].public_id}/portfolio.csv").content.decode()
        assert "Hyperkalaemia zebra primer" in portfolio, who
        assert ROUND_TITLE in client.get("/research/").content.decode(), who
    assert research_export(tmp_path, secret=settings.RESEARCH_PSEUDONYM_KEY)["reviews.csv"] == 3
    assert Resource.objects.get(pk=target.pk).score_sort > 0


def test_held_reviews_and_cancelled_rounds_never_count(scenario, editor):
    from curation.services.rounds import round_cancel

    s = scenario
    round_cancel(editor=editor, round_=s["round"], reason="wrong instrument")
    metrics_refresh_resource(resource_id=s["target"].pk)
    assert ResourceMetrics.objects.get(resource=s["target"]).review_count == 0
    held = ResourceFactory(title="Held review target")
    ada = s["reviewers"][0]
    review = review_save_draft(
        reviewer=ada,
        resource=held,
        version=s["air"],
        scores=scores_for(30),
        comments="Mrs Jones in bed 4 had this",
        conflict_of_interest="None",
    )
    review = review_submit(reviewer=ada, review=review)
    assert review.held_for_confidentiality and review.status == ReviewStatus.SUBMITTED
    assert ResourceMetrics.objects.get(resource=held).review_count == 0
    assert s["api"]["anonymous"].get(f"/api/v1/reviews/{review.public_id}/").status_code == 404
    assert Review.objects.filter(pk=review.pk).exists()  # kept for the editor, shown to nobody else


def test_reviewer_credit_and_orcid_wait_for_the_round_to_be_published(scenario, editor):
    """A credential and an ORCID record are public: a review in an open round counts only once the round
    is published."""
    s = scenario
    ada, review = s["reviewers"][0], s["submitted"][0]
    api, web = APIClient(), Client()
    api.force_login(ada)
    web.force_login(ada)
    year = timezone.now().year
    assert api.get("/api/v1/me/review-credit/").json() == []
    assert api.post("/api/v1/me/review-credit/", {"year": year}, format="json").status_code == 400
    assert api.get(f"/api/v1/me/reviews/{review.public_id}/orcid/").status_code == 404
    page = web.get("/experts/credit/").content.decode()
    assert ROUND_TITLE not in page and "Hyperkalaemia zebra primer" not in page
    round_publish(editor=editor, round_=s["round"], provisional=True)
    years = api.get("/api/v1/me/review-credit/").json()
    assert years[0]["reviews"] == 1 and years[0]["rounds"] == [ROUND_TITLE]
    credential = api.post("/api/v1/me/review-credit/", {"year": year}, format="json").json()
    assert ROUND_TITLE in Client().get(f"/credentials/{credential['code']}/").content.decode()
    assert api.get(f"/api/v1/me/reviews/{review.public_id}/orcid/").status_code == 200
