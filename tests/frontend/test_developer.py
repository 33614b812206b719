"""The developer page: API keys and OAuth applications without a superuser or a shell."""

import pytest
from oauth2_provider.models import Application
from rest_framework.test import APIClient

from curation.models import ApiKey, AuditEvent

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in_and_create_nothing(client):
    assert "/accounts/login/" in client.get("/developer/")["Location"]
    assert client.post("/developer/keys/", {"name": "x"}).status_code == 302 and not ApiKey.objects.exists()


def test_a_learner_creates_uses_and_revokes_an_api_key(client, learner):
    client.force_login(learner)
    page = client.get("/developer/").content.decode()
    assert "No key yet." in page and "/api/docs/" in page
    shown = client.post(
        "/developer/keys/", {"name": "Residency dashboard", "scope": "read"}, follow=True
    ).content.decode()
    raw = shown.split('<pre class="token">')[1].split("</pre>")[0]
    assert raw.startswith("fc_") and "shown only once" in shown
    assert raw not in client.get("/developer/").content.decode()  # only once
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=raw)
    assert api.get("/api/v1/me/").json()["username"] == learner.username
    assert "1 of 1000" in client.get("/developer/").content.decode()  # quota use shown
    assert client.post("/developer/keys/", {"name": " ", "scope": "read"}, follow=True).status_code == 200
    assert ApiKey.objects.count() == 1
    key = ApiKey.objects.get()
    client.post(f"/developer/keys/{key.public_id}/revoke/")
    assert api.get("/api/v1/me/").status_code == 401


def test_someone_elses_key_cannot_be_revoked(client, learner, outsider):
    client.force_login(learner)
    client.post("/developer/keys/", {"name": "Mine", "scope": "read"})
    key = ApiKey.objects.get()
    client.force_login(outsider)
    assert client.post(f"/developer/keys/{key.public_id}/revoke/").status_code == 404
    assert ApiKey.objects.get().is_active


def test_a_learner_registers_an_oauth_application_and_bad_redirects_are_refused(client, learner):
    client.force_login(learner)
    bad = client.post(
        "/developer/apps/",
        {"name": "App", "redirect_uris": "http://evil.example.org/cb", "client_type": "public"},
        follow=True,
    )
    assert "not allowed" in bad.content.decode() and not Application.objects.exists()
    shown = client.post(
        "/developer/apps/",
        {"name": "Rota app", "redirect_uris": "https://rota.example.org/cb", "client_type": "confidential"},
        follow=True,
    ).content.decode()
    app = Application.objects.get()
    assert app.user == learner and f"client_id {app.client_id}" in shown and "client_secret " in shown
    assert AuditEvent.objects.filter(action="oauth_app.registered").count() == 1
    client.post(f"/developer/apps/{app.client_id}/delete/")
    assert not Application.objects.exists()
