"""Typed requests for views behind a sign-in check: the user is the project's User, not the union with
AnonymousUser that Django's stubs give (Zulip and django-stubs users do the same)."""

from django.http import HttpRequest
from rest_framework.request import Request

from curation.models import User


def signed_in(request: HttpRequest | Request) -> User:
    """The signed-in user of a request a permission or decorator already checked."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("This view needs a signed-in user.")
    return user


def viewer(request: HttpRequest | Request) -> User | None:
    """The user, or None for an anonymous visitor (selectors take either)."""
    user = request.user
    return user if isinstance(user, User) else None
