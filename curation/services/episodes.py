"""Files an episode's feed points to: transcripts (`podcast:transcript`) and chapters
(`podcast:chapters`). Claiming the episodes whose file is due a fetch, storing what the worker read,
or why it could not."""

from datetime import timedelta
from typing import Any, Literal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from curation.enums import EpisodeFileStatus, ResourceStatus
from curation.models import EpisodeChapters, Resource, Transcript
from curation.models.catalogue import EpisodeFile

CLAIM_LEASE = timedelta(minutes=15)  # a crashed worker's claim is handed out again after this
MAX_ATTEMPTS = 6
ERROR_CHARS = 300

EpisodeFileKind = Literal["transcript", "chapters"]
# kind -> (model, the reverse name on Resource, what a resource offering such a file looks like)
_KINDS: dict[str, tuple[type[EpisodeFile], str, Q]] = {
    "transcript": (Transcript, "transcript", ~Q(transcript_urls=[])),
    "chapters": (EpisodeChapters, "episode_chapters", ~Q(chapters_url="")),
}


def episode_files_claim_due(*, kind: EpisodeFileKind, limit: int = 30) -> list[int]:
    """Claim up to `limit` episodes whose `kind` file should be fetched now: a visible resource
    offering one and no row yet, or a pending or failed row whose retry time has come (fewer than
    MAX_ATTEMPTS tries). Each claimed row's next attempt moves CLAIM_LEASE ahead, so a second call does
    not hand out the same episodes. Returns the resource ids."""
    model, related, offered = _KINDS[kind]
    now = timezone.now()
    with transaction.atomic():
        new = list(
            Resource.objects.filter(offered, status=ResourceStatus.VISIBLE, **{f"{related}__isnull": True})
            .order_by("-published_at", "-id")
            .values_list("id", flat=True)[:limit]
        )
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(resource_id=pk, next_attempt_at=now + CLAIM_LEASE) for pk in new],  # type: ignore[misc]
            ignore_conflicts=True,
        )
        due = Q(status__in=[EpisodeFileStatus.PENDING, EpisodeFileStatus.FAILED], next_attempt_at__lte=now)
        retries = list(
            model.objects.select_for_update(skip_locked=True)  # type: ignore[attr-defined]
            .filter(due, attempts__lt=MAX_ATTEMPTS, resource__status=ResourceStatus.VISIBLE)
            .order_by("next_attempt_at")
            .values_list("resource_id", flat=True)[: max(limit - len(new), 0)]
        )
        model.objects.filter(resource_id__in=retries).update(next_attempt_at=now + CLAIM_LEASE)  # type: ignore[attr-defined]
    return new + retries


def transcript_store(
    *, resource_id: int, url: str, media_type: str, text: str, cues: list[list[int]]
) -> bool:
    """Store a fetched transcript (searchable from now on). Returns False if the episode is gone.
    Idempotent: storing the same file again changes nothing but the fetch time."""
    return _store("transcript", resource_id, url, media_type=media_type[:100], text=text, cues=cues)


def chapters_store(*, resource_id: int, url: str, chapters: list[dict[str, Any]]) -> bool:
    """Store an episode's chapters (shown on its page and in the API). False if the episode is gone."""
    return _store("chapters", resource_id, url, chapters=chapters)


def _store(kind: EpisodeFileKind, resource_id: int, url: str, **content: Any) -> bool:
    model = _KINDS[kind][0]
    updated = model.objects.filter(resource_id=resource_id).update(  # type: ignore[attr-defined]
        url=url,
        status=EpisodeFileStatus.INDEXED,
        error="",
        attempts=F("attempts") + 1,
        fetched_at=timezone.now(),
        **content,
    )
    return bool(updated)


def episode_file_record_failure(
    *, kind: EpisodeFileKind, resource_id: int, url: str, error: str, retry: bool
) -> bool:
    """Record why an episode's file could not be read. `retry` (a timeout, a 5xx, a 429) tries again
    later with a growing delay, up to MAX_ATTEMPTS; otherwise (not a file we read, too large, a 404)
    the row is UNREADABLE and left alone. Content read earlier is kept. False if the episode is gone."""
    model = _KINDS[kind][0]
    row = model.objects.filter(resource_id=resource_id).only("attempts", "status").first()  # type: ignore[attr-defined]
    if row is None:
        return False
    attempts = row.attempts + 1
    status = EpisodeFileStatus.FAILED if retry else EpisodeFileStatus.UNREADABLE
    if row.status == EpisodeFileStatus.INDEXED:
        status = EpisodeFileStatus.INDEXED  # a later failed re-read does not hide what we have
    model.objects.filter(resource_id=resource_id).update(  # type: ignore[attr-defined]
        url=url,
        status=status,
        error=error[:ERROR_CHARS],
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(hours=2**attempts),
    )
    return True


def episode_file_postpone(*, kind: EpisodeFileKind, resource_id: int, seconds: float) -> None:
    """Hand the episode out again soon (its host had no free slot): not an attempt, not an error."""
    _KINDS[kind][0].objects.filter(resource_id=resource_id).update(  # type: ignore[attr-defined]
        next_attempt_at=timezone.now() + timedelta(seconds=seconds)
    )
