"""Reviews sent to experts' ORCID records through a local ORCID member API stand-in: queued from the
API or the credit page, sent once by the beat task with the expert's own token, refused tokens and
outages recorded (a 5xx retried later), and nothing sent while ORCID_PUSH_ENABLED is off."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.utils import timezone
from rest_framework.test import APIClient

from curation.enums import ReviewStatus
from curation.models import InstrumentVersion, OrcidPush, Review
from tests.factories import ResourceFactory
from tests.orcidserver import OrcidServer
from workers.tasks import push_orcid_reviews

pytestmark = pytest.mark.django_db
ORCID = "0000-0002-1825-0097"


@pytest.fixture
def orcid_api(settings):  # type: ignore[no-untyped-def]
    server = OrcidServer("127.0.0.5")
    settings.HARVEST_ALLOWED_PRIVATE_HOSTS = [f"{server.host}:{server.port}"]
    settings.ORCID_PUSH_ENABLED = True
    settings.ORCID_API_URL = f"{server.base}/v3.0"
    yield server
    server.close()


def _review(expert, title: str = "Hyperkalaemia ECG post") -> Review:  # type: ignore[no-untyped-def]
    return Review.objects.create(
        resource=ResourceFactory(title=title),
        reviewer=expert,
        instrument_version=InstrumentVersion.objects.get(instrument__slug="air"),
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def _connect(expert, server, token: str = "token-of-the-expert") -> None:  # noqa: S107  # type: ignore[no-untyped-def]
    account = SocialAccount.objects.create(user=expert, provider="orcid", uid=ORCID)
    SocialToken.objects.create(account=account, token=token)
    server.tokens[ORCID] = "token-of-the-expert"


def test_a_review_reaches_the_orcid_record_once(orcid_api, expert, client):  # type: ignore[no-untyped-def]
    review = _review(expert)
    api = APIClient()
    api.force_login(expert)
    not_connected = api.post(f"/api/v1/me/reviews/{review.public_id}/orcid/")
    assert not_connected.status_code == 400 and not OrcidPush.objects.exists()
    _connect(expert, orcid_api)
    queued = api.post(f"/api/v1/me/reviews/{review.public_id}/orcid/")
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert push_orcid_reviews() == {"posted": 1}
    push = OrcidPush.objects.get()
    assert push.status == "posted" and push.put_code == "1000"
    held = orcid_api.records[ORCID][0]
    assert held["subject-name"]["title"]["value"] == "Hyperkalaemia ECG post"
    assert held["review-identifiers"]["external-id"][0]["external-id-value"] == str(review.public_id)
    again = api.post(f"/api/v1/me/reviews/{review.public_id}/orcid/")
    assert again.json()["status"] == "posted"
    assert push_orcid_reviews() == {}  # nothing is sent twice
    assert len(orcid_api.records[ORCID]) == 1
    client.force_login(expert)
    assert "on your ORCID record" in client.get("/experts/credit/").content.decode()


def test_refused_tokens_and_outages_are_recorded_and_retried(orcid_api, expert, client):  # type: ignore[no-untyped-def]
    _connect(expert, orcid_api, token="an-expired-token")
    review = _review(expert)
    client.force_login(expert)
    page = client.get("/experts/credit/").content.decode()
    assert "Add to my ORCID record" in page
    client.post("/experts/credit/", {"action": "orcid-push", "review": str(review.public_id)})
    assert push_orcid_reviews() == {"failed": 1}
    push = OrcidPush.objects.get()
    assert push.status == "failed" and "connect your ORCID iD again" in push.error
    assert "connect your ORCID iD again" in client.get("/experts/credit/").content.decode()
    SocialToken.objects.update(token="token-of-the-expert")  # the expert connected again
    client.post("/experts/credit/", {"action": "orcid-push", "review": str(review.public_id)})
    orcid_api.fail_next = 503
    assert push_orcid_reviews() == {"failed": 1}
    push.refresh_from_db()
    assert push.status == "pending" and push.attempts == 1  # an outage is retried later
    OrcidPush.objects.update(claimed_until=None)
    assert push_orcid_reviews() == {"posted": 1}
    assert (
        client.post("/experts/credit/", {"action": "orcid-push", "review": "not-a-uuid"}).status_code == 404
    )


def test_nothing_is_sent_while_pushing_is_switched_off(orcid_api, expert, settings):  # type: ignore[no-untyped-def]
    _connect(expert, orcid_api)
    review = _review(expert)
    settings.ORCID_PUSH_ENABLED = False
    api = APIClient()
    api.force_login(expert)
    assert api.post(f"/api/v1/me/reviews/{review.public_id}/orcid/").status_code == 409
    OrcidPush.objects.create(review=review)  # queued earlier, while it was on
    assert push_orcid_reviews() == {}
    assert orcid_api.records == {} and OrcidPush.objects.get().status == "pending"


def test_an_expert_without_a_connected_orcid_is_offered_to_connect(orcid_api, expert, client, settings):  # type: ignore[no-untyped-def]
    _review(expert)
    client.force_login(expert)
    assert "administrator has to register the ORCID client" in client.get("/experts/credit/").content.decode()
    settings.ORCID_CLIENT_ID = "APP-TEST"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            "BASE_DOMAIN": "sandbox.orcid.org",
            "MEMBER_API": True,
            "SCOPE": ["/authenticate", "/activities/update"],
            "APPS": [{"client_id": "APP-TEST", "secret": "s", "key": ""}],
        }
    }
    page = client.get("/experts/credit/").content.decode()
    assert "Connect ORCID" in page and "/accounts/orcid/login/" in page and "process=connect" in page
    assert "Add to my ORCID record" not in page
    start = client.post("/accounts/orcid/login/?process=connect")
    assert start.status_code == 302 and "orcid.org/oauth/authorize" in start["Location"]
    assert "activities%2Fupdate" in start["Location"] or "activities/update" in start["Location"]


def test_a_review_no_longer_public_is_not_sent(orcid_api, expert):  # type: ignore[no-untyped-def]
    from curation.models import Resource
    from curation.services.credit import orcid_push_request

    _connect(expert, orcid_api)
    review = _review(expert)
    orcid_push_request(reviewer=expert, review=review)
    Resource.objects.filter(pk=review.resource_id).update(status="removed")  # an editor removed it
    assert push_orcid_reviews() == {"failed": 1}
    assert orcid_api.records == {} and "no longer public" in OrcidPush.objects.get().error
