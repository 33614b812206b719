"""Reviews: drafts, submission with item-level validation, and editor decisions, with guarded
transitions and an audit row for each."""

from typing import Any

import nh3
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.deferred import METRICS, defer
from curation.enums import ReviewStatus, RoundStatus, ScaleKind
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import CurationRound, ExpertProfile, InstrumentVersion, Resource, Review, Source, User
from curation.selectors.conflicts import reviewer_conflict
from curation.services.audit import audit_record

# Which status may follow which, and who moves it.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED): "reviewer",
    (ReviewStatus.RETURNED, ReviewStatus.SUBMITTED): "reviewer",
    (ReviewStatus.DRAFT, ReviewStatus.WITHDRAWN): "reviewer",
    (ReviewStatus.SUBMITTED, ReviewStatus.WITHDRAWN): "reviewer",
    (ReviewStatus.RETURNED, ReviewStatus.WITHDRAWN): "reviewer",
    (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED): "editor",
    (ReviewStatus.SUBMITTED, ReviewStatus.RETURNED): "editor",
}
EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
_COMMENT_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code"}


def _check_reviewer(reviewer: User, resource: Resource) -> None:
    if not reviewer.is_verified_expert:
        raise NotAllowed("Only verified experts review resources.")
    conflict = reviewer_conflict(reviewer=reviewer, resource=resource)
    if conflict:
        raise NotAllowed(conflict)


def review_scores_validate(
    version: InstrumentVersion, scores: dict[str, Any], *, complete: bool
) -> dict[str, int]:
    """Scores keyed by item, each within its scale; every item present when `complete`. Raises
    InvalidInput with an error per item, so forms can show each next to its item."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    items = {item["key"]: item for item in version.items}
    for key in scores:
        if key not in items:
            errors[key] = [f"{version} has no item {key!r}."]
    for key, item in items.items():
        value = scores.get(key)
        if value in (None, ""):
            if complete:
                errors[key] = ["Score this item."]
            continue
        scale = item["scale"]
        if scale["kind"] == ScaleKind.YES_NO and value in (True, False, "yes", "no"):
            value = 1 if value in (True, "yes") else 0
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[key] = ["Give a whole number."]
            continue
        if (isinstance(value, float) and value != number) or not scale["min"] <= number <= scale["max"]:
            errors[key] = [f"Give a score from {scale['min']} to {scale['max']}."]
            continue
        clean[key] = number
    if errors:
        raise InvalidInput("Some scores need attention.", field_errors=errors)
    return clean


def review_save_draft(
    *,
    reviewer: User,
    resource: Resource,
    version: InstrumentVersion,
    scores: dict[str, Any],
    comments: str = "",
    conflict_of_interest: str = "",
) -> Review:
    """Create or update the reviewer's draft (autosave). Partial scores are kept if each is valid.
    Raises NotAllowed (role, conflict), Conflict (already submitted), InvalidInput (bad scores)."""
    _check_reviewer(reviewer, resource)
    clean = review_scores_validate(version, scores, complete=False)
    comments = nh3.clean(
        comments or "",
        tags=_COMMENT_TAGS,
        attributes={"a": {"href"}},
        link_rel="noopener noreferrer nofollow",
    )
    try:
        with transaction.atomic():
            review, created = Review.objects.select_for_update().get_or_create(
                reviewer=reviewer,
                resource=resource,
                instrument_version=version,
                defaults={
                    "scores": clean,
                    "comments": comments,
                    "conflict_of_interest": conflict_of_interest.strip(),
                    "round": _assigned_round(reviewer, resource, version),
                },
            )
            if not created:
                if review.status not in EDITABLE:
                    raise Conflict(
                        f"This review is {review.get_status_display().lower()} and can no longer be edited."
                    )
                review.scores, review.comments = clean, comments
                review.conflict_of_interest = conflict_of_interest.strip()
                review.save(update_fields=["scores", "comments", "conflict_of_interest", "modified_at"])
    except IntegrityError as error:  # a concurrent first save of the same draft
        raise Conflict("This draft was saved from another window; reload it.") from error
    return review


def _assigned_round(reviewer: User, resource: Resource, version: InstrumentVersion) -> CurationRound | None:
    """The open round in which this reviewer is assigned this resource under this version, if any."""
    return CurationRound.objects.filter(
        status=RoundStatus.OPEN,
        instrument_version=version,
        candidates__resource=resource,
        candidates__assignments__reviewer=reviewer,
    ).first()


def review_submit(*, reviewer: User, review: Review) -> Review:
    """Submit a draft (or a returned review): every item scored and in range, a conflict-of-interest
    statement given; total computed. Text resembling patient identifiers is held for moderation."""
    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .select_related("instrument_version", "resource__source")
            .get(pk=review.pk)
        )
        if review.reviewer_id != reviewer.pk:
            raise NotAllowed("Only its author submits a review.")
        _check_reviewer(reviewer, review.resource)
        _guard(review, ReviewStatus.SUBMITTED, "reviewer")
        errors: dict[str, list[str]] = {}
        try:
            scores = review_scores_validate(review.instrument_version, review.scores, complete=True)
        except InvalidInput as error:  # reported together with the statement below, in one pass
            errors.update(error.field_errors)
        if not review.conflict_of_interest.strip():
            errors["conflict_of_interest"] = [
                "Declare your conflicts of interest (write 'None' if you have none)."
            ]
        if errors:
            raise InvalidInput("Some answers need attention.", field_errors=errors)
        before = {"status": review.status}
        review.scores, review.total = scores, float(sum(scores.values()))
        review.status, review.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
        review.judged_content_hash = review.resource.content_hash
        review.held_for_confidentiality = screen_text(review.comments, review.conflict_of_interest).held
        review.save()
        audit_record(
            actor=reviewer,
            action="review.submitted",
            target=review,
            before=before,
            after={"status": review.status, "total": review.total},
        )
        defer(METRICS, resource_ids=[review.resource_id])
    return review


def review_withdraw(*, reviewer: User, review: Review, reason: str = "") -> Review:
    return _move(review, ReviewStatus.WITHDRAWN, actor=reviewer, role="reviewer", reason=reason)


def review_decide(*, editor: User, review: Review, accept: bool, reason: str) -> Review:
    """An editor accepts a submitted review or returns it to its reviewer with a reason."""
    if not editor.is_editor:
        raise NotAllowed("Only editors accept or return reviews.")
    if not accept and not reason.strip():
        raise InvalidInput("Say why the review is returned.", field_errors={"reason": ["Required."]})
    return _move(
        review,
        ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED,
        actor=editor,
        role="editor",
        reason=reason,
    )


def review_hold_decide(*, editor: User, review: Review, release: bool, reason: str) -> Review:
    """Decide on a review held by the confidentiality screen: release it (the text is fine, it becomes
    visible) or return it to its reviewer to remove identifying details. Audited with the reason.
    Raises NotAllowed for a non-editor, InvalidInput without a reason, Conflict when not held."""
    if not editor.is_editor:
        raise NotAllowed("Only editors decide on held reviews.")
    if not reason.strip():
        raise InvalidInput("Give a reason.", field_errors={"reason": ["Required."]})
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not review.held_for_confidentiality or review.status != ReviewStatus.SUBMITTED:
            raise Conflict("This review is not held for a confidentiality check.")
        if not release:
            return _move(review, ReviewStatus.RETURNED, actor=editor, role="editor", reason=reason)
        review.held_for_confidentiality = False
        review.save(update_fields=["held_for_confidentiality", "modified_at"])
        audit_record(
            actor=editor,
            action="review.hold_released",
            target=review,
            before={"held": True},
            after={"held": False},
            reason=reason.strip(),
        )
        defer(METRICS, resource_ids=[review.resource_id])
    return review


def _guard(review: Review, target: str, role: str) -> None:
    allowed = TRANSITIONS.get((review.status, target))
    if allowed is None:
        raise Conflict(
            f"A {review.get_status_display().lower()} review cannot become {ReviewStatus(target).label.lower()}."
        )
    if allowed != role:
        raise NotAllowed(f"Only the {allowed} can make this review {ReviewStatus(target).label.lower()}.")


def _move(review: Review, target: str, *, actor: User, role: str, reason: str) -> Review:
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if role == "reviewer" and review.reviewer_id != actor.pk:
            raise NotAllowed("Only its author can do this to a review.")
        _guard(review, target, role)
        before = {"status": review.status}
        review.status = target
        if role == "editor":
            review.decided_at = timezone.now()
        review.save(update_fields=["status", "decided_at", "modified_at"])
        audit_record(
            actor=actor,
            action=f"review.{target}",
            target=review,
            before=before,
            after={"status": target},
            reason=reason,
        )
        defer(METRICS, resource_ids=[review.resource_id])
    return review


def conflict_declare(
    *, user: User, sources: list[Source], authors: list[str], statement: str
) -> ExpertProfile:
    """An expert declares their conflicts: sources (links into the catalogue), authors' names and a free
    text statement. Replaces the earlier declaration; audited with before and after. Declared conflicts
    exclude the expert from assignment and refuse their review. Raises NotAllowed without an expert
    profile, InvalidInput for an over-long declaration."""
    profile = ExpertProfile.objects.filter(user=user).first()
    if profile is None:
        raise NotAllowed("Apply as an expert first.")
    names = list(dict.fromkeys(" ".join(name.split())[:200] for name in authors if name.strip()))
    if len(names) > 200 or len(sources) > 500 or len(statement) > 4000:
        raise InvalidInput("That declaration is too long; keep to the sources and people that matter.")
    with transaction.atomic():
        before = {
            "sources": sorted(str(s) for s in profile.conflicted_sources.values_list("public_id", flat=True)),
            "authors": profile.conflicted_authors,
        }
        profile.conflicted_sources.set(sources)
        profile.conflicted_authors = names
        profile.conflicts_of_interest = statement.strip()
        profile.save(update_fields=["conflicted_authors", "conflicts_of_interest"])
        audit_record(
            actor=user,
            action="expert.conflicts_declared",
            target=user,
            before=before,
            after={"sources": sorted(str(s.public_id) for s in sources), "authors": names},
        )
    return profile
