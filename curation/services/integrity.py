"""Keeping what the platform publishes defensible after publication: removal with tombstones, source
owners managed by editors, and the liveness of vetted resources and their sources (the LITFL FOAM
census's GOOD / GOING / GONE)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from curation.deferred import METRICS, defer
from curation.enums import FetchOutcome, Liveness, ResourceStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import Resource, Source, Tombstone, User
from curation.services.audit import audit_record
from curation.services.social import social_snapshots_refresh


def _require_editor(user: User) -> None:
    if not user.is_editor:
        raise NotAllowed("Only editors do this.")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Record the reason.", field_errors={"reason": ["Required."]})
    return reason[:300]


def resource_remove(*, editor: User, resource: Resource, reason: str) -> Resource:
    """Remove (or reject) a resource: it leaves every public surface and a tombstone keyed on its
    source's identity key and its URL keeps any later harvest from bringing it back. Reviews and
    designations stay, for the record. Idempotent for an already removed resource (the tombstone is
    kept). Raises NotAllowed for a non-editor, InvalidInput without a reason. Audited."""
    _require_editor(editor)
    reason = _require_reason(reason)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        before = resource.status
        Tombstone.objects.update_or_create(
            source_id=resource.source_id,
            identity_key=resource.identity_key,
            defaults={"canonical_url": resource.canonical_url, "reason": reason},
        )
        if before != ResourceStatus.REMOVED:
            resource.status = ResourceStatus.REMOVED
            resource.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=editor,
            action="resource.removed",
            target=resource,
            before={"status": before},
            after={"status": ResourceStatus.REMOVED, "tombstone": True},
            reason=reason,
        )
    social_snapshots_refresh(resource_ids=[resource.pk])  # its social index and its source's, now zero
    return resource


def source_owner_set(*, editor: User, source: Source, user: User, owner: bool, reason: str) -> bool:
    """Add (owner=True) or remove a source owner (an author: never its reviewer, may appeal its
    designations). Returns whether anything changed. Audited."""
    _require_editor(editor)
    reason = _require_reason(reason)
    with transaction.atomic():
        is_owner = source.owners.filter(pk=user.pk).exists()
        if is_owner == owner:
            return False
        (source.owners.add if owner else source.owners.remove)(user)
        audit_record(
            actor=editor,
            action="source.owner_added" if owner else "source.owner_removed",
            target=source,
            after={"user": str(user.public_id)},
            reason=reason,
        )
    return True


# --- liveness ------------------------------------------------------------------------------------
def liveness_classify(*, outcome: str, http_status: int | None) -> Liveness:
    """GOOD / GOING / GONE from one guarded fetch: gone when the server says so (404, 410, a name that
    no longer resolves is still only degraded: DNS may come back), degraded for any other failure
    (timeouts, 5xx, blocked, too many redirects), live for a successful answer."""
    if outcome in FetchOutcome.successes():
        return Liveness.LIVE
    if outcome == FetchOutcome.GONE or http_status in (404, 410):
        return Liveness.GONE
    return Liveness.DEGRADED


def resource_liveness_record(
    *, resource_id: int, outcome: str, http_status: int | None, detail: str = "", at: datetime | None = None
) -> Liveness | None:
    """Store a designated resource's liveness from one check (None when the resource is gone from the
    database). 410 Gone is final at once; a 404 after a live check is only degraded until the next check
    confirms it, so a passing misconfiguration never drops a vetted resource."""
    liveness = liveness_classify(outcome=outcome, http_status=http_status)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
        if resource is None:
            return None
        said_gone = outcome == FetchOutcome.GONE or http_status == 410
        if (
            liveness == Liveness.GONE
            and not said_gone
            and resource.liveness in (Liveness.UNKNOWN, Liveness.LIVE)
        ):
            liveness = Liveness.DEGRADED  # confirm on the next check
        resource.liveness, resource.liveness_checked_at = liveness, at or timezone.now()
        resource.liveness_detail = detail[:300]
        resource.save(update_fields=["liveness", "liveness_checked_at", "liveness_detail"])
    return liveness


def source_liveness_record(*, source_id: int, outcome: str, http_status: int | None) -> Liveness | None:
    liveness = liveness_classify(outcome=outcome, http_status=http_status)
    updated = Source.objects.filter(pk=source_id).update(
        liveness=liveness, liveness_checked_at=timezone.now()
    )
    return liveness if updated else None


def resource_restore(*, editor: User, resource: Resource, reason: str) -> Resource:
    """Undo a removal: the tombstone goes and the resource is visible again. Audited."""
    _require_editor(editor)
    reason = _require_reason(reason)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.status != ResourceStatus.REMOVED:
            raise Conflict("Only a removed resource can be restored.")
        Tombstone.objects.filter(source_id=resource.source_id, identity_key=resource.identity_key).delete()
        resource.status = ResourceStatus.VISIBLE
        resource.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=editor,
            action="resource.restored",
            target=resource,
            before={"status": ResourceStatus.REMOVED},
            after={"status": ResourceStatus.VISIBLE},
            reason=reason,
        )
        defer(METRICS, resource_ids=[resource.pk])
    social_snapshots_refresh(resource_ids=[resource.pk])
    return resource
