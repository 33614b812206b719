"""Modules as learners take them (the quiz without answers, attempts and their feedback) and the CPD log
(printable, by year, CSV)."""

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from config.requests import signed_in, viewer
from curation.errors import DomainError, NotFound
from curation.exports import cpd_csv as cpd_csv_text
from curation.models import Module
from curation.selectors.credit import (
    attempt_feedback,
    attempt_own,
    attempts_of,
    cpd_records_of,
    cpd_years_of,
    credentials_of,
    module_progress,
    module_version_current,
    module_visible,
    modules_published,
    version_for_learner,
)
from curation.services.credit import attempt_submit


def _module_or_404(request: HttpRequest, public_id: Any) -> Module:
    try:
        return module_visible(user=viewer(request), public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _year(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isascii() and value.isdigit() and 1900 < int(value) < 3000 else None


def module_list(request: HttpRequest) -> HttpResponse:
    """Published modules, newest month first; a signed-in learner sees which they passed."""
    tried, passed = module_progress(learner=viewer(request))
    return render(
        request,
        "frontend/credit/modules.html",
        {"modules": modules_published(), "passed": passed, "tried": tried},
    )


def _answers(request: HttpRequest, questions: list[dict[str, Any]]) -> dict[str, int]:
    answers = {}
    for question in questions:
        value = request.POST.get(f"q-{question['id']}", "")
        if value.isascii() and value.isdigit():
            answers[question["id"]] = int(value)
    return answers


def module_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The module as a learner takes it: objectives, resources in order, the quiz (without answers) and a
    reflection. Submitting scores it and shows the attempt."""
    module = _module_or_404(request, public_id)
    version = module_version_current(module)
    if version is None:
        raise Http404("This module has no published version yet.")
    shown = version_for_learner(version)
    user = viewer(request)
    chosen: dict[str, int] = {}
    if request.method == "POST":
        if user is None:
            return redirect(f"/accounts/login/?next={request.path}")
        chosen = _answers(request, shown["questions"])
        try:
            attempt = attempt_submit(
                learner=user, version=version, answers=chosen, reflection=request.POST.get("reflection", "")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:module-attempt", public_id=attempt.public_id)
    for question in shown["questions"]:
        question["chosen"] = chosen.get(question["id"])
    context = {
        "module": module,
        "version": version,
        "shown": shown,
        "reflection": request.POST.get("reflection", "") if request.method == "POST" else "",
        "attempts": list(attempts_of(learner=user, module=module)[:20]) if user is not None else [],
    }
    return render(request, "frontend/credit/module_detail.html", context)


@login_required
def attempt_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An attempt of one's own: score, pass or not, and each question's answer and explanation."""
    try:
        attempt = attempt_own(learner=signed_in(request), public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    record = getattr(attempt, "cpd_record", None)
    context = {
        "attempt": attempt,
        "module": attempt.module_version.module,
        "feedback": attempt_feedback(attempt),
        "credential": getattr(record, "credential", None) if record else None,
    }
    return render(request, "frontend/credit/attempt.html", context)


@login_required
def cpd_log(request: HttpRequest) -> HttpResponse:
    """The learner's CPD log (printable), filterable by year, with their credentials."""
    user = signed_in(request)
    year = _year(request)
    records = list(cpd_records_of(learner=user, year=year))
    context = {
        "records": records,
        "year": year,
        "years": cpd_years_of(learner=user),
        "total_hours": sum((record.hours for record in records), Decimal("0")),
        "credentials": credentials_of(user=user).filter(kind="peer_review"),
    }
    return render(request, "frontend/credit/cpd_log.html", context)


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def cpd_csv(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    records = cpd_records_of(learner=signed_in(request), year=year)
    return csv_response(cpd_csv_text(records), f"cpd-log{'-' + str(year) if year else ''}.csv")
