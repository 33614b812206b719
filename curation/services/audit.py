"""Recording audit events. Call inside the transaction of the change it records."""

from typing import Any

from curation.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event. `target` is a model instance; its public id is recorded when it has one."""
    target_id = str(getattr(target, "public_id", None) or getattr(target, "slug", None) or target.pk)
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=target_id,
        before=before or {},
        after=after or {},
        reason=reason,
    )
