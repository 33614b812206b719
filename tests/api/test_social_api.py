"""The social signal in the API: public panels of resources and sources (a hidden resource shows
nothing), the editors' endpoints with their authorisation matrix (a refused request changes nothing),
and an expert's own identities."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from curation.models import Mention, SocialForget, SocialIdentity, SocialSource, SourceRequest
from curation.services.social import social_snapshots_refresh
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _mention(resource, handle: str, *, expert=None, url: str = "", likes: int = 0, **fields):  # type: ignore[no-untyped-def]
    return Mention.objects.create(
        platform=fields.pop("platform", "bluesky"),
        post_uri=f"at://did:plc:{handle}/app.bsky.feed.post/{Mention.objects.count()}",
        post_url=f"https://bsky.app/profile/{handle}/post/1",
        url=url or (resource.canonical_url if resource else "https://new.example/a/"),
        resource=resource,
        site=fields.pop("site", "example.org"),
        author_handle=handle,
        expert=expert,
        posted_at=timezone.now() - timedelta(hours=1),
        excerpt="A <b>good</b> read",
        likes=likes,
        engagement_read_at=timezone.now(),
        instance="https://public.api.bsky.app",
        platform_post_id="x",
        **fields,
    )


def _client(user=None):  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_resource_panel_shows_index_inputs_and_mentions_and_hides_with_the_resource(expert):  # type: ignore[no-untyped-def]
    resource = ResourceFactory()
    _mention(resource, "a.bsky.social", likes=3)
    _mention(resource, "b.bsky.social")
    _mention(resource, "drx.bsky.social", expert=expert)
    social_snapshots_refresh(resource_ids=[resource.pk])

    body = _client().get(f"/api/v1/resources/{resource.public_id}/social/").json()

    assert body["inputs"]["mentions"] == 3 and body["inputs"]["expert_mentions"] == 1
    assert body["inputs"]["unique_accounts"] == 3 and body["inputs"]["engagement"] == 3
    assert body["social_index"] > 0 and body["formula_version"] == "social/1"
    assert [m["author_handle"] for m in body["expert_mentions"]] == ["drx.bsky.social"]
    assert len(body["mentions"]) == 2
    source_body = _client().get(f"/api/v1/sources/{resource.source.public_id}/social/").json()
    assert source_body["inputs"]["mentions_90d"] == 3
    resource.status = "removed"
    resource.save()
    social_snapshots_refresh(resource_ids=[resource.pk])
    assert _client().get(f"/api/v1/resources/{resource.public_id}/social/").status_code == 404
    source_body = _client().get(f"/api/v1/sources/{resource.source.public_id}/social/").json()
    assert source_body["inputs"]["mentions_90d"] == 0 and source_body["mentions"] == []


@pytest.mark.parametrize("who", ["anonymous", "learner", "expert"])
def test_editor_endpoints_refuse_everyone_else_and_change_nothing(who, learner, expert):  # type: ignore[no-untyped-def]
    _mention(None, "a.bsky.social", site="new.example")
    user = {"anonymous": None, "learner": learner, "expert": expert}[who]
    client = _client(user)
    expected = 401 if user is None else 403
    calls = [
        client.get("/api/v1/social/sources/"),
        client.post(
            "/api/v1/social/sources/",
            {"platform": "bluesky", "kind": "hashtag", "query": "foamed"},
            format="json",
        ),
        client.get("/api/v1/social/discussed/"),
        client.post("/api/v1/social/discussed/", {"site": "new.example"}, format="json"),
        client.post("/api/v1/social/forget/", {"handle": "a.bsky.social"}, format="json"),
    ]
    assert [response.status_code for response in calls] == [expected] * 5
    assert SocialSource.objects.count() == 0 and SourceRequest.objects.count() == 0
    assert Mention.objects.count() == 1 and SocialForget.objects.count() == 0


def test_editors_follow_read_the_queue_add_a_site_and_forget_an_author(editor):  # type: ignore[no-untyped-def]
    _mention(None, "a.bsky.social", site="new.example", url="https://new.example/a/")
    _mention(None, "b.bsky.social", site="new.example", url="https://new.example/b/")
    client = _client(editor)

    created = client.post(
        "/api/v1/social/sources/",
        {"platform": "bluesky", "kind": "hashtag", "query": "#FOAMed"},
        format="json",
    )
    again = client.post(
        "/api/v1/social/sources/",
        {"platform": "bluesky", "kind": "hashtag", "query": "foamed"},
        format="json",
    )
    bad = client.post(
        "/api/v1/social/sources/",
        {"platform": "mastodon", "kind": "search", "query": "x", "instance": "https://m.example"},
        format="json",
    )
    queue = client.get("/api/v1/social/discussed/").json()
    added = client.post("/api/v1/social/discussed/", {"site": "new.example"}, format="json")
    unknown = client.post("/api/v1/social/discussed/", {"site": "never.example"}, format="json")
    paused = client.post(
        f"/api/v1/social/sources/{created.json()['public_id']}/status/", {"active": False}, format="json"
    )
    forgot = client.post("/api/v1/social/forget/", {"handle": "@A.bsky.social"}, format="json")

    assert (created.status_code, again.status_code, bad.status_code) == (201, 200, 400)
    assert created.json()["query"] == "foamed" and SocialSource.objects.count() == 1
    assert [(row["site"], row["mentions"], row["accounts"]) for row in queue] == [("new.example", 2, 2)]
    assert added.status_code == 202 and SourceRequest.objects.get().url == "https://new.example/"
    assert unknown.status_code == 400
    assert paused.json()["status"] == "paused"
    assert forgot.json()["mentions_deleted"] == 1 and Mention.objects.count() == 1


def test_an_expert_links_lists_and_unlinks_identities_and_a_learner_cannot(expert, learner):  # type: ignore[no-untyped-def]
    client = _client(expert)

    linked = client.post(
        "/api/v1/me/social-identities/",
        {"platform": "mastodon", "handle": "@drx@med-mastodon.com"},
        format="json",
    )
    malformed = client.post(
        "/api/v1/me/social-identities/", {"platform": "bluesky", "handle": "not a handle"}, format="json"
    )
    refused = _client(learner).post(
        "/api/v1/me/social-identities/", {"platform": "bluesky", "handle": "l.bsky.social"}, format="json"
    )
    listed = client.get("/api/v1/me/social-identities/").json()
    others = _client(learner).delete(f"/api/v1/me/social-identities/{linked.json()['public_id']}/")

    assert linked.status_code == 201 and linked.json()["status"] == "pending"
    assert linked.json()["handle"] == "drx@med-mastodon.com"
    assert malformed.status_code == 400 and refused.status_code == 403 and others.status_code == 404
    assert [row["handle"] for row in listed] == ["drx@med-mastodon.com"]
    assert _client().get("/api/v1/me/social-identities/").status_code == 401
    assert client.delete(f"/api/v1/me/social-identities/{linked.json()['public_id']}/").status_code == 204
    assert SocialIdentity.objects.count() == 0


def test_malformed_ids_and_bodies_get_a_clear_4xx(editor):  # type: ignore[no-untyped-def]
    client = _client(editor)
    assert client.get("/api/v1/resources/not-a-uuid/social/").status_code == 404
    assert client.post("/api/v1/social/sources/", "[1,2]", content_type="application/json").status_code == 400
    assert client.post("/api/v1/social/forget/", {"handle": "   "}, format="json").status_code == 400
    assert (
        client.post(
            "/api/v1/social/sources/",
            {"platform": "bluesky", "kind": "hashtag", "query": "x" * 500},
            format="json",
        ).status_code
        == 400
    )


def test_list_endpoints_read_in_a_fixed_number_of_queries(editor, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from curation.models import SocialSource as Followed

    client = _client(editor)
    for index in range(3):
        _mention(
            None, f"u{index}.bsky.social", site=f"site{index}.example", url=f"https://site{index}.example/a/"
        )
        Followed.objects.create(
            platform="bluesky", kind="hashtag", instance="https://public.api.bsky.app", query=f"t{index}"
        )
    resource = ResourceFactory()
    for index in range(3):
        _mention(resource, f"r{index}.bsky.social")
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/social/discussed/")
        client.get("/api/v1/social/sources/")
        client.get(f"/api/v1/resources/{resource.public_id}/social/")
    for index in range(3, 20):
        _mention(
            None, f"u{index}.bsky.social", site=f"site{index}.example", url=f"https://site{index}.example/a/"
        )
        Followed.objects.create(
            platform="bluesky", kind="hashtag", instance="https://public.api.bsky.app", query=f"t{index}"
        )
        _mention(resource, f"r{index}.bsky.social")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/social/discussed/").json()) == 20
        assert len(client.get("/api/v1/social/sources/").json()) == 20
        assert len(client.get(f"/api/v1/resources/{resource.public_id}/social/").json()["mentions"]) == 10
