"""Credentials: the public verification page, the PDF certificate, the hosted Open Badge, looking a code
up, and editors revoking one."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.requests import signed_in
from curation.certificates import certificate_pdf, open_badge
from curation.errors import DomainError, NotFound
from curation.selectors.credit import credential_by_code
from curation.services.credit import credential_revoke
from frontend.access import editor_required

# A credential names a person: shown to whoever holds the code, never listed by search engines.
NOINDEX = "noindex, nofollow"


def _credential_or_404(code: str) -> Any:
    try:
        return credential_by_code(code=code)
    except NotFound as error:
        raise Http404(error.message) from error


def credential_verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public verification page of a credential: who, what, when, how many hours, valid or not."""
    credential = _credential_or_404(code)
    response = render(
        request,
        "frontend/credit/credential.html",
        {
            "credential": credential,
            "achievement": credential.achievement,
            "valid": credential.is_valid,
        },
    )
    response["X-Robots-Tag"] = NOINDEX
    return response


@editor_required
@require_POST
def credential_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    """An editor withdraws a credential, with a reason kept in the audit trail."""
    credential = _credential_or_404(code)
    try:
        credential_revoke(
            editor=signed_in(request), credential=credential, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Revoked: the verification page, the badge and the API say so from now on.")
    return redirect("frontend:credential", code=credential.code)


def credential_pdf(request: HttpRequest, code: str) -> HttpResponse:
    credential = _credential_or_404(code)
    response = HttpResponse(certificate_pdf(credential), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{credential.code}.pdf"'
    response["X-Robots-Tag"] = NOINDEX
    return response


def credential_badge(request: HttpRequest, code: str) -> HttpResponse:
    """The hosted Open Badges 3.0 credential (its `id` is this URL)."""
    credential = _credential_or_404(code)
    response = JsonResponse(open_badge(credential), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/ld+json"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers fetch it from their own pages
    response["X-Robots-Tag"] = NOINDEX
    return response


def credential_lookup(request: HttpRequest) -> HttpResponse:
    """Type a verification code (as printed on a certificate) and go to its page."""
    code = request.GET.get("code", "").strip().upper()
    if code:
        try:
            credential = credential_by_code(code=code)
        except NotFound as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:credential", code=credential.code)
    return render(request, "frontend/credit/verify.html", {"code": code})
