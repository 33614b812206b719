"""Credential endpoints are throttled, the admin's sign-in included."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


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
