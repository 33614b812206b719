"""A second factor for the people who can change what the platform publishes: editors and staff must
have an authenticator app (TOTP, allauth's MFA) before any editor or admin page opens. Sign-in then
asks for its code."""

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

GUARDED_PREFIXES = ("/editor/", "/admin/")


class RequireSecondFactorForEditors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith(GUARDED_PREFIXES)
            and user is not None
            and user.is_authenticated
            and (getattr(user, "is_editor", False) or user.is_staff)
            and not is_mfa_enabled(user, types=["totp"])
        ):
            messages.warning(request, "Editors protect their account with an authenticator app first.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)
