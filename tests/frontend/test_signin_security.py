"""Credential endpoints are throttled, the admin's sign-in included."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def test_the_admin_signs_in_through_the_throttled_sign_in_page(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert (
        client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302
    )  # never a form here


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client):
    editor = UserFactory(username="chief", role="editor", is_staff=True)
    editor.set_password("correct horse battery staple")
    editor.save()
    for _ in range(6):
        client.post("/accounts/login/", {"login": "chief", "password": "wrong"})
    client.post("/accounts/login/", {"login": "chief", "password": "correct horse battery staple"})
    assert "_auth_user_id" not in client.session  # still refused: the account is rate-limited
    cache.clear()  # the window passes
    client.post("/accounts/login/", {"login": "chief", "password": "correct horse battery staple"})
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_an_editor_without_an_authenticator_app_is_sent_to_set_one_up(client):
    from allauth.mfa.models import Authenticator

    editor = UserFactory(username="newed", role="editor")
    editor.set_password("correct horse battery staple")
    editor.save()
    client.post("/accounts/login/", {"login": "newed", "password": "correct horse battery staple"})
    for path in ("/editor/", "/editor/moderation/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/", path
    confirm = client.get("/accounts/2fa/totp/activate/")
    assert confirm.status_code == 302 and confirm["Location"].startswith("/accounts/reauthenticate/")
    client.post(confirm["Location"], {"password": "correct horse battery staple"})  # confirm it is them
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000001" if secret else "1"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=editor).exists()
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert Authenticator.objects.filter(user=editor, type="totp").exists()
    assert client.get("/editor/").status_code == 200


def test_an_editor_signs_in_with_password_and_authenticator_code(client, editor):
    from tests.conftest import current_totp_code

    editor.set_password("correct horse battery staple")
    editor.save()
    response = client.post(
        "/accounts/login/", {"login": "editor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    client.post(
        "/accounts/2fa/authenticate/",
        {"code": "123456" if current_totp_code(editor) != "123456" else "654321"},
    )
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": current_totp_code(editor)})
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/editor/").status_code == 200


def _signup(client, username: str, email: str):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": email,
            "password1": "a long new passphrase",
            "password2": "a long new passphrase",
        },
    )


def test_sign_up_does_not_reveal_a_registered_address(client):
    from django.core import mail

    from curation.models import User

    UserFactory(username="owner", email="owner@example.org")
    taken = _signup(client, "newcomer", "owner@example.org")
    client.logout()
    fresh = _signup(client, "stranger", "stranger@example.org")
    # The same answer either way: "check your e-mail", never "already registered".
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    page = client.get(taken["Location"]).content.decode().lower()
    assert "already" not in page
    # No second account on the owner's address; the owner is told by e-mail instead.
    assert User.objects.filter(email__iexact="owner@example.org").count() == 1
    assert not User.objects.filter(username="newcomer").exists()
    assert {m.to[0] for m in mail.outbox} == {"owner@example.org", "stranger@example.org"}


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    UserFactory(username="known", email="known@example.org")
    known = client.post("/accounts/password/reset/", {"email": "known@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_new_account_signs_in_only_after_confirming_its_address(client):
    import re

    from django.core import mail

    _signup(client, "fresh", "fresh@example.org")
    assert "_auth_user_id" not in client.session  # not signed in on an unconfirmed address
    client.post("/accounts/login/", {"login": "fresh", "password": "a long new passphrase"})
    assert "_auth_user_id" not in client.session
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/", mail.outbox[-1].body)
    assert link is not None
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    client.post(path)
    client.post("/accounts/login/", {"login": "fresh", "password": "a long new passphrase"})
    assert "_auth_user_id" in client.session
