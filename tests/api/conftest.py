"""Credentials for API tests: every persona of the authorisation matrix, including a real OAuth 2
authorisation-code flow with PKCE (S256) through django-oauth-toolkit's own endpoints."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from oauth2_provider.models import Application
from rest_framework.test import APIClient

from curation.models import ApiKeyScope
from curation.services.apikeys import api_key_issue

REDIRECT = "https://dashboard.example.org/callback"


def oauth_access_token(user, scope: str = "read write") -> str:
    """Run the authorisation-code + PKCE flow for `user` and return the access token."""
    app = Application.objects.create(
        name=f"Residency dashboard {secrets.token_hex(3)}",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        skip_authorization=True,
        algorithm="",
    )
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    browser = APIClient()
    browser.force_login(user)
    authorize = browser.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "xyz",
        },
    )
    assert authorize.status_code == 302, authorize.content[:500]
    code = parse_qs(urlsplit(authorize["Location"]).query)["code"][0]
    token = APIClient().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    return token.json()["access_token"]


@pytest.fixture
def personas(learner, expert, editor):
    """name -> API client authenticated as that persona."""
    clients = {"anonymous": APIClient()}
    for name, user in (("learner", learner), ("expert", expert), ("editor", editor)):
        client = APIClient()
        client.force_login(user)
        clients[name] = client
    for name, scope in (("api_key_read", ApiKeyScope.READ), ("api_key_write", ApiKeyScope.READ_WRITE)):
        _, raw = api_key_issue(owner=expert, name=name, scope=scope)
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=raw)
        clients[name] = client
    oauth = APIClient()
    oauth.credentials(HTTP_AUTHORIZATION=f"Bearer {oauth_access_token(expert)}")
    clients["oauth"] = oauth
    return clients
