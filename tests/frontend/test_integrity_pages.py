"""The integrity pages people reach from the web: flags, appeals, claims, declared conflicts, the
editor's removal, owners, reviewer steering and instrument versions, and counts that resist repeats.
Each refusal also asserts that nothing changed."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from curation.enums import ClaimStatus, ResourceStatus
from curation.models import (
    Appeal,
    Assignment,
    Flag,
    InstrumentVersion,
    ResourceMetrics,
    SourceClaim,
    Tombstone,
)
from curation.services.metrics import metrics_refresh_resource
from curation.services.rounds import round_add_candidates, round_assign, round_create
from tests.conftest import make_verified_expert
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_user_flags_a_resource_and_an_anonymous_one_is_sent_to_sign_in(client, learner):
    resource = ResourceFactory(title="Ketamine dosing")
    url = f"/resources/{resource.public_id}/flag/"
    anonymous = client.post(url, {"reason": "wrong dose"})
    assert (
        anonymous.status_code == 302
        and "/accounts/login/" in anonymous["Location"]
        and not Flag.objects.exists()
    )
    client.force_login(learner)
    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    assert "Flag this resource" in page and 'action="' + url + '"' in page
    done = client.post(url, {"reason": "The ketamine dose is ten times too high"}, follow=True)
    assert "an editor will look at your flag" in done.content.decode()
    assert Flag.objects.get().raised_by == learner
    empty = client.post(url, {"reason": "  "}, follow=True)
    assert "Say what the problem is" in empty.content.decode() and Flag.objects.count() == 1


def test_only_an_owner_sees_and_sends_an_appeal(client, learner, editor):
    from curation.models import Designation

    resource = ResourceFactory()
    designation = Designation.objects.create(
        resource=resource,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=timezone.now(),
    )
    client.force_login(learner)
    url = f"/resources/{resource.public_id}/appeal/"
    assert "Claim your source" in client.get(f"/resources/{resource.public_id}/").content.decode()
    refused = client.post(
        url, {"target": f"designation:{designation.public_id}", "statement": "unfair"}, follow=True
    )
    assert "Claim your source first" in refused.content.decode() and not Appeal.objects.exists()
    resource.source.owners.add(learner)
    assert "Appeal a designation" in client.get(f"/resources/{resource.public_id}/").content.decode()
    client.post(
        url, {"target": f"designation:{designation.public_id}", "statement": "The post cites the 2024 trial"}
    )
    assert Appeal.objects.get().designation == designation


def test_a_claim_shows_its_token_and_editors_decide_it_in_the_moderation_queue(client, learner, editor):
    source = ResourceFactory().source
    client.force_login(learner)
    assert "Claim this source" in client.get(f"/sources/{source.public_id}/").content.decode()
    client.post(f"/sources/{source.public_id}/claim/")
    claim = SourceClaim.objects.get()
    assert claim.token in client.get(f"/sources/{source.public_id}/claim/").content.decode()
    client.force_login(editor)
    queue = client.get("/editor/moderation/").content.decode()
    assert "Source claims (1)" in queue
    client.post(f"/editor/moderation/claim/{claim.public_id}/", {"decision": "accept", "reason": ""})
    assert SourceClaim.objects.get().status == ClaimStatus.PENDING  # no reason, no decision
    client.post(
        f"/editor/moderation/claim/{claim.public_id}/", {"decision": "accept", "reason": "Mail from the blog"}
    )
    assert SourceClaim.objects.get().status == ClaimStatus.VERIFIED and list(source.owners.all()) == [learner]


def test_an_expert_declares_conflicts_by_source_and_author(client, expert):
    source = ResourceFactory().source
    client.force_login(expert)
    found = client.get("/experts/conflicts/", {"q": source.title}).content.decode()
    assert str(source.public_id) in found
    client.post(
        "/experts/conflicts/",
        {
            "source": [str(source.public_id), "not-a-uuid"],
            "authors": "Ada Quill\n\nBo Li",
            "statement": "I edit this blog",
        },
    )
    profile = expert.expert_profile
    profile.refresh_from_db()
    assert list(profile.conflicted_sources.all()) == [source] and profile.conflicted_authors == [
        "Ada Quill",
        "Bo Li",
    ]


def test_editor_removes_a_resource_and_others_cannot(client, editor, learner):
    resource = ResourceFactory()
    client.force_login(learner)
    assert (
        client.post(f"/editor/resources/{resource.public_id}/remove/", {"reason": "spam"}).status_code == 403
    )
    assert not Tombstone.objects.exists()
    client.force_login(editor)
    client.post(f"/editor/resources/{resource.public_id}/remove/", {"reason": "Advert"})
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.REMOVED and Tombstone.objects.count() == 1
    assert client.get(f"/resources/{resource.public_id}/").status_code == 404


def test_editor_manages_owners_on_the_editor_page(client, editor, learner):
    source = ResourceFactory().source
    client.force_login(editor)
    assert "Add an owner" in client.get(f"/editor/sources/{source.public_id}/owners/").content.decode()
    client.post(
        f"/editor/sources/{source.public_id}/owners/", {"action": "add", "user": "nobody", "reason": "x"}
    )
    assert not source.owners.exists()
    client.post(
        f"/editor/sources/{source.public_id}/owners/",
        {"action": "add", "user": learner.username, "reason": "Bio page"},
    )
    assert list(source.owners.all()) == [learner]


def test_the_round_page_steers_reviewers_and_shows_load_and_conflicts(client, editor):
    panel = [make_verified_expert(editor, name) for name in ("ann", "bob", "cat", "dan")]
    resource = ResourceFactory()
    resource.source.owners.add(panel[3])
    now = timezone.now()
    round_ = round_create(
        editor=editor,
        title="Steer",
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        window_start=now - timedelta(days=3),
        window_end=now + timedelta(days=1),
        deadline=now + timedelta(days=5),
    )
    round_add_candidates(editor=editor, round_=round_, resources=[resource])
    round_assign(editor=editor, round_=round_, pool=panel[:3])
    client.force_login(editor)
    page = client.get(f"/editor/rounds/{round_.public_id}/").content.decode()
    assert (
        "1 expert conflicted" in page
        and "owner of this resource" in page
        and "Publish provisional results" in page
    )
    candidate = round_.candidates.get()
    url = f"/editor/rounds/{round_.public_id}/reviewers/"
    refused = client.post(
        url, {"candidate": candidate.pk, "add": str(panel[3].public_id)}, follow=True
    ).content.decode()
    assert "conflict of interest" in refused and Assignment.objects.count() == 3
    newcomer = make_verified_expert(editor, "eve")
    client.post(
        url,
        {
            "candidate": candidate.pk,
            "remove": str(panel[0].public_id),
            "add": str(newcomer.public_id),
            "reason": "away",
        },
    )
    assert set(Assignment.objects.values_list("reviewer__username", flat=True)) == {"bob", "cat", "eve"}


def test_editors_preview_and_create_an_instrument_version(client, editor):
    air = InstrumentVersion.objects.get(instrument__slug="air", version=1)
    client.force_login(editor)
    url = "/editor/instruments/air/new/"
    form = client.get(url).content.decode()
    assert "Minimum panel" in form and air.items[0]["label"] in form
    items = json.dumps(air.items)
    preview = client.post(
        url, {"items": items, "thresholds": json.dumps(air.thresholds), "min_panel": "4", "action": "preview"}
    )
    assert "what reviewers will see" in preview.content.decode() and air.instrument.versions.count() == 1
    bad = client.post(url, {"items": "[not json", "thresholds": "[]", "min_panel": "4", "action": "create"})
    assert bad.status_code == 400 and air.instrument.versions.count() == 1
    low = client.post(
        url, {"items": items, "thresholds": json.dumps(air.thresholds), "min_panel": "1", "action": "create"}
    )
    assert low.status_code == 400 and air.instrument.versions.count() == 1
    client.post(
        url,
        {
            "items": items,
            "thresholds": json.dumps(air.thresholds),
            "min_panel": "4",
            "notes": "Panel of 4",
            "action": "create",
        },
    )
    assert air.instrument.versions.get(version=2).min_panel == 4


def test_repeating_a_page_view_counts_once_and_the_outbound_redirect_is_throttled(client):
    cache.clear()
    resource = ResourceFactory(canonical_url="https://blog.example.org/post")
    metrics_refresh_resource(resource_id=resource.pk)
    for _ in range(5):
        assert client.get(f"/resources/{resource.public_id}/").status_code == 200
    statuses = [client.get(f"/resources/{resource.public_id}/go/").status_code for _ in range(65)]
    assert statuses[:60] == [302] * 60 and set(statuses[60:]) == {429}
    metrics = ResourceMetrics.objects.get(resource=resource)
    assert (metrics.views, metrics.clicks) == (1, 1)
    cache.clear()


def test_a_provisional_result_is_marked_on_the_page_cards_api_and_feeds(client):
    from curation.models import Designation

    cache.clear()
    resource = ResourceFactory(title="Provisional primer")
    metrics_refresh_resource(resource_id=resource.pk)
    Designation.objects.create(
        resource=resource,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=34,
        review_count=1,
        provisional=True,
        reliability=0.41,
        published_at=timezone.now(),
    )
    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    assert "Provisional:" in page and "rests on 1 review" in page and "fewer than the panel of 3" in page
    card = client.get("/").content.decode().split("Provisional primer")[1].split("</li>")[0]
    assert "Provisional: Approved (ALiEM AIR, 1 review, reliability 0.41)" in card
    api = client.get(f"/api/v1/resources/{resource.public_id}/").json()["designations"][0]
    assert api["provisional"] is True and api["review_count"] == 1 and api["reliability"] == 0.41
    rss = client.get("/feeds/vetted.rss").content.decode()
    assert (
        "Provisional: Approved (ALiEM AIR, 1 review, reliability 0.41)" in rss
        and "<category>Provisional</category>" in rss
    )
    assert client.get("/feeds/vetted.json").json()["items"][0]["_foam_curator"]["provisional"] is True
    cache.clear()


def test_malformed_ids_in_posted_forms_are_404s_not_errors(client, learner):
    resource = ResourceFactory()
    client.force_login(learner)
    assert (
        client.post(f"/resources/{resource.public_id}/flag/", {"reason": "x", "review": "nope"}).status_code
        == 404
    )
    for target in ("review:nope", "designation:", "review:"):
        response = client.post(
            f"/resources/{resource.public_id}/appeal/", {"target": target, "statement": "x"}
        )
        assert response.status_code == 404, target
    assert not Flag.objects.exists() and not Appeal.objects.exists()


def test_a_malformed_redirect_uri_is_refused_kindly(client, learner):
    from oauth2_provider.models import Application

    client.force_login(learner)
    page = client.post(
        "/developer/apps/",
        {"name": "a", "redirect_uris": "https://[::1/cb", "client_type": "public"},
        follow=True,
    )
    assert (
        page.status_code == 200
        and "not allowed" in page.content.decode()
        and not Application.objects.exists()
    )


def test_reviews_of_a_removed_resource_leave_the_public_portfolio(client, editor):
    from curation.services.integrity import resource_remove
    from curation.services.reviews import review_save_draft, review_submit
    from tests.curation.test_rounds import scores_for

    expert = make_verified_expert(editor, "pia")
    resource = ResourceFactory(title="Soon removed")
    air = InstrumentVersion.objects.get(instrument__slug="air")
    review_submit(
        reviewer=expert,
        review=review_save_draft(
            reviewer=expert,
            resource=resource,
            version=air,
            scores=scores_for(30),
            conflict_of_interest="None",
        ),
    )
    assert "Soon removed" in client.get(f"/experts/{expert.public_id}/portfolio.csv").content.decode()
    resource_remove(editor=editor, resource=resource, reason="Spam")
    assert "Soon removed" not in client.get(f"/experts/{expert.public_id}/portfolio.csv").content.decode()
