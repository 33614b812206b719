"""Podcast transcripts: claiming the episodes whose transcript is due a fetch, and storing what the
worker read (text and cue timings) or why it could not."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from curation.enums import ResourceStatus, TranscriptStatus
from curation.models import Resource, Transcript

CLAIM_LEASE = timedelta(minutes=15)  # a crashed worker's claim is handed out again after this
MAX_ATTEMPTS = 6
ERROR_CHARS = 300


def transcripts_claim_due(*, limit: int = 30) -> list[int]:
    """Claim up to `limit` episodes whose transcript should be fetched now: a visible resource offering
    `podcast:transcript` files and no transcript row yet, or a pending or failed one whose retry time
    has come (fewer than MAX_ATTEMPTS tries). Each claimed row's next attempt moves CLAIM_LEASE ahead,
    so a second call does not hand out the same episodes. Returns the resource ids."""
    now = timezone.now()
    with transaction.atomic():
        new = list(
            Resource.objects.filter(status=ResourceStatus.VISIBLE, transcript__isnull=True)
            .exclude(transcript_urls=[])
            .order_by("-published_at", "-id")
            .values_list("id", flat=True)[:limit]
        )
        Transcript.objects.bulk_create(
            [Transcript(resource_id=pk, next_attempt_at=now + CLAIM_LEASE) for pk in new],
            ignore_conflicts=True,
        )
        due = Q(status__in=[TranscriptStatus.PENDING, TranscriptStatus.FAILED], next_attempt_at__lte=now)
        retries = list(
            Transcript.objects.select_for_update(skip_locked=True)
            .filter(due, attempts__lt=MAX_ATTEMPTS, resource__status=ResourceStatus.VISIBLE)
            .order_by("next_attempt_at")
            .values_list("resource_id", flat=True)[: max(limit - len(new), 0)]
        )
        Transcript.objects.filter(resource_id__in=retries).update(next_attempt_at=now + CLAIM_LEASE)
    return new + retries


def transcript_store(
    *, resource_id: int, url: str, media_type: str, text: str, cues: list[list[int]]
) -> bool:
    """Store a fetched transcript (searchable from now on). Returns False if the episode is gone.
    Idempotent: storing the same file again changes nothing but the fetch time."""
    updated = Transcript.objects.filter(resource_id=resource_id).update(
        url=url,
        media_type=media_type[:100],
        status=TranscriptStatus.INDEXED,
        text=text,
        cues=cues,
        error="",
        attempts=F("attempts") + 1,
        fetched_at=timezone.now(),
    )
    return bool(updated)


def transcript_record_failure(*, resource_id: int, url: str, error: str, retry: bool) -> bool:
    """Record why an episode's transcript could not be read. `retry` (a timeout, a 5xx, a busy host)
    tries again later with a growing delay, up to MAX_ATTEMPTS; otherwise (not a transcript, too large,
    a 404) the row is UNREADABLE and left alone. Text indexed earlier is kept. False if the episode is gone."""
    row = Transcript.objects.filter(resource_id=resource_id).only("attempts", "status").first()
    if row is None:
        return False
    attempts = row.attempts + 1
    status = TranscriptStatus.FAILED if retry else TranscriptStatus.UNREADABLE
    if row.status == TranscriptStatus.INDEXED:
        status = TranscriptStatus.INDEXED  # a later failed re-read does not hide the text we have
    Transcript.objects.filter(resource_id=resource_id).update(
        url=url,
        status=status,
        error=error[:ERROR_CHARS],
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(hours=2**attempts),
    )
    return True


def transcript_postpone(*, resource_id: int, seconds: float) -> None:
    """Hand the episode out again soon (its host had no free slot): not an attempt, not an error."""
    Transcript.objects.filter(resource_id=resource_id).update(
        next_attempt_at=timezone.now() + timedelta(seconds=seconds)
    )
