"""Pages that keep publication defensible: flags and appeals people can reach, source claims, declared
conflicts, and the editors' tools for them (removal with a tombstone, source owners, reviewer steering
in a round, new instrument versions with a preview). Every POST calls one service; a refusal comes
back as a message, never a 500."""

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from curation import selectors
from curation.enums import ClaimStatus
from curation.errors import DomainError, InvalidInput
from curation.models import (
    CurationRound,
    Designation,
    ExpertProfile,
    Instrument,
    Resource,
    RoundCandidate,
    SearchSynonym,
    Source,
    SourceClaim,
    User,
)
from curation.selectors.public import instrument_current_version
from curation.services.cases import appeal_submit, flag_raise
from curation.services.claims import source_claim_start
from curation.services.instruments import DEFAULT_MIN_PANEL, instrument_version_create
from curation.services.integrity import resource_remove, source_owner_set
from curation.services.reviews import conflict_declare
from curation.services.rounds import assignment_add, assignment_remove, assignment_swap
from curation.services.vocabulary import synonym_group_add, synonym_group_delete
from curation.vocabulary import shipped_groups
from frontend.access import editor_required, expert_required, public_id_or_404, visible_resource_or_404
from frontend.views.editor import _attempt


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_POST
def flag(request: HttpRequest, public_id: str) -> HttpResponse:
    """Any signed-in user flags a resource, or one of its published reviews, with a reason."""
    resource = visible_resource_or_404(public_id)
    review = None
    if request.POST.get("review"):
        review = get_object_or_404(
            selectors.reviews_public(), public_id=public_id_or_404(request.POST["review"]), resource=resource
        )
    try:
        _, held = flag_raise(
            user=_user(request), resource=resource, review=review, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, held or "Thank you: an editor will look at your flag.")
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@login_required
@require_POST
def appeal(request: HttpRequest, public_id: str) -> HttpResponse:
    """The resource's author appeals its current designation or one of its published reviews."""
    resource = visible_resource_or_404(public_id)
    target = request.POST.get("target", "")
    kind, _, target_id = target.partition(":")
    designation = review = None
    if kind == "designation":
        designation = get_object_or_404(Designation, public_id=public_id_or_404(target_id), resource=resource)
    elif kind == "review":
        review = get_object_or_404(
            selectors.reviews_public(), public_id=public_id_or_404(target_id), resource=resource
        )
    else:
        messages.error(request, "Choose the designation or the review you appeal.")
        return redirect("frontend:resource-detail", public_id=resource.public_id)
    _attempt(
        request,
        lambda: appeal_submit(
            appellant=_user(request),
            designation=designation,
            review=review,
            statement=request.POST.get("statement", ""),
        ),
        "Your appeal was received: an editor will decide it and record the reason.",
    )
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@login_required
def source_claim(request: HttpRequest, public_id: str) -> HttpResponse:
    """Claim a source: start (POST) and see the token to place in the feed or on the site."""
    source = get_object_or_404(Source, public_id=public_id)
    if request.method == "POST":
        try:
            source_claim_start(user=_user(request), source=source)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("frontend:source-detail", public_id=source.public_id)
        return redirect("frontend:source-claim", public_id=source.public_id)
    claims = SourceClaim.objects.filter(source=source, claimant=_user(request)).order_by("-created_at")
    return render(request, "frontend/integrity/claim.html", {"source": source, "claims": claims})


@expert_required
def conflicts(request: HttpRequest) -> HttpResponse:
    """An expert declares conflicts as links to sources (chosen from the catalogue) and authors' names,
    plus free text. Declared conflicts exclude assignment and refuse a review."""
    profile = get_object_or_404(ExpertProfile, user=_user(request))
    query = request.GET.get("q", "").strip()[:200]
    if request.method == "POST":
        keep = request.POST.getlist("source")
        sources = list(Source.objects.filter(public_id__in=[s for s in keep if _is_uuid(s)]))
        authors = [line.strip() for line in request.POST.get("authors", "").splitlines() if line.strip()]
        if _attempt(
            request,
            lambda: conflict_declare(
                user=_user(request),
                sources=sources,
                authors=authors,
                statement=request.POST.get("statement", ""),
            ),
            "Your declared conflicts were saved.",
        ):
            return redirect("frontend:expert-conflicts")
    matches = (
        Source.objects.filter(
            Q(title__icontains=query) | Q(site_url__icontains=query) | Q(feed_url__icontains=query)
        )
        .exclude(pk__in=profile.conflicted_sources.all())
        .order_by("title")[:20]
        if query
        else []
    )
    context = {
        "profile": profile,
        "declared": profile.conflicted_sources.order_by("title"),
        "matches": matches,
        "q": query,
    }
    return render(request, "frontend/integrity/conflicts.html", context)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


# --- editors -------------------------------------------------------------------------------------
@editor_required
@require_POST
def resource_removal(request: HttpRequest, public_id: str) -> HttpResponse:
    resource = get_object_or_404(Resource, public_id=public_id)
    if _attempt(
        request,
        lambda: resource_remove(
            editor=_user(request), resource=resource, reason=request.POST.get("reason", "")
        ),
        "Removed. A tombstone keeps it from coming back on a later harvest.",
    ):
        return redirect("frontend:editor-dashboard")
    return redirect("frontend:resource-detail", public_id=resource.public_id)


@editor_required
def source_owners(request: HttpRequest, public_id: str) -> HttpResponse:
    """Editors add or remove a source's owners (its authors), with a recorded reason."""
    source = get_object_or_404(Source, public_id=public_id)
    if request.method == "POST":
        who = request.POST.get("user", "").strip()
        user = User.objects.filter(Q(username__iexact=who) | Q(email__iexact=who)).first() if who else None
        if user is None:
            messages.error(request, f"No user with the username or e-mail {who!r}.")
        else:
            adding = request.POST.get("action") != "remove"
            _attempt(
                request,
                lambda: source_owner_set(
                    editor=_user(request),
                    source=source,
                    user=user,
                    owner=adding,
                    reason=request.POST.get("reason", ""),
                ),
                f"{user.display_name} is {'now' if adding else 'no longer'} an owner of {source}.",
            )
        return redirect("frontend:editor-source-owners", public_id=source.public_id)
    claims = source.claims.select_related("claimant").order_by("-created_at")[:20]
    return render(
        request,
        "frontend/integrity/owners.html",
        {
            "source": source,
            "owners": source.owners.order_by("username"),
            "claims": claims,
            "pending": ClaimStatus.PENDING,
        },
    )


@editor_required
@require_POST
def round_reviewers(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add, remove or swap one reviewer of one candidate of an open round."""
    round_ = get_object_or_404(CurationRound, public_id=public_id)
    candidate = get_object_or_404(RoundCandidate, round=round_, pk=_int(request.POST.get("candidate")))
    add = _user_by_public_id(request.POST.get("add", ""))
    remove = _user_by_public_id(request.POST.get("remove", ""))
    editor, reason = _user(request), request.POST.get("reason", "")
    if add and remove:
        _attempt(
            request,
            lambda: assignment_swap(
                editor=editor, candidate=candidate, remove=remove, add=add, reason=reason
            ),
            f"{remove.display_name} replaced by {add.display_name}.",
        )
    elif add:
        _attempt(
            request,
            lambda: assignment_add(editor=editor, candidate=candidate, reviewer=add),
            f"{add.display_name} added.",
        )
    elif remove:
        _attempt(
            request,
            lambda: assignment_remove(editor=editor, candidate=candidate, reviewer=remove, reason=reason),
            f"{remove.display_name} removed.",
        )
    else:
        messages.error(request, "Choose a reviewer to add, remove or swap.")
    return redirect("frontend:editor-round", public_id=round_.public_id)


def _user_by_public_id(value: str) -> User | None:
    return User.objects.filter(public_id=value).first() if _is_uuid(value) else None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@editor_required
def instruments(request: HttpRequest) -> HttpResponse:
    rows = [
        (instrument, instrument_current_version(instrument=instrument))
        for instrument in Instrument.objects.order_by("name")
    ]
    return render(request, "frontend/integrity/instruments.html", {"rows": rows})


@editor_required
def instrument_version_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Create the next version of an instrument: wording, anchors and scales (items as JSON), thresholds,
    minimum panel, notes; "Preview" shows the items as reviewers will see them, "Create" saves."""
    instrument = get_object_or_404(Instrument, slug=slug)
    current = instrument_current_version(instrument=instrument)
    data: dict[str, Any] = {
        "items": request.POST.get("items", json.dumps(current.items, indent=2) if current else "[]"),
        "thresholds": request.POST.get(
            "thresholds", json.dumps(current.thresholds, indent=2) if current else "[]"
        ),
        "min_panel": request.POST.get("min_panel", str(current.min_panel if current else DEFAULT_MIN_PANEL)),
        "notes": request.POST.get("notes", ""),
    }
    errors: list[str] = []
    preview: list[dict[str, Any]] = []
    if request.method == "POST":
        try:
            items, thresholds = json.loads(data["items"]), json.loads(data["thresholds"])
            min_panel = int(data["min_panel"])
        except (ValueError, TypeError) as error:
            errors.append(f"Items and thresholds must be JSON lists and the panel a whole number ({error}).")
        else:
            if request.POST.get("action") == "create":
                try:
                    version = instrument_version_create(
                        editor=_user(request),
                        instrument=instrument,
                        items=items,
                        thresholds=thresholds,
                        notes=data["notes"],
                        min_panel=min_panel,
                    )
                except DomainError as error:
                    errors.append(error.message)
                    errors += [f"{field}: {' '.join(p)}" for field, p in error.field_errors.items()]
                else:
                    messages.success(
                        request, f"{version} created. New rounds can use it; earlier reviews keep theirs."
                    )
                    return redirect("frontend:editor-instruments")
            else:
                preview = _preview(items, thresholds, min_panel, errors)
    context = {
        "instrument": instrument,
        "current": current,
        "data": data,
        "errors": errors,
        "preview": preview,
    }
    return render(
        request, "frontend/integrity/instrument_version.html", context, status=400 if errors else 200
    )


def _preview(items: Any, thresholds: Any, min_panel: int, errors: list[str]) -> list[dict[str, Any]]:
    from curation.services.instruments import instrument_items_validate
    from frontend.views.expert import _choices

    try:
        instrument_items_validate(items, thresholds)
        if min_panel < DEFAULT_MIN_PANEL:
            raise InvalidInput(f"The minimum panel is at least {DEFAULT_MIN_PANEL}.")
    except DomainError as error:
        errors.append(error.message)
        return []
    return [{**item, "choices": _choices(item)} for item in items]


@editor_required
def rereview_queue(request: HttpRequest) -> HttpResponse:
    """Designations whose resource changed since review, or is gone: candidates for a new round."""
    return render(
        request,
        "frontend/integrity/rereview.html",
        {"designations": selectors.designation_rereview_queue()[:200]},
    )


@editor_required
def synonyms(request: HttpRequest) -> HttpResponse:
    """The search vocabulary: the shipped groups (read-only, with their provenance) and editors' groups."""
    if request.method == "POST":
        terms = request.POST.get("terms", "").replace("\n", ",").split(",")
        _attempt(
            request,
            lambda: synonym_group_add(editor=_user(request), terms=terms),
            "Added: search uses it now.",
        )
        return redirect("frontend:editor-synonyms")
    context = {"groups": SearchSynonym.objects.select_related("added_by"), "shipped": shipped_groups()}
    return render(request, "frontend/integrity/synonyms.html", context)


@editor_required
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(SearchSynonym, pk=pk)
    _attempt(request, lambda: synonym_group_delete(editor=_user(request), group=group), "Removed.")
    return redirect("frontend:editor-synonyms")
