"""Experts' peer-review credit: yearly certificates and reviews for ORCID."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from config.requests import signed_in
from curation.certificates import orcid_peer_review
from curation.errors import DomainError
from curation.selectors.credit import (
    credentials_of,
    orcid_link,
    orcid_pushes_of,
    reviewer_year_summaries,
    reviews_for_credit,
)
from curation.services.credit import orcid_push_request, reviewer_credential_issue
from frontend.access import expert_required, public_id_or_404
from frontend.views.credit.building import whole_number


@expert_required
def expert_credit(request: HttpRequest) -> HttpResponse:
    """An expert's peer-review credit: a certificate and badge per year, each review as ORCID JSON (and,
    where ORCID_PUSH_ENABLED, sent to their ORCID record)."""
    user = signed_in(request)
    if request.method == "POST" and request.POST.get("action") == "orcid-push":
        review = (
            reviews_for_credit(reviewer=user)
            .filter(public_id=public_id_or_404(request.POST.get("review", "")))
            .first()
        )
        if review is None:
            raise Http404("No such review of yours.")
        try:
            orcid_push_request(reviewer=user, review=review)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Queued: it will appear on your ORCID record within a few minutes.")
        return redirect("frontend:expert-credit")
    if request.method == "POST":
        try:
            credential = reviewer_credential_issue(
                reviewer=user, year=whole_number(request.POST.get("year", ""), "year")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:credential", code=credential.code)
    years = reviewer_year_summaries(reviewer=user)
    credentials = {c.year: c for c in credentials_of(user=user).filter(kind="peer_review")}
    for summary in years:
        summary["credential"] = credentials.get(summary["year"])
    pushes = orcid_pushes_of(reviewer=user)
    reviews = list(reviews_for_credit(reviewer=user).order_by("-submitted_at")[:200])
    context = {
        "years": years,
        "reviews": [(review, pushes.get(review.pk)) for review in reviews],
        "push_enabled": settings.ORCID_PUSH_ENABLED,
        "orcid_linked": settings.ORCID_PUSH_ENABLED and orcid_link(user) is not None,
        "orcid_connectable": bool(settings.ORCID_CLIENT_ID),
    }
    return render(request, "frontend/credit/expert_credit.html", context)


@expert_required
def review_orcid(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One of the expert's own reviews as an ORCID peer-review activity (JSON), to add to their record."""
    review = reviews_for_credit(reviewer=signed_in(request)).filter(public_id=public_id).first()
    if review is None:
        raise Http404("No such review of yours.")
    response = JsonResponse(orcid_peer_review(review), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="orcid-peer-review-{review.public_id}.json"'
    return response
