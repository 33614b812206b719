"""Learning credit pages: modules and their quiz, attempts, the CPD log, credentials (public verification,
PDF certificate, Open Badges JSON), programs (joining, leaving, the director's dashboard), the editors'
module builder and program directors, and the experts' peer-review credit."""

import csv
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.requests import signed_in, viewer
from curation.certificates import certificate_pdf, open_badge, orcid_peer_review
from curation.errors import DomainError, InvalidInput, NotFound
from curation.models import Module, Question, Resource, Topic, User
from curation.selectors.credit import (
    attempt_feedback,
    attempt_own,
    attempts_of,
    cohort_by_code,
    cohort_dashboard,
    cohort_directed,
    cohorts_directed_by,
    cpd_records_of,
    cpd_years_of,
    credential_by_code,
    credentials_of,
    is_program_director,
    memberships_of,
    module_version_current,
    module_visible,
    modules_for_editor,
    modules_published,
    orcid_link,
    orcid_pushes_of,
    program_directors,
    resources_designated,
    reviewer_year_summary,
    reviewer_years,
    reviews_for_credit,
    version_for_learner,
)
from curation.selectors.public import specialty_topics
from curation.services.credit import (
    attempt_submit,
    cohort_create,
    cohort_join,
    cohort_leave,
    cohort_member_remove,
    credential_revoke,
    director_grant,
    director_revoke,
    module_create,
    module_item_add,
    module_item_move,
    module_item_remove,
    module_publish,
    module_retire,
    module_update,
    orcid_push_request,
    question_add,
    question_remove,
    reviewer_credential_issue,
)
from frontend.access import editor_required, expert_required


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
    user = viewer(request)
    passed: set[int] = set()
    tried: set[int] = set()
    if user is not None:
        for module_id, did_pass in attempts_of(learner=user).values_list(
            "module_version__module_id", "passed"
        ):
            tried.add(module_id)
            if did_pass:
                passed.add(module_id)
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


def _csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(value) for value in row])
    return response


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is quoted as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CPD_HEADER = ["completed", "module", "version", "score_percent", "hours", "hours_basis", "verification_code"]


def _cpd_row(record: Any) -> list[Any]:
    return [
        record.completed_at.date().isoformat(),
        record.module_version.content["title"],
        record.module_version.version,
        round(record.score, 1),
        record.hours,
        "estimated" if record.hours_estimated else "set by the editor",
        record.credential.code if hasattr(record, "credential") else "",
    ]


@login_required
def cpd_csv(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    records = cpd_records_of(learner=signed_in(request), year=year)
    return _csv_response(
        f"cpd-log{'-' + str(year) if year else ''}.csv", CPD_HEADER, [_cpd_row(r) for r in records]
    )


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
            "valid": credential.revoked_at is None,
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
    member = get_object_or_404(User, public_id=_uuid(request.POST.get("resident", "")))
    try:
        cohort_member_remove(director=signed_in(request), cohort=cohort, learner=member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {member.display_name} from {cohort.name}.")
    return redirect("frontend:cohort", public_id=cohort.public_id)


COHORT_HEADER = ["resident", "email", "joined", *CPD_HEADER]


@login_required
def cohort_csv(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    cohort = _directed_or_404(request, public_id)
    rows: list[list[Any]] = []
    for row in cohort_dashboard(cohort=cohort):
        person = [row["learner"].display_name, row["learner"].email, row["joined_at"].date().isoformat()]
        rows.extend([*person, *_cpd_row(record)] for record in row["records"])
        if not row["records"]:
            rows.append([*person] + [""] * len(CPD_HEADER))
    return _csv_response(f"cohort-{cohort.invitation_code}.csv", COHORT_HEADER, rows)


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.strip()[:7].split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise InvalidInput("Give the month as YYYY-MM.", field_errors={"month": ["YYYY-MM"]}) from error


def _hours(value: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation as error:
        raise InvalidInput(
            "Hours are a number such as 1.5.", field_errors={"hours": ["A number."]}
        ) from error


def _int(value: str, field: str, default: int | None = None) -> int:
    if not value.strip() and default is not None:
        return default
    if not (value.strip().isascii() and value.strip().isdigit()) or len(value.strip()) > 6:
        raise InvalidInput(
            f"The {field.replace('_', ' ')} is a whole number.", field_errors={field: ["A number."]}
        )
    return int(value)


def _module_settings(request: HttpRequest) -> dict[str, Any]:
    slug = request.POST.get("topic", "")
    return {
        "title": request.POST.get("title", ""),
        "month": _month(request.POST.get("month", "")),
        "topic": Topic.objects.filter(slug=slug).first() if slug else None,
        "objectives": request.POST.get("objectives", "").splitlines(),
        "pass_mark": _int(request.POST.get("pass_mark", ""), "pass_mark", 80),
        "hours": _hours(request.POST.get("hours", "")),
    }


@editor_required
def editor_modules(request: HttpRequest) -> HttpResponse:
    """Every module (drafts too) and a form for a new one; program directors and granting the role."""
    user = signed_in(request)
    if request.method == "POST":
        try:
            module = module_create(editor=user, **_module_settings(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:editor-module", public_id=module.public_id)
    context = {
        "modules": modules_for_editor(),
        "directors": program_directors(),
        "topics": specialty_topics(),
        "this_month": timezone.now().strftime("%Y-%m"),
    }
    return render(request, "frontend/credit/editor_modules.html", context)


@editor_required
@require_POST
def editor_directors(request: HttpRequest) -> HttpResponse:
    """Grant or revoke the program-director role."""
    user = signed_in(request)
    person = User.objects.filter(
        username=request.POST.get("username", "").replace("\x00", "").strip()
    ).first()
    if person is None:
        messages.error(request, "No user has that username.")
        return redirect("frontend:editor-modules")
    try:
        if request.POST.get("action") == "revoke":
            director_revoke(editor=user, user=person)
            messages.success(request, f"{person.username} is no longer a program director.")
        else:
            director_grant(editor=user, user=person, program=request.POST.get("program", ""))
            messages.success(request, f"{person.username} is now a program director.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("frontend:editor-modules")


def _resource_from_form(value: str) -> Resource:
    """A designated resource named by its id, its page URL or its canonical URL."""
    value = value.strip()
    candidates = resources_designated()
    for part in reversed([p for p in value.split("/") if p]):
        try:
            found = candidates.filter(public_id=uuid.UUID(part)).first()
        except ValueError:
            continue
        if found is not None:
            return found
    found = candidates.filter(canonical_url=value).first() if value else None
    if found is None:
        raise InvalidInput(
            "No designated resource has that id or address.", field_errors={"resource": ["Unknown."]}
        )
    return found


def _builder_action(request: HttpRequest, user: User, module: Module) -> str:
    action = request.POST.get("action", "")
    if action == "update":
        module_update(editor=user, module=module, **_module_settings(request))
        return "Saved."
    if action == "add-resource":
        module_item_add(
            editor=user, module=module, resource=_resource_from_form(request.POST.get("resource", ""))
        )
        return "Resource added."
    if action == "remove-resource":
        resource = get_object_or_404(Resource, public_id=_uuid(request.POST.get("resource", "")))
        module_item_remove(editor=user, module=module, resource=resource)
        return "Resource removed, with its questions."
    if action in ("up", "down"):
        resource = get_object_or_404(Resource, public_id=_uuid(request.POST.get("resource", "")))
        module_item_move(editor=user, module=module, resource=resource, offset=-1 if action == "up" else 1)
        return "Moved."
    if action == "add-question":
        resource = get_object_or_404(Resource, public_id=_uuid(request.POST.get("resource", "")))
        question_add(
            editor=user,
            module=module,
            resource=resource,
            stem=request.POST.get("stem", ""),
            options=request.POST.get("options", "").splitlines(),
            correct=_int(request.POST.get("correct", ""), "correct") - 1,
            explanation=request.POST.get("explanation", ""),
            reference=request.POST.get("reference", ""),
        )
        return "Question added."
    if action == "remove-question":
        question = get_object_or_404(
            Question, module=module, public_id=_uuid(request.POST.get("question", ""))
        )
        question_remove(editor=user, module=module, question=question)
        return "Question removed."
    if action == "publish":
        version = module_publish(editor=user, module=module)
        return f"Published version {version.version}: learners take it from now on."
    if action == "retire":
        module_retire(editor=user, module=module)
        return "Retired: no longer offered; passes stay valid."
    raise InvalidInput("Unknown action.")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise Http404("No such item.") from error


@editor_required
def editor_module(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The module builder: settings, designated resources in order, questions per resource, publishing."""
    user = signed_in(request)
    module = get_object_or_404(Module.objects.select_related("topic"), public_id=public_id)
    if request.method == "POST":
        try:
            messages.success(request, _builder_action(request, user, module))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("frontend:editor-module", public_id=module.public_id)
    items = list(module.items.select_related("resource__source"))
    questions = list(module.questions.select_related("resource"))
    context = {
        "module": module,
        "items": [(item, [q for q in questions if q.resource_id == item.resource_id]) for item in items],
        "question_count": len(questions),
        "versions": module.versions.order_by("-version"),
        "topics": specialty_topics(),
    }
    return render(request, "frontend/credit/editor_module.html", context)


@expert_required
def expert_credit(request: HttpRequest) -> HttpResponse:
    """An expert's peer-review credit: a certificate and badge per year, each review as ORCID JSON (and,
    where ORCID_PUSH_ENABLED, sent to their ORCID record)."""
    user = signed_in(request)
    if request.method == "POST" and request.POST.get("action") == "orcid-push":
        review = (
            reviews_for_credit(reviewer=user).filter(public_id=_uuid(request.POST.get("review", ""))).first()
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
                reviewer=user, year=_int(request.POST.get("year", ""), "year")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("frontend:credential", code=credential.code)
    years = [reviewer_year_summary(reviewer=user, year=year) for year in reviewer_years(reviewer=user)]
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
