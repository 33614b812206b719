"""Residency programs: residents join a cohort (after the notice) and leave; directors create cohorts and
see their dashboard and CSV."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.requests import signed_in
from curation.errors import DomainError, NotFound
from curation.exports import cohort_csv as cohort_csv_text
from curation.models import User
from curation.selectors.credit import (
    cohort_by_code,
    cohort_dashboard,
    cohort_directed,
    cohorts_directed_by,
    is_program_director,
    memberships_of,
)
from curation.services.credit import cohort_create, cohort_join, cohort_leave, cohort_member_remove
from frontend.access import public_id_or_404
from frontend.views.credit.learning import csv_response


@login_required
def programs(request: HttpRequest) -> HttpResponse:
    """A resident's cohorts (join by code, leave); a director's cohorts (create, open the dashboard)."""
    user = signed_in(request)
    director = is_program_director(user)
    if request.method == "POST" and director:
        try:
            cohort = cohort_create(director=user, name=request.POST.get("name", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Created “{cohort.name}”: give residents the code {cohort.invitation_code}."
            )
            return redirect("frontend:cohort", public_id=cohort.public_id)
    context = {
        "memberships": memberships_of(learner=user),
        "director": director,
        "cohorts": cohorts_directed_by(director=user) if director else [],
    }
    return render(request, "frontend/credit/programs.html", context)


@login_required
def program_join(request: HttpRequest) -> HttpResponse:
    """The notice of what the director will see, then joining with the invitation code."""
    user = signed_in(request)
    code = (request.POST.get("code") or request.GET.get("code", "")).strip().upper()
    try:
        cohort = cohort_by_code(code=code) if code else None
    except NotFound as error:
        messages.error(request, error.message)
        return redirect("frontend:programs")
    if cohort is not None and request.method == "POST":
        try:
            cohort_join(learner=user, cohort=cohort, notice_accepted=request.POST.get("accept") == "yes")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You joined {cohort.name} ({cohort.program}).")
            return redirect("frontend:programs")
    return render(request, "frontend/credit/join.html", {"cohort": cohort, "code": code})


@login_required
@require_POST
def program_leave(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = signed_in(request)
    membership = memberships_of(learner=user).filter(cohort__public_id=public_id).first()
    if membership is None:
        raise Http404("You are not in that cohort.")
    cohort_leave(learner=user, cohort=membership.cohort)
    messages.success(request, f"You left {membership.cohort.name}: its director no longer sees your record.")
    return redirect("frontend:programs")


def _directed_or_404(request: HttpRequest, public_id: uuid.UUID) -> Any:
    try:
        return cohort_directed(director=signed_in(request), public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
def cohort_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The director's dashboard: each resident's completed modules, scores and hours."""
    cohort = _directed_or_404(request, public_id)
    return render(
        request, "frontend/credit/cohort.html", {"cohort": cohort, "rows": cohort_dashboard(cohort=cohort)}
    )


@login_required
@require_POST
def cohort_member_remove_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cohort = _directed_or_404(request, public_id)
    member = get_object_or_404(User, public_id=public_id_or_404(request.POST.get("resident", "")))
    try:
        cohort_member_remove(director=signed_in(request), cohort=cohort, learner=member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {member.display_name} from {cohort.name}.")
    return redirect("frontend:cohort", public_id=cohort.public_id)


@login_required
def cohort_csv(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cohort = _directed_or_404(request, public_id)
    return csv_response(
        cohort_csv_text(cohort_dashboard(cohort=cohort)), f"cohort-{cohort.invitation_code}.csv"
    )
