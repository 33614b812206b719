"""The developer page: any signed-in user issues, names, scopes and revokes API keys (seeing each key's
use of its hourly quota) and registers OAuth 2 applications. A new key or client secret is shown once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application

from curation.errors import DomainError
from curation.models import ApiKey, User
from curation.selectors.developer import api_key_requests_last_hour
from curation.services.apikeys import api_key_issue, api_key_revoke
from curation.services.developer import oauth_app_delete, oauth_app_register

SHOWN_ONCE = "developer:shown-once"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def developer(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.filter(owner=_user(request)).order_by("-created_at")
    context = {
        "keys": [(key, api_key_requests_last_hour(key) if key.is_active else None) for key in keys],
        "apps": Application.objects.filter(user=_user(request)).order_by("-created"),
        "shown_once": request.session.pop(SHOWN_ONCE, None),
        "form": request.session.pop("developer:form", {}),
    }
    return render(request, "frontend/developer.html", context)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    details = " ".join(" ".join(problems) for problems in error.field_errors.values())
    messages.error(request, f"{error.message} {details}".strip())
    request.session["developer:form"] = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    return redirect("frontend:developer")


@login_required
@require_POST
def key_create(request: HttpRequest) -> HttpResponse:
    try:
        key, raw = api_key_issue(
            owner=_user(request), name=request.POST.get("name", ""), scope=request.POST.get("scope", "read")
        )
    except DomainError as error:
        return _refused(request, error)
    request.session[SHOWN_ONCE] = {"what": f"API key “{key.name}”", "value": raw}
    return redirect("frontend:developer")


@login_required
@require_POST
def key_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    key = get_object_or_404(ApiKey, public_id=public_id, owner=_user(request))
    api_key_revoke(owner=_user(request), key=key)
    messages.success(request, f"The key “{key.name}” is revoked: apps using it are refused from now on.")
    return redirect("frontend:developer")


@login_required
@require_POST
def app_create(request: HttpRequest) -> HttpResponse:
    try:
        app, secret = oauth_app_register(
            owner=_user(request),
            name=request.POST.get("name", ""),
            redirect_uris=request.POST.get("redirect_uris", ""),
            client_type=request.POST.get("client_type", ""),
        )
    except DomainError as error:
        return _refused(request, error)
    value = f"client_id {app.client_id}" + (f"\nclient_secret {secret}" if secret else "")
    request.session[SHOWN_ONCE] = {"what": f"application “{app.name}”", "value": value}
    return redirect("frontend:developer")


@login_required
@require_POST
def app_delete(request: HttpRequest, client_id: str) -> HttpResponse:
    app = get_object_or_404(Application, client_id=client_id, user=_user(request))
    oauth_app_delete(owner=_user(request), app=app)
    messages.success(request, f"The application “{app.name}” is deleted.")
    return redirect("frontend:developer")
