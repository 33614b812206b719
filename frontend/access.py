"""Who may open what: the expert and editor pages (anonymous visitors are sent to sign in, signed-in
users without the role get the friendly 403 page) and resources (only visible ones, else 404)."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from curation import selectors
from curation.models import Resource

View = Callable[..., HttpResponse]


def _requiring(check: Callable[[Any], bool], message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = _requiring(lambda user: user.is_editor, "This page is for editors.")
expert_required = _requiring(lambda user: user.is_verified_expert, "This page is for verified experts.")


def visible_resource_or_404(public_id: str) -> Resource:
    resource = selectors.resource_get_visible(public_id=public_id)
    if resource is None:
        raise Http404("No such resource")
    return resource


def public_id_or_404(value: str | None) -> str:
    """A public id posted in a form or typed in a URL: anything but a UUID names nothing (404, never a
    lookup error)."""
    try:
        return str(uuid.UUID(str(value or "")))
    except ValueError as error:
        raise Http404("No such item.") from error
