"""Flags (anyone signed in, on a resource) and appeals (a resource's author, against its designation),
decided by an editor with a recorded reason. Free text passes the confidentiality screen."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.deferred import METRICS, defer
from curation.enums import CaseStatus, ResourceStatus, ReviewStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import Appeal, Designation, Flag, Resource, Review, User
from curation.selectors import reviews_public
from curation.services.audit import audit_record

TEXT_CHARS = 4000


def _clean_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Say what the problem is.", field_errors={field: ["Required."]})
    if len(text) > TEXT_CHARS:
        raise InvalidInput(f"Keep it under {TEXT_CHARS} characters.", field_errors={field: ["Too long."]})
    return text


def flag_raise(
    *, user: User, resource: Resource, reason: str, review: Review | None = None
) -> tuple[Flag, str]:
    """Flag a resource, or one review of it, for an editor. Any signed-in, active user may; raises
    NotAllowed otherwise, InvalidInput for an empty or over-long reason. Returns the flag and a message
    for the writer (why it is held for moderation, when the text looks like it identifies a patient).
    Audited."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed("Sign in to flag a resource or a review.")
    if review is not None and review.resource_id != resource.pk:
        raise InvalidInput(
            "That review is not a review of this resource.", field_errors={"review": ["Mismatch."]}
        )
    reason = _clean_text(reason, "reason")
    screened = screen_text(reason)
    with transaction.atomic():
        flag = Flag.objects.create(
            resource=resource,
            review=review,
            raised_by=user,
            reason=reason,
            held_for_confidentiality=screened.held,
        )
        audit_record(
            actor=user,
            action="flag.raised",
            target=flag,
            after={"resource": str(resource.public_id), "review": str(review.public_id) if review else ""},
        )
    return flag, screened.message


def appeal_submit(
    *, appellant: User, statement: str, designation: Designation | None = None, review: Review | None = None
) -> tuple[Appeal, str]:
    """The author (an owner of the resource's source, e.g. through a verified claim) appeals a current
    designation or a public review of their resource, once at a time. Raises NotAllowed for anyone
    else, Conflict for a replaced designation or a second open appeal. Audited."""
    if (designation is None) == (review is None):
        raise InvalidInput("Appeal either a designation or a review.")
    resource = designation.resource if designation is not None else review.resource  # type: ignore[union-attr]
    if not resource.source.owners.filter(pk=appellant.pk).exists():
        raise NotAllowed(
            "Only the resource's author (an owner of its source) can appeal. Claim your source first."
        )
    if designation is not None and not designation.is_current:
        raise Conflict("This designation has been replaced; appeal the current one.")
    if review is not None and not reviews_public().filter(pk=review.pk).exists():
        raise Conflict("Only a published review can be appealed.")
    statement = _clean_text(statement, "statement")
    screened = screen_text(statement)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                designation=designation,
                review=review,
                appellant=appellant,
                statement=statement,
                held_for_confidentiality=screened.held,
            )
            audit_record(
                actor=appellant,
                action="appeal.submitted",
                target=appeal,
                after={"resource": str(resource.public_id)},
            )
    except IntegrityError as error:
        raise Conflict("You already have an open appeal of this.") from error
    return appeal, screened.message


def flag_decide(*, editor: User, flag: Flag, uphold: bool, reason: str) -> Flag:
    """Upholding a flag on a resource hides the resource (moderation); upholding a flag on a review
    returns the review to its reviewer (it stops counting); dismissing leaves both. Audited either way."""
    _require_editor_reason(editor, reason)
    with transaction.atomic():
        flag = (
            Flag.objects.select_for_update(of=("self",)).select_related("resource", "review").get(pk=flag.pk)
        )
        _require_open(flag.status)
        flag.status = CaseStatus.UPHELD if uphold else CaseStatus.DISMISSED
        flag.decided_by, flag.decided_at, flag.decision_reason = editor, timezone.now(), reason.strip()
        flag.save()
        if uphold and flag.review is not None:
            _return_review(editor, flag.review, reason)
        elif uphold:
            before = flag.resource.status
            Resource.objects.filter(pk=flag.resource_id).update(status=ResourceStatus.HELD)
            audit_record(
                actor=editor,
                action="resource.moderated",
                target=flag.resource,
                before={"status": before},
                after={"status": ResourceStatus.HELD},
                reason=reason,
            )
        audit_record(
            actor=editor, action="flag.decided", target=flag, after={"status": flag.status}, reason=reason
        )
    return flag


def appeal_decide(*, editor: User, appeal: Appeal, uphold: bool, reason: str) -> Appeal:
    """Upholding an appeal withdraws the designation (the resource shows as not designated until a new
    round); dismissing keeps it. Audited either way."""
    _require_editor_reason(editor, reason)
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("designation__resource", "review")
            .get(pk=appeal.pk)
        )
        _require_open(appeal.status)
        appeal.status = CaseStatus.UPHELD if uphold else CaseStatus.DISMISSED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = editor, timezone.now(), reason.strip()
        appeal.save()
        if uphold and appeal.designation is not None:
            designation = appeal.designation
            Designation.objects.filter(pk=designation.pk).update(is_current=False)
            audit_record(
                actor=editor,
                action="designation.withdrawn",
                target=designation.resource,
                before={"label": designation.label, "mean": designation.mean_total},
                after={},
                reason=reason,
            )
        elif uphold and appeal.review is not None:
            _return_review(editor, appeal.review, reason)
        audit_record(
            actor=editor,
            action="appeal.decided",
            target=appeal,
            after={"status": appeal.status},
            reason=reason,
        )
    return appeal


def _require_editor_reason(editor: User, reason: str) -> None:
    if not editor.is_editor:
        raise NotAllowed("Only editors decide flags and appeals.")
    if not reason.strip():
        raise InvalidInput("Record the reason for the decision.", field_errors={"reason": ["Required."]})


def _require_open(status: str) -> None:
    if status != CaseStatus.OPEN:
        raise Conflict("This case was already decided.")


def _return_review(editor: User, review: Review, reason: str) -> None:
    """A review an editor upheld a case against goes back to its reviewer and stops counting."""
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.RETURNED, decided_at=timezone.now())
    audit_record(
        actor=editor,
        action="review.returned",
        target=review,
        before={"status": review.status},
        after={"status": ReviewStatus.RETURNED},
        reason=reason,
    )
    defer(METRICS, resource_ids=[review.resource_id])
