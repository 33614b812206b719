"""Outbox rows (social publications, ORCID pushes): claimed by workers with a lease, so a crashed
worker's row becomes claimable again, and recorded as sent or failed with a bounded number of retries."""

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from curation.enums import PublicationStatus

CLAIM_LEASE = timedelta(minutes=15)
ATTEMPTS = 5


def outbox_claim(model: type[Model], *, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Ids of pending rows of `model` whose lease is free, now leased to the caller (oldest first)."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = model._default_manager.filter(status=PublicationStatus.PENDING).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.order_by("created_at").values_list("id", flat=True)[:limit])
        if ids:
            model._default_manager.filter(id__in=ids).update(claimed_until=now + CLAIM_LEASE)
    return ids


def outbox_record(
    row: Any, *, sent: dict[str, Any] | None = None, error: str = "", retry: bool = False
) -> None:
    """`row` went out (`sent`: the fields to store, e.g. the remote id) or failed with `error`: retried
    later (5, 10, 15… minutes) while `retry` and attempts remain, failed for good otherwise. A row
    already sent is left alone."""
    if row is None or row.status == PublicationStatus.POSTED:
        return
    row.attempts += 1
    if sent is not None:
        for name, value in sent.items():
            setattr(row, name, value)
        row.status, row.posted_at, row.error = PublicationStatus.POSTED, timezone.now(), ""
    else:
        row.error = error[:300]
        if not retry or row.attempts >= ATTEMPTS:
            row.status = PublicationStatus.FAILED
        row.claimed_until = timezone.now() + timedelta(minutes=5 * row.attempts)
    row.save()
