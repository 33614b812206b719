"""The expert and editor pages through Django's test client: who may open them, that each form calls
its service, and that refusals show a clear message and change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import (
    Assignment,
    AuditEvent,
    CurationRound,
    Designation,
    Endorsement,
    ExpertProfile,
    FetchAttempt,
    InstrumentVersion,
    Review,
    Source,
    SourceRequest,
)
from research.report import research_results_refresh
from tests.curation.test_rounds import scores_for
from tests.factories import ExpertProfileFactory, ResourceFactory, SourceFactory, UserFactory
from tests.feedserver import Reply
from tests.workers.test_pipeline import item, rss

pytestmark = pytest.mark.django_db

EDITOR_PAGES = ["/editor/", "/editor/experts/", "/editor/rounds/", "/editor/moderation/", "/editor/harvest/"]


@pytest.mark.parametrize("path", [*EDITOR_PAGES, "/reviews/assignments/"])
def test_workbench_pages_send_visitors_to_sign_in_and_refuse_learners(client, learner, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")
    client.force_login(learner)
    response = client.get(path)
    assert response.status_code == 403 and "Not available to you" in response.content.decode()


@pytest.mark.parametrize("path", EDITOR_PAGES)
def test_editor_pages_render_for_editors_and_refuse_experts(client, editor, expert, path):
    client.force_login(expert)
    assert client.get(path).status_code == 403
    client.force_login(editor)
    assert client.get(path).status_code == 200


def test_expert_application_shows_errors_next_to_fields_then_goes_to_the_queue(client, learner):
    client.force_login(learner)
    form = {
        "first_name": "Ada",
        "last_name": "Byron",
        "profession": "Physician",
        "specialty": "EM",
        "orcid": "0000-0002-1825-0098",
        "conflicts_of_interest": "None",
    }
    html = client.post("/experts/apply/", form).content.decode()
    assert 'id="id_orcid_error"' in html and not ExpertProfile.objects.exists()  # wrong check digit
    response = client.post("/experts/apply/", {**form, "orcid": "0000-0002-1825-0097"})
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(user=learner)
    assert profile.verification_status == "pending" and profile.user.get_full_name() == "Ada Byron"
    assert "Your application: Pending" in client.get("/experts/apply/").content.decode()


def test_editor_verifies_with_a_reason_and_a_missing_reason_changes_nothing(client, editor, learner):
    ExpertProfileFactory(user=learner)
    client.force_login(editor)
    assert learner.get_full_name() in client.get("/editor/experts/").content.decode()
    url = f"/editor/experts/{learner.public_id}/decide/"
    response = client.post(url, {"decision": "approve", "reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode()
    assert ExpertProfile.objects.get(user=learner).verification_status == "pending"
    client.post(url, {"decision": "approve", "reason": "GMC register checked"})
    learner.refresh_from_db()
    assert learner.role == "expert" and learner.expert_profile.verification_status == "approved"
    assert AuditEvent.objects.filter(action="expert.verification_decided").count() == 1


def _open_round(editor, panel, resource):  # type: ignore[no-untyped-def]
    from curation.services.rounds import round_add_candidates, round_assign, round_create

    round_ = round_create(
        editor=editor,
        title="March AIR",
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        window_start=timezone.now() - timedelta(days=30),
        window_end=timezone.now() + timedelta(days=1),
        deadline=timezone.now() + timedelta(days=14),
        reviewers_per_candidate=3,
    )
    round_add_candidates(editor=editor, round_=round_, resources=[resource])
    round_assign(editor=editor, round_=round_, pool=panel)
    return round_


def test_review_form_keeps_the_draft_and_shows_each_error_next_to_its_item(client, editor, expert, panel):
    resource = ResourceFactory(title="Sepsis fluids")
    _open_round(editor, panel, resource)
    client.force_login(expert)
    assignments = client.get("/reviews/assignments/").content.decode()
    assert "Sepsis fluids" in assignments and "start review" in assignments
    url = f"/resources/{resource.public_id}/review/air/"
    form = {f"item-{key}": value for key, value in scores_for(31).items()}
    del form["item-referenced"]
    response = client.post(url, {**form, "conflict_of_interest": "None", "action": "submit"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="error-referenced"' in html and "Score this item." in html
    draft = Review.objects.get(reviewer=expert)
    assert (
        draft.status == "draft"
        and "referenced" not in draft.scores
        and draft.scores["beem"] == form["item-beem"]
    )
    response = client.post(
        url, {**form, "item-referenced": "9", "conflict_of_interest": "None", "action": "submit"}
    )
    assert "Give a score from 1 to 7." in response.content.decode() and Review.objects.get().status == "draft"
    response = client.post(
        url, {**form, "item-referenced": "6", "conflict_of_interest": "None", "action": "submit"}
    )
    assert response.status_code == 302 and Review.objects.get().status == "submitted"
    assert "Submitted" in client.get("/reviews/assignments/").content.decode()


def test_review_autosave_answers_json_and_reports_a_bad_score(client, expert):
    resource = ResourceFactory()
    client.force_login(expert)
    url = f"/resources/{resource.public_id}/review/rmetriq/"
    assert "Not at all" in client.get(url).content.decode()  # the instrument's anchors
    ok = client.post(url, {"item-background": "2", "action": "autosave"})
    assert ok.status_code == 200 and ok.json()["saved"] is True
    assert Review.objects.get().scores == {"background": 2}
    bad = client.post(url, {"item-background": "7", "action": "autosave"})
    assert bad.status_code == 400 and "background" in bad.json()["errors"]
    assert Review.objects.get().scores == {"background": 2}  # nothing lost


def test_editor_runs_a_round_to_publication_from_the_dashboard(client, editor, expert, panel):
    resource = ResourceFactory(title="Hyperkalaemia primer", published_at=timezone.now() - timedelta(days=2))
    client.force_login(editor)
    today = timezone.now().date()
    response = client.post(
        "/editor/rounds/",
        {
            "title": "Electrolytes",
            "instrument_version": InstrumentVersion.objects.get(instrument__slug="air").pk,
            "window_start": today - timedelta(days=10),
            "window_end": today,
            "deadline": today + timedelta(days=7),
            "reviewers_per_candidate": 1,
        },
    )
    assert "at least 3 reviewers" in response.content.decode() and not CurationRound.objects.exists()
    response = client.post(
        "/editor/rounds/",
        {
            "title": "Electrolytes",
            "instrument_version": InstrumentVersion.objects.get(instrument__slug="air").pk,
            "window_start": today - timedelta(days=10),
            "window_end": today,
            "deadline": today + timedelta(days=7),
            "reviewers_per_candidate": 3,
        },
    )
    round_ = CurationRound.objects.get()
    assert response["Location"] == f"/editor/rounds/{round_.public_id}/"
    assert "Hyperkalaemia primer" in client.get(response["Location"]).content.decode()  # suggested
    action = f"/editor/rounds/{round_.public_id}/action/"
    client.post(action, {"action": "add", "resource": [str(resource.public_id)]})
    client.post(action, {"action": "assign"})
    assert {a.reviewer for a in Assignment.objects.all()} == set(panel)
    refused = client.post(action, {"action": "publish"}, follow=True).content.decode()
    assert "fewer than 3 reviews" in refused and not Designation.objects.exists()
    from curation.services.reviews import review_save_draft, review_submit

    version = round_.instrument_version
    for reviewer, total in zip(panel, (31, 30, 32), strict=True):
        review_submit(
            reviewer=reviewer,
            review=review_save_draft(
                reviewer=reviewer,
                resource=resource,
                version=version,
                scores=scores_for(total),
                conflict_of_interest="None",
            ),
        )
    client.post(action, {"action": "publish"})
    designation = Designation.objects.get(resource=resource)
    assert designation.label == "Approved" and designation.review_count == 3 and not designation.provisional
    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    assert "Approved" in page and "3 reviews" in page


def test_moderation_queue_decides_held_endorsements_and_held_reviews(client, editor, expert, learner):
    resource = ResourceFactory()
    held = Endorsement.objects.create(
        user=learner, resource=resource, kind="learner", status="held", hold_reason="burst"
    )
    from curation.services.reviews import review_save_draft, review_submit

    air = InstrumentVersion.objects.get(instrument__slug="air")
    review = review_submit(
        reviewer=expert,
        review=review_save_draft(
            reviewer=expert,
            resource=resource,
            version=air,
            scores=scores_for(30),
            comments="Patient John Smith, MRN 12345678, born 01/02/1960",
            conflict_of_interest="None",
        ),
    )
    assert review.held_for_confidentiality
    client.force_login(editor)
    html = client.get("/editor/moderation/").content.decode()
    assert "Held endorsements (1)" in html and "Reviews held by the confidentiality screen (1)" in html
    client.post(
        f"/editor/moderation/endorsement/{held.public_id}/", {"decision": "accept", "reason": "Known user"}
    )
    client.post(
        f"/editor/moderation/review/{review.public_id}/", {"decision": "reject", "reason": "Remove the MRN"}
    )
    held.refresh_from_db()
    review.refresh_from_db()
    assert held.status == "counted" and review.status == "returned"
    assert "Held endorsements (0)" in client.get("/editor/moderation/").content.decode()


def test_harvest_health_lists_failing_sources_and_retry_makes_one_due(client, editor):
    failing = SourceFactory(
        title="Broken blog",
        last_outcome="timeout",
        consecutive_errors=4,
        next_poll_at=timezone.now() + timedelta(days=2),
    )
    FetchAttempt.objects.create(
        source=failing, started_at=timezone.now(), outcome="timeout", error="read timed out"
    )
    SourceFactory(title="Healthy blog", last_outcome="ok")
    client.force_login(editor)
    html = client.get("/editor/harvest/").content.decode()
    assert "Broken blog" in html and "read timed out" in html and "Retry now" in html
    client.post(f"/editor/sources/{failing.public_id}/retry/")
    failing.refresh_from_db()
    assert failing.next_poll_at <= timezone.now()


def test_add_source_by_url_is_discovered_by_the_worker_task(client, editor, feed_server):
    from unittest import mock

    from workers.tasks import dispatch_source_requests, harvest_source_request

    site = feed_server.add(
        "/",
        Reply(
            200,
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head></html>',
            {"Content-Type": "text/html"},
        ),
    )
    feed_server.add("/rss.xml", Reply(200, rss(item("1"))))
    client.force_login(editor)
    client.post("/editor/sources/add/", {"url": site, "kind": ""})  # the web side only writes the request
    request = SourceRequest.objects.get()
    with mock.patch("workers.tasks.harvest_source_request.delay") as delay:
        assert dispatch_source_requests() == 1
        assert dispatch_source_requests() == 0  # claimed: not dispatched twice
    delay.assert_called_once_with(request.pk)
    assert harvest_source_request(request.pk) == "added"
    assert Source.objects.get().feed_url == feed_server.url("/rss.xml")
    bad = client.post("/editor/sources/add/", {"url": "ftp://example.org/"}, follow=True).content.decode()
    assert "starting with http:// or https://" in bad and SourceRequest.objects.count() == 1


def test_add_source_records_a_discovery_failure(editor, feed_server):
    from curation.services.catalogue import source_request_create
    from workers.tasks import harvest_source_request

    page = feed_server.add(
        "/", Reply(200, b"<html><head><title>No feed</title></head></html>", {"Content-Type": "text/html"})
    )
    request = source_request_create(editor=editor, url=page)
    assert harvest_source_request(request.pk) == "failed"
    request.refresh_from_db()
    assert request.message and not Source.objects.exists()


def test_opml_upload_registers_feeds_and_reports_bad_entries(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
    <outline text="A" xmlUrl="https://a.example.org/feed/"/><outline text="B" xmlUrl="javascript:alert(1)"/>
    </body></opml>"""
    client.force_login(editor)
    response = client.post(
        "/editor/sources/import/", {"opml": SimpleUploadedFile("s.opml", opml)}, follow=True
    )
    assert "1 new source(s)" in response.content.decode() and "1 skipped" in response.content.decode()
    assert list(Source.objects.values_list("feed_url", flat=True)) == ["https://a.example.org/feed/"]


def test_research_dashboard_serves_plots_and_their_numbers(client, editor, expert):
    html = client.get("/research/").content.decode()
    assert "has not computed these results yet" in html and "Not computed yet" in html
    assert client.get("/research/score-distributions.svg").status_code == 404
    research_results_refresh()  # what the research worker does
    html = client.get("/research/").content.decode()
    assert "has not computed these results yet" not in html and "Computed " in html
    assert "Reliability per instrument and round" in html and "/research/score-distributions.svg" in html
    svg = client.get("/research/reliability-vs-raters.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    data = client.get("/research/signal-correlations.csv")
    assert data.content.decode().splitlines()[0] == "signal,rho,ci_low,ci_high,n"
    assert client.get("/research/unknown.svg").status_code == 404


def test_review_link_on_the_resource_page_only_for_verified_experts(client, expert, learner):
    resource = ResourceFactory()
    client.force_login(learner)
    assert "/review/air/" not in client.get(f"/resources/{resource.public_id}/").content.decode()
    client.force_login(expert)
    assert (
        f"/resources/{resource.public_id}/review/air/"
        in client.get(f"/resources/{resource.public_id}/").content.decode()
    )


def test_verified_expert_cannot_review_as_another_role(client, learner):
    resource = ResourceFactory()
    UserFactory(username="x")
    client.force_login(learner)
    assert client.post(f"/resources/{resource.public_id}/review/air/", {"action": "save"}).status_code == 403
    assert not Review.objects.exists()


def test_moderation_of_an_unknown_kind_or_item_is_a_404(client, editor, learner):
    held = Endorsement.objects.create(user=learner, resource=ResourceFactory(), kind="learner", status="held")
    client.force_login(editor)
    assert (
        client.post(f"/editor/moderation/comment/{held.public_id}/", {"decision": "accept"}).status_code
        == 404
    )
    assert (
        client.post(f"/editor/moderation/flag/{held.public_id}/", {"decision": "accept"}).status_code == 404
    )
    held.refresh_from_db()
    assert held.status == "held"
