"""Collections and follows on every surface: reading lists (private, public by link), curated
collections on the home and topic pages, follows, the weekly digest with its one-click unsubscribe,
and the API with its authorisation matrix."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from curation.errors import InvalidInput, NotAllowed
from curation.models import (
    Collection,
    CollectionItem,
    Designation,
    DigestPreference,
    Follow,
    InstrumentVersion,
)
from curation.services.collections import collection_add, collection_create, digests_send, follow_put
from tests.factories import ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def designate(resource, when):
    return Designation.objects.create(
        resource=resource,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        label="Approved",
        mean_total=31,
        review_count=3,
        published_at=when,
    )


def test_a_learner_builds_a_list_shares_it_and_removed_resources_leave_it(client, learner, outsider, editor):
    first, second = ResourceFactory(title="Croup in the ED"), ResourceFactory(title="Bronchiolitis basics")
    client.force_login(learner)
    client.post("/collections/", {"title": "Paeds nights", "visibility": "public"})
    collection = Collection.objects.get(owner=learner)
    url = f"/collections/{collection.public_id}/"
    client.post(
        f"/resources/{first.public_id}/collect/", {"collection": collection.public_id, "note": "Read first"}
    )
    client.post(f"/resources/{second.public_id}/collect/", {"collection": collection.public_id})
    client.post(
        f"/resources/{second.public_id}/collect/", {"collection": collection.public_id}
    )  # never twice
    assert CollectionItem.objects.filter(collection=collection).count() == 2
    client.post(f"{url}action/", {"action": "up", "resource": second.public_id})
    page = client.get(url).content.decode()
    assert page.index("Bronchiolitis basics") < page.index("Croup in the ED") and "Read first" in page
    anonymous = APIClient().get(url)  # a public list: anyone with the link
    assert anonymous.status_code == 200 and "Croup in the ED" in anonymous.content.decode()
    api = APIClient().get(f"/api/v1/collections/{collection.public_id}/").json()
    assert [item["title"] for item in api["items"]] == ["Bronchiolitis basics", "Croup in the ED"]
    # An editor removes a resource: it leaves the list on the page and in the API.
    first.status = "removed"
    first.save(update_fields=["status"])
    assert "Croup in the ED" not in client.get(url).content.decode()
    assert [
        i["title"] for i in APIClient().get(f"/api/v1/collections/{collection.public_id}/").json()["items"]
    ] == ["Bronchiolitis basics"]
    # Private: only the owner; for everyone else it does not exist.
    client.post(f"{url}action/", {"action": "update", "visibility": "private", "title": "Paeds nights"})
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert APIClient().get(f"/api/v1/collections/{collection.public_id}/").status_code == 404
    assert client.post(f"{url}action/", {"action": "delete"}).status_code == 404
    assert Collection.objects.filter(pk=collection.pk).exists()


def test_notes_and_descriptions_pass_the_confidentiality_screen(learner, outsider):
    collection = collection_create(owner=learner, title="Cases")
    resource = ResourceFactory()
    with pytest.raises(InvalidInput):
        collection_add(
            user=learner, collection=collection, resource=resource, note="Mr John Smith, MRN 12345678, bed 4"
        )
    with pytest.raises(NotAllowed):
        collection_add(user=outsider, collection=collection, resource=resource)
    assert not CollectionItem.objects.exists()


def test_curated_collections_show_on_home_and_topic_pages(client, editor, learner):
    topic = TopicFactory(slug="cardiology-curated", name="Cardiology curated", kind="specialty")
    collection = collection_create(owner=editor, title="AIR module: cardiology, December")
    collection_add(user=editor, collection=collection, resource=ResourceFactory())
    client.force_login(editor)
    client.post(f"/collections/{collection.public_id}/action/", {"action": "publish", "topic": topic.slug})
    client.logout()
    assert "AIR module: cardiology, December" in client.get("/").content.decode()
    assert "AIR module: cardiology, December" in client.get(f"/topics/{topic.slug}/").content.decode()
    listed = APIClient().get("/api/v1/collections/").json()
    assert [c["title"] for c in listed] == ["AIR module: cardiology, December"] and listed[0]["editorial"]
    client.force_login(learner)  # a learner cannot publish
    client.post(
        f"/collections/{collection_create(owner=learner, title='Mine').public_id}/action/",
        {"action": "publish"},
    )
    assert Collection.objects.filter(is_editorial=True).count() == 1


def test_weekly_digest_sends_what_is_newly_vetted_once_and_unsubscribes_in_one_click(client, learner):
    topic = TopicFactory(slug="toxicology-digest", name="Toxicology digest", kind="specialty")
    start = timezone.now()
    client.force_login(learner)
    client.post(f"/topics/{topic.slug}/follow/")
    assert Follow.objects.filter(user=learner, topic=topic).exists()
    DigestPreference.objects.filter(user=learner).update(last_sent_at=start - timedelta(days=7))
    vetted = ResourceFactory(title="Paracetamol overdose update")
    vetted.topics.add(topic)
    designate(vetted, start - timedelta(days=1))
    old = ResourceFactory(title="Designated long ago")
    old.topics.add(topic)
    designate(old, start - timedelta(days=30))
    other_topic = ResourceFactory(title="Vetted, but not followed")
    designate(other_topic, start - timedelta(days=1))
    mail.outbox.clear()
    assert digests_send(now=start) == 1
    (message,) = mail.outbox
    assert "Paracetamol overdose update" in message.body
    assert "Designated long ago" not in message.body and "not followed" not in message.body
    assert digests_send(now=start + timedelta(days=1)) == 0  # once a week
    assert digests_send(now=start + timedelta(days=8)) == 0  # nothing new: nothing sent
    assert len(mail.outbox) == 1
    link = next(line for line in message.body.splitlines() if "unsubscribe" in line).split()[-1]
    client.logout()
    response = client.get(link.split("8000", 1)[1])
    assert response.status_code == 200 and "unsubscribed" in response.content.decode()
    assert not DigestPreference.objects.get(user=learner).enabled
    newer = ResourceFactory(title="Another toxicology post")
    newer.topics.add(topic)
    designate(newer, start + timedelta(days=10))
    assert digests_send(now=start + timedelta(days=16)) == 0
    assert client.get("/digest/unsubscribe/forged-token/").status_code == 404


def test_collections_api_authorisation_matrix(personas, learner, expert):
    resource = ResourceFactory()
    anonymous = personas["anonymous"].post("/api/v1/collections/", {"title": "x"}, format="json")
    assert anonymous.status_code in (401, 403)
    read_only = personas["api_key_read"].post("/api/v1/collections/", {"title": "x"}, format="json")
    assert read_only.status_code == 403
    created = personas["learner"].post(
        "/api/v1/collections/", {"title": "Night reading", "visibility": "public"}, format="json"
    )
    assert created.status_code == 201
    collection_id = created.json()["id"]
    added = personas["learner"].post(
        f"/api/v1/collections/{collection_id}/items/",
        {"resource": str(resource.public_id), "note": "Good"},
        format="json",
    )
    assert added.status_code == 201 and added.json()["items"][0]["note"] == "Good"
    for name in ("expert", "api_key_write", "oauth"):  # another user's list: not theirs to change
        response = personas[name].patch(
            f"/api/v1/collections/{collection_id}/", {"title": "Mine now"}, format="json"
        )
        assert response.status_code == 403, name
    assert Collection.objects.get(public_id=collection_id).title == "Night reading"
    bad = personas["learner"].post(
        f"/api/v1/collections/{collection_id}/items/", {"resource": "nope"}, format="json"
    )
    assert bad.status_code == 400
    follow = personas["oauth"].post("/api/v1/me/follows/", {"collection": collection_id}, format="json")
    assert follow.status_code == 201 and follow.json() == [{"collection": collection_id}]
    assert personas["oauth"].post("/api/v1/me/follows/", {}, format="json").status_code == 400
    assert personas["oauth"].delete(f"/api/v1/me/follows/?collection={collection_id}").status_code == 204
    assert personas["anonymous"].get("/api/v1/me/follows/").status_code in (401, 403)
    assert (
        personas["learner"]
        .delete(f"/api/v1/collections/{collection_id}/items/{resource.public_id}/")
        .status_code
        == 204
    )
    assert personas["learner"].delete(f"/api/v1/collections/{collection_id}/").status_code == 204
    assert not Collection.objects.filter(public_id=collection_id).exists()
    follow_put(user=learner, topic=TopicFactory(slug="followed-api"))
    assert personas["learner"].get("/api/v1/me/follows/").json() == [{"topic": "followed-api"}]
    assert expert  # the personas fixture's expert owns the API key and the OAuth token
