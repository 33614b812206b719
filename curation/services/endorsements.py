"""Endorsements: one per user and resource, learner and expert kinds counted apart, withdrawable;
bursts from new accounts and notes resembling patient identifiers are held for an editor."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.confidentiality import screen_text
from curation.deferred import METRICS, defer
from curation.enums import EndorsementKind, EndorsementStatus
from curation.errors import InvalidInput, NotAllowed
from curation.models import Endorsement, Resource, User
from curation.services.audit import audit_record

NEW_ACCOUNT_AGE = timedelta(days=7)
BURST_WINDOW = timedelta(hours=24)
BURST_SIZE = 5  # endorsements of one resource from new accounts within the window before holding
NOTE_CHARS = 1000


def _hold_reason(user: User, resource: Resource, note: str) -> str:
    screened = screen_text(note)
    if screened.held:
        return screened.message
    now = timezone.now()
    if now - user.date_joined < NEW_ACCOUNT_AGE:
        recent_new = Endorsement.objects.filter(
            resource=resource,
            created_at__gte=now - BURST_WINDOW,
            user__date_joined__gte=now - NEW_ACCOUNT_AGE,
        ).exclude(user=user)
        if recent_new.count() >= BURST_SIZE - 1:
            return "Held for an editor: many new accounts endorsed this resource in a short time."
    return ""


def endorsement_put(*, user: User, resource: Resource, note: str = "") -> tuple[Endorsement, bool]:
    """Endorse a resource (idempotent: a second call returns the same endorsement; a withdrawn one is
    restored). Verified experts give expert endorsements, everyone else learner ones. Returns
    (endorsement, created). Raises InvalidInput for an over-long note."""
    if not user.is_active:
        raise NotAllowed("This account cannot endorse.")
    note = note.strip()
    if len(note) > NOTE_CHARS:
        raise InvalidInput(
            f"Keep the note under {NOTE_CHARS} characters.", field_errors={"note": ["Too long."]}
        )
    kind = EndorsementKind.EXPERT if user.is_verified_expert else EndorsementKind.LEARNER
    try:
        with transaction.atomic():
            existing = Endorsement.objects.select_for_update().filter(user=user, resource=resource).first()
            if existing and existing.status != EndorsementStatus.WITHDRAWN and existing.note == note:
                return existing, False
            reason = _hold_reason(user, resource, note)
            status = EndorsementStatus.HELD if reason else EndorsementStatus.COUNTED
            values = {"kind": kind, "note": note, "status": status, "hold_reason": reason}
            endorsement, created = Endorsement.objects.update_or_create(
                user=user, resource=resource, defaults=values
            )
            defer(METRICS, resource_ids=[resource.pk])
    except IntegrityError:  # a concurrent request created it first: same outcome as ours
        return Endorsement.objects.get(user=user, resource=resource), False
    return endorsement, created


def endorsement_withdraw(*, user: User, resource: Resource) -> bool:
    """Withdraw the user's endorsement; True if there was one to withdraw. Idempotent."""
    with transaction.atomic():
        withdrawn = (
            Endorsement.objects.filter(user=user, resource=resource)
            .exclude(status=EndorsementStatus.WITHDRAWN)
            .update(status=EndorsementStatus.WITHDRAWN, modified_at=timezone.now())
        )
        if withdrawn:
            defer(METRICS, resource_ids=[resource.pk])
    return bool(withdrawn)


def endorsement_moderate(
    *, editor: User, endorsement: Endorsement, release: bool, reason: str
) -> Endorsement:
    """An editor counts a held endorsement or rejects it, with a recorded reason."""
    if not editor.is_editor:
        raise NotAllowed("Only editors moderate endorsements.")
    if not reason.strip():
        raise InvalidInput("Give a reason.", field_errors={"reason": ["Required."]})
    with transaction.atomic():
        endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
        if endorsement.status != EndorsementStatus.HELD:
            raise InvalidInput("Only held endorsements are moderated.")
        endorsement.status = EndorsementStatus.COUNTED if release else EndorsementStatus.WITHDRAWN
        endorsement.save(update_fields=["status", "modified_at"])
        defer(METRICS, resource_ids=[endorsement.resource_id])
        audit_record(
            actor=editor,
            action="endorsement.moderated",
            target=endorsement,
            before={"status": EndorsementStatus.HELD},
            after={"status": endorsement.status},
            reason=reason,
        )
    return endorsement
