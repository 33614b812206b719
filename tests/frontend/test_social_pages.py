"""Social pages: the social panel on resource and source pages (hidden with the resource), the editors'
social page (follow, pause, add a discussed site, forget) and an expert's identities page, each with
who may use it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import Mention, SocialForget, SocialIdentity, SocialSource, SourceRequest
from curation.services.social import social_snapshots_refresh
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _mention(resource, handle, *, expert=None, site="example.org", url=""):  # type: ignore[no-untyped-def]
    return Mention.objects.create(
        platform="mastodon",
        post_uri=f"https://m.example/users/{handle}/statuses/{Mention.objects.count()}",
        post_url=f"https://m.example/@{handle}/1",
        url=url or resource.canonical_url,
        resource=resource,
        site=site,
        author_handle=f"{handle}@m.example",
        expert=expert,
        posted_at=timezone.now() - timedelta(hours=2),
        excerpt=f"{handle} says <script>read this</script>",
        likes=2,
        engagement_read_at=timezone.now(),
        instance="https://m.example",
        platform_post_id="1",
    )


def test_resource_and_source_pages_show_the_social_panel_until_the_resource_is_hidden(client, expert):  # type: ignore[no-untyped-def]
    resource = ResourceFactory(title="Hyperkalaemia made simple")
    _mention(resource, "alice")
    _mention(resource, "drx", expert=expert)
    social_snapshots_refresh(resource_ids=[resource.pk])

    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    source_page = client.get(f"/sources/{resource.source.public_id}/").content.decode()

    assert "Social impact index" in page and "Shared by verified experts" in page
    assert "alice@m.example" in page and "drx@m.example" in page and "<script>read" not in page
    assert "2 posts about its resources in 90 days" in source_page and "alice@m.example" in source_page
    resource.status = "removed"
    resource.save()
    social_snapshots_refresh(resource_ids=[resource.pk])
    assert client.get(f"/resources/{resource.public_id}/").status_code == 404
    source_page = client.get(f"/sources/{resource.source.public_id}/").content.decode()
    assert "alice@m.example" not in source_page and "Hyperkalaemia made simple" not in source_page


def test_a_resource_nobody_shared_says_so(client):  # type: ignore[no-untyped-def]
    resource = ResourceFactory()
    page = client.get(f"/resources/{resource.public_id}/").content.decode()
    assert "No public post about this resource has been seen" in page


def test_the_editors_social_page_follows_pauses_adds_a_site_and_forgets(client, editor):  # type: ignore[no-untyped-def]
    resource = ResourceFactory()
    _mention(resource, "alice")
    _mention(None, "bob", site="new.example", url="https://new.example/post/")  # type: ignore[arg-type]
    client.force_login(editor)

    client.post(
        "/editor/social/action/",
        {
            "action": "follow",
            "platform": "mastodon",
            "kind": "hashtag",
            "query": "#FOAMed",
            "instance": "med-mastodon.com",
        },
    )
    followed = SocialSource.objects.get()
    page = client.get("/editor/social/").content.decode()
    client.post("/editor/social/action/", {"action": "pause", "social_source": str(followed.public_id)})
    client.post("/editor/social/action/", {"action": "add-site", "site": "new.example"})
    client.post("/editor/social/action/", {"action": "forget", "handle": "alice@m.example", "platform": ""})
    bad = client.post(
        "/editor/social/action/",
        {"action": "follow", "platform": "mastodon", "kind": "search", "query": "x", "instance": "m.example"},
        follow=True,
    )

    assert followed.instance == "https://med-mastodon.com" and followed.query == "foamed"
    assert "new.example" in page and "Add source" in page and "#foamed" in page
    followed.refresh_from_db()
    assert followed.status == "paused"
    assert SourceRequest.objects.get().url == "https://new.example/"
    assert SocialForget.objects.get().mentions_deleted == 1
    assert "cannot follow a search" in bad.content.decode()
    assert "Discovery requested" in client.get("/editor/social/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "learner", "expert"])
def test_the_editors_social_page_is_for_editors_only(client, who, learner, expert):  # type: ignore[no-untyped-def]
    if who != "anonymous":
        client.force_login({"learner": learner, "expert": expert}[who])
    page = client.get("/editor/social/")
    action = client.post(
        "/editor/social/action/",
        {"action": "follow", "platform": "bluesky", "kind": "hashtag", "query": "foamed"},
    )
    assert page.status_code in (302, 403) and action.status_code in (302, 403)
    if who != "anonymous":
        assert page.status_code == 403
    assert SocialSource.objects.count() == 0


def test_an_expert_links_an_identity_and_the_portfolio_links_back_once_verified(client, expert, learner):  # type: ignore[no-untyped-def]
    client.force_login(expert)
    client.post("/experts/social/", {"platform": "mastodon", "handle": "@drx@med-mastodon.com"})
    page = client.get("/experts/social/").content.decode()
    identity = SocialIdentity.objects.get()
    assert "drx@med-mastodon.com" in page and "Waiting for the check" in page
    assert f"/experts/{expert.public_id}/portfolio/" in page
    SocialIdentity.objects.filter(pk=identity.pk).update(status="verified")
    portfolio = client.get(f"/experts/{expert.public_id}/portfolio/").content.decode()
    assert 'href="https://med-mastodon.com/@drx" rel="me noopener"' in portfolio
    client.force_login(learner)
    assert client.get("/experts/social/").status_code == 403
    assert client.post(f"/experts/social/{identity.public_id}/remove/").status_code == 403
    client.force_login(expert)
    client.post(f"/experts/social/{identity.public_id}/remove/")
    assert SocialIdentity.objects.count() == 0


def test_an_editor_follows_a_sources_account_from_the_source_page(client, editor):  # type: ignore[no-untyped-def]
    from tests.factories import SourceFactory

    source = SourceFactory()
    client.force_login(editor)
    page = client.get(f"/sources/{source.public_id}/").content.decode()
    assert "follow this source's social media account" in page
    client.post(
        "/editor/social/action/",
        {
            "action": "follow",
            "kind": "account",
            "platform": "bluesky",
            "query": "@Blog.example",
            "instance": "",
            "source_public_id": str(source.public_id),
        },
    )
    followed = SocialSource.objects.get()
    assert (followed.kind, followed.query, followed.source) == ("account", "blog.example", source)


def test_a_hand_edited_social_source_id_is_not_a_server_error(client, editor):  # type: ignore[no-untyped-def]
    client.force_login(editor)
    response = client.post("/editor/social/action/", {"action": "pause", "social_source": "not-a-uuid"})
    assert response.status_code == 404
