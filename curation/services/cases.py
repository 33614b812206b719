"""Flags (anyone signed in, on a resource) and appeals (a resource's author, against its designation),
decided by an editor with a recorded reason. Free text passes the confidentiality screen."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.enums import CaseStatus, ResourceStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import Appeal, Designation, Flag, Resource, User
from curation.services.audit import audit_record

TEXT_CHARS = 4000


def _clean_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Say what the problem is.", field_errors={field: ["Required."]})
    if len(text) > TEXT_CHARS:
        raise InvalidInput(f"Keep it under {TEXT_CHARS} characters.", field_errors={field: ["Too long."]})
    return text


def flag_raise(*, user: User, resource: Resource, reason: str) -> tuple[Flag, str]:
    """Flag a resource for an editor. Returns the flag and a message for the writer (why it is held
    for moderation, when the text looks like it identifies a patient)."""
    reason = _clean_text(reason, "reason")
    screened = screen_text(reason)
    flag = Flag.objects.create(
        resource=resource, raised_by=user, reason=reason, held_for_confidentiality=screened.held
    )
    return flag, screened.message


def appeal_submit(*, appellant: User, designation: Designation, statement: str) -> tuple[Appeal, str]:
    """The author (an owner of the resource's source) appeals a current designation, once at a time."""
    if not designation.resource.source.owners.filter(pk=appellant.pk).exists():
        raise NotAllowed("Only the resource's author (an owner of its source) can appeal its designation.")
    if not designation.is_current:
        raise Conflict("This designation has been replaced; appeal the current one.")
    statement = _clean_text(statement, "statement")
    screened = screen_text(statement)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                designation=designation,
                appellant=appellant,
                statement=statement,
                held_for_confidentiality=screened.held,
            )
    except IntegrityError as error:
        raise Conflict("You already have an open appeal of this designation.") from error
    return appeal, screened.message


def flag_decide(*, editor: User, flag: Flag, uphold: bool, reason: str) -> Flag:
    """Upholding a flag hides the resource (moderation); dismissing leaves it. Audited either way."""
    _require_editor_reason(editor, reason)
    with transaction.atomic():
        flag = Flag.objects.select_for_update().select_related("resource").get(pk=flag.pk)
        _require_open(flag.status)
        flag.status = CaseStatus.UPHELD if uphold else CaseStatus.DISMISSED
        flag.decided_by, flag.decided_at, flag.decision_reason = editor, timezone.now(), reason.strip()
        flag.save()
        if uphold:
            before = flag.resource.status
            Resource.objects.filter(pk=flag.resource_id).update(status=ResourceStatus.HELD)
            audit_record(actor=editor, action="resource.moderated", target=flag.resource, before={"status": before},
                         after={"status": ResourceStatus.HELD}, reason=reason)  # fmt: skip
        audit_record(
            actor=editor, action="flag.decided", target=flag, after={"status": flag.status}, reason=reason
        )
    return flag


def appeal_decide(*, editor: User, appeal: Appeal, uphold: bool, reason: str) -> Appeal:
    """Upholding an appeal withdraws the designation (the resource shows as not designated until a new
    round); dismissing keeps it. Audited either way."""
    _require_editor_reason(editor, reason)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("designation__resource").get(pk=appeal.pk)
        _require_open(appeal.status)
        appeal.status = CaseStatus.UPHELD if uphold else CaseStatus.DISMISSED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = editor, timezone.now(), reason.strip()
        appeal.save()
        if uphold:
            designation = appeal.designation
            Designation.objects.filter(pk=designation.pk).update(is_current=False)
            audit_record(actor=editor, action="designation.withdrawn", target=designation.resource,
                         before={"label": designation.label, "mean": designation.mean_total}, after={}, reason=reason)  # fmt: skip
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
