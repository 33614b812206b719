"""Who may open the expert and editor pages. Anonymous visitors are sent to sign in; signed-in users
without the role get the friendly 403 page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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
