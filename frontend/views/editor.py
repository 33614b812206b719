"""Editor pages: the dashboard, expert verification queue, curation rounds (candidates, assignment,
progress, publication), the moderation queue, and harvest health with add-by-URL and OPML import.
Every POST calls one service; domain errors come back as messages, never as a 500."""

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.requests import signed_in
from curation import selectors
from curation.enums import RoundStatus
from curation.errors import DomainError
from curation.models import (
    Appeal,
    CurationRound,
    Endorsement,
    ExpertProfile,
    Flag,
    Resource,
    Review,
    Source,
    SourceClaim,
)
from curation.selectors import editorial
from curation.selectors.editorial import round_candidate_suggestions
from curation.services.accounts import expert_verification_decide
from curation.services.cases import appeal_decide, flag_decide
from curation.services.catalogue import source_request_create, source_schedule_now
from curation.services.claims import source_claim_decide
from curation.services.endorsements import endorsement_moderate
from curation.services.opml import opml_import
from curation.services.reviews import review_hold_decide
from curation.services.rounds import (
    round_add_candidates,
    round_assign,
    round_cancel,
    round_create,
    round_publish,
)
from frontend.access import editor_required
from frontend.forms import AddSourceForm, DecisionForm, OpmlImportForm, RoundForm, add_domain_error


def _attempt(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run one service call; report its domain error as a message instead of failing the page."""
    try:
        action()
    except DomainError as error:
        details = " ".join(" ".join(problems) for problems in error.field_errors.values())
        messages.error(request, f"{error.message} {details}".strip())
        return False
    messages.success(request, success)
    return True


def _rounds(request: HttpRequest) -> QuerySet[CurationRound]:
    return selectors.round_list_visible_to(user=request.user).order_by("-created_at", "-id")  # type: ignore[arg-type]


@editor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    queue = editorial.moderation_queue()
    context = {
        "applications": editorial.expert_applications_pending().count(),
        "moderation": queue.total,
        "rounds": _rounds(request).exclude(status__in=[RoundStatus.PUBLISHED, RoundStatus.CANCELLED]),
        "health": editorial.harvest_health(),
    }
    return render(request, "frontend/editor/dashboard.html", context)


@editor_required
def verification_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/editor/verification.html",
        {"applications": editorial.expert_applications_pending()},
    )


@editor_required
@require_POST
def verification_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    profile = get_object_or_404(ExpertProfile.objects.select_related("user"), user__public_id=public_id)
    approve = request.POST.get("decision") == "approve"
    name = profile.user.get_full_name() or profile.user.username
    _attempt(
        request,
        lambda: expert_verification_decide(
            editor=signed_in(request),
            profile=profile,
            approve=approve,
            reason=request.POST.get("reason", ""),
        ),
        f"{name} is now a verified expert." if approve else f"{name}'s application was declined.",
    )
    return redirect("frontend:editor-verification")


@editor_required
def round_list(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def day(value: object, end: bool = False) -> datetime:
            return datetime.combine(value, time.max if end else time.min, tzinfo=UTC)  # type: ignore[arg-type]

        try:
            round_ = round_create(
                editor=signed_in(request),
                title=data["title"],
                instrument_version=data["instrument_version"],
                window_start=day(data["window_start"]),
                window_end=day(data["window_end"], end=True),
                deadline=day(data["deadline"], end=True),
                topic=data["topic"],
                reviewers_per_candidate=data["reviewers_per_candidate"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Round created. Choose its candidates.")
            return redirect("frontend:editor-round", public_id=round_.public_id)
    return render(request, "frontend/editor/rounds.html", {"rounds": _rounds(request), "form": form})


@editor_required
def round_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    round_ = get_object_or_404(_rounds(request), public_id=public_id)
    context = {
        "round": round_,
        "progress": editorial.round_progress(round_=round_),
        "suggestions": round_candidate_suggestions(round_=round_)[:50]
        if round_.status == RoundStatus.DRAFT
        else [],
    }
    return render(request, "frontend/editor/round_detail.html", context)


@editor_required
@require_POST
def round_action(request: HttpRequest, public_id: str) -> HttpResponse:
    round_ = get_object_or_404(CurationRound, public_id=public_id)
    editor, action = request.user, request.POST.get("action", "")
    if action == "add":
        chosen = Resource.objects.filter(public_id__in=request.POST.getlist("resource"))
        _attempt(
            request,
            lambda: round_add_candidates(editor=editor, round_=round_, resources=chosen),  # type: ignore[arg-type]
            f"Added {chosen.count()} candidate(s).",
        )
    elif action == "assign":
        _attempt(
            request,
            lambda: round_assign(editor=editor, round_=round_),  # type: ignore[arg-type]
            "Reviewers assigned and notified. The round is open.",
        )
    elif action == "publish":
        provisional = request.POST.get("provisional") == "1"
        _attempt(
            request,
            lambda: round_publish(editor=editor, round_=round_, provisional=provisional),  # type: ignore[arg-type]
            "Published: designations are live on the resource pages."
            + (" Results below the minimum panel are marked provisional." if provisional else ""),
        )
    elif action == "cancel":
        _attempt(
            request,
            lambda: round_cancel(editor=editor, round_=round_, reason=request.POST.get("reason", "")),  # type: ignore[arg-type]
            "Round cancelled.",
        )
    else:
        messages.error(request, "Unknown action.")
    return redirect("frontend:editor-round", public_id=round_.public_id)


@editor_required
def moderation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/editor/moderation.html",
        {"queue": editorial.moderation_queue(), "form": DecisionForm()},
    )


@editor_required
@require_POST
def moderation_decide(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    if kind not in MODERATION:
        raise Http404("Nothing to moderate of that kind")
    model, decide, (accepted, rejected) = MODERATION[kind]
    item = get_object_or_404(model, public_id=public_id)
    accept = request.POST.get("decision") == "accept"
    reason = request.POST.get("reason", "")
    _attempt(request, lambda: decide(request.user, item, accept, reason), accepted if accept else rejected)
    return redirect("frontend:editor-moderation")


# kind: (model, its service as (editor, item, accept, reason), messages when accepted / rejected)
MODERATION: dict[str, tuple[type[Model], Callable[[Any, Any, bool, str], object], tuple[str, str]]] = {
    "endorsement": (
        Endorsement,
        lambda editor, item, accept, reason: endorsement_moderate(
            editor=editor, endorsement=item, release=accept, reason=reason
        ),
        ("Endorsement counted.", "Endorsement rejected."),
    ),
    "review": (
        Review,
        lambda editor, item, accept, reason: review_hold_decide(
            editor=editor, review=item, release=accept, reason=reason
        ),
        ("Review released.", "Review returned to its reviewer."),
    ),
    "flag": (
        Flag,
        lambda editor, item, accept, reason: flag_decide(
            editor=editor, flag=item, uphold=accept, reason=reason
        ),
        (
            "Flag upheld: the resource is hidden, or the flagged review returned to its reviewer.",
            "Flag dismissed.",
        ),
    ),
    "appeal": (
        Appeal,
        lambda editor, item, accept, reason: appeal_decide(
            editor=editor, appeal=item, uphold=accept, reason=reason
        ),
        ("Appeal upheld: the designation is withdrawn, or the review returned.", "Appeal dismissed."),
    ),
    "claim": (
        SourceClaim,
        lambda editor, item, accept, reason: source_claim_decide(
            editor=editor, claim=item, approve=accept, reason=reason
        ),
        ("Claim verified: the claimant is now an owner of the source.", "Claim rejected."),
    ),
}


@editor_required
def harvest_health(request: HttpRequest) -> HttpResponse:
    context = {
        "health": editorial.harvest_health(),
        "add_form": AddSourceForm(),
        "opml_form": OpmlImportForm(),
    }
    return render(request, "frontend/editor/harvest.html", context)


@editor_required
@require_POST
def source_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    source = get_object_or_404(Source, public_id=public_id)
    source_schedule_now(source=source)
    messages.success(
        request,
        f"{source.title or source.feed_url} is due now: the next dispatch (within a minute) fetches it.",
    )
    return redirect("frontend:editor-harvest")


@editor_required
@require_POST
def source_add(request: HttpRequest) -> HttpResponse:
    form = AddSourceForm(request.POST)
    if not form.is_valid():
        for field, problems in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}: {' '.join(map(str, problems))}",
            )
        return redirect("frontend:editor-harvest")
    data = form.cleaned_data
    try:
        pending = source_request_create(
            editor=signed_in(request),
            url=data["url"],
            kind=data["kind"],
            topic_slugs=[topic.slug for topic in data["topics"]],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Looking for the feed at {pending.url}: a worker picks it up within a minute; the result appears below.",
        )
    return redirect("frontend:editor-harvest")


@editor_required
@require_POST
def opml_upload(request: HttpRequest) -> HttpResponse:
    form = OpmlImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(map(str, problems)) for problems in form.errors.values()))
        return redirect("frontend:editor-harvest")
    report = opml_import(form.cleaned_data["opml"])
    summary = f"OPML import: {len(report.created)} new source(s), {len(report.existing)} already known"
    if report.errors:
        problems = "; ".join(f"{error['url'] or 'document'}: {error['error']}" for error in report.errors[:5])
        messages.warning(request, f"{summary}, {len(report.errors)} skipped ({problems}).")
    else:
        messages.success(request, summary + ".")
    return redirect("frontend:editor-harvest")
