"""Expert pages: apply for verification, my assignments, and the review form (draft autosave, conflict
of interest, validation messages next to each item)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from curation.enums import ReviewStatus
from curation.errors import DomainError, InvalidInput
from curation.models import ExpertProfile, Instrument, Review, User
from curation.selectors import editorial
from curation.services.accounts import expert_apply
from curation.services.reviews import EDITABLE, review_save_draft, review_submit
from frontend.access import expert_required, visible_resource_or_404
from frontend.forms import ExpertApplicationForm, add_domain_error


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile = ExpertProfile.objects.filter(user=user).first()
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    if profile is not None:
        initial.update(
            {
                name: getattr(profile, name)
                for name in ExpertApplicationForm.base_fields
                if hasattr(profile, name)
            }
        )
    form = ExpertApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expert_apply(user=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, aliases={"name": "first_name"})
        else:
            messages.success(
                request, "Thank you: your application is with the editors. We will e-mail you their decision."
            )
            return redirect("frontend:expert-apply")
    return render(request, "frontend/expert_apply.html", {"form": form, "profile": profile})


@expert_required
def assignments(request: HttpRequest) -> HttpResponse:
    rows = editorial.assignment_list_for(reviewer=request.user)  # type: ignore[arg-type]
    return render(request, "frontend/assignments.html", {"rows": rows, "now": timezone.now()})


@expert_required
def review_form(request: HttpRequest, public_id: str, instrument: str) -> HttpResponse:
    resource = visible_resource_or_404(public_id)
    reviewer: User = request.user  # type: ignore[assignment]
    version = editorial.review_version_for(
        reviewer=reviewer, resource=resource, instrument=get_object_or_404(Instrument, slug=instrument)
    )
    review = Review.objects.filter(reviewer=reviewer, resource=resource, instrument_version=version).first()
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        scores = {item["key"]: request.POST.get(f"item-{item['key']}", "") for item in version.items}
        fields: dict[str, Any] = {
            "scores": {key: value for key, value in scores.items() if value != ""},
            "comments": request.POST.get("comments", ""),
            "conflict_of_interest": request.POST.get("conflict_of_interest", ""),
        }
        try:
            review = review_save_draft(reviewer=reviewer, resource=resource, version=version, **fields)
            if action == "submit":
                review_submit(reviewer=reviewer, review=review)
        except InvalidInput as error:
            errors, message = error.field_errors, error.message
        except DomainError as error:
            message = error.message
        if action == "autosave":
            saved = not errors and not message
            body = {"saved": saved, "at": timezone.now().isoformat(), "errors": errors, "message": message}
            return JsonResponse(body, status=200 if saved else 400)
        if not errors and not message:
            if action == "submit":
                messages.success(request, "Your review was submitted. Thank you.")
                return redirect("frontend:assignments")
            messages.success(request, "Draft saved.")
            return redirect("frontend:review-form", public_id=resource.public_id, instrument=instrument)
        values = scores
    else:
        values = {key: str(value) for key, value in (review.scores if review else {}).items()}
    items = [
        {
            **item,
            "value": values.get(item["key"], ""),
            "errors": errors.get(item["key"], []),
            "choices": _choices(item),
        }
        for item in version.items
    ]
    labels = {item["key"]: item["label"] for item in version.items} | {
        "conflict_of_interest": "Conflict of interest"
    }
    error_list = [(key, labels.get(key, key), " ".join(problems)) for key, problems in errors.items()]
    context = {
        "resource": resource,
        "version": version,
        "review": review,
        "items": items,
        "errors": errors,
        "error_list": error_list,
        "message": message,
        "editable": review is None or review.status in EDITABLE,
        "comments": request.POST.get("comments", review.comments if review else ""),
        "conflict_of_interest": request.POST.get(
            "conflict_of_interest", review.conflict_of_interest if review else ""
        ),
        "submitted": review is not None and review.status in (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED),
    }
    return render(request, "frontend/review_form.html", context, status=400 if errors or message else 200)


def _choices(item: dict[str, Any]) -> list[tuple[str, str]]:
    """Each allowed score with its anchor text (the instrument's own wording where it has one)."""
    scale, anchors = item["scale"], item.get("anchors") or {}
    if scale["kind"] == "yes_no":
        return [("1", "Yes"), ("0", "No")]
    return [(str(n), anchors.get(str(n), "")) for n in range(scale["min"], scale["max"] + 1)]
