"""Sources: registering them and claiming the ones due for a harvest."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from curation.enums import SourceKind, SourceStatus
from curation.errors import InvalidInput
from curation.models import Source, Topic

CLAIM_LEASE = timedelta(minutes=15)


def source_register(
    *,
    feed_url: str,
    kind: str = SourceKind.BLOG,
    title: str = "",
    site_url: str = "",
    language: str = "",
    licence: str = "",
    topic_slugs: Iterable[str] = (),
) -> tuple[Source, bool]:
    """Register a source by its feed URL, or return the existing one (idempotent upsert keyed on the
    feed URL; empty fields of an existing source are filled, set ones are kept).

    The new source is due for a harvest at once. Raises InvalidInput for a non-http(s) URL, an unknown
    kind or an unknown topic slug. Returns (source, created)."""
    feed_url = feed_url.strip()
    if not feed_url.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"A feed URL must start with http:// or https:// (got {feed_url!r}).")
    if kind not in SourceKind.values:
        raise InvalidInput(f"Unknown source kind {kind!r}; use one of {', '.join(SourceKind.values)}.")
    slugs = sorted(set(topic_slugs))
    topics = list(Topic.objects.filter(slug__in=slugs))
    unknown = set(slugs) - {topic.slug for topic in topics}
    if unknown:
        raise InvalidInput(f"Unknown topic(s): {', '.join(sorted(unknown))}.")
    defaults = {"kind": kind, "title": title, "site_url": site_url, "language": language, "licence": licence}
    try:
        with transaction.atomic():
            source, created = Source.objects.get_or_create(
                feed_url=feed_url, defaults={**defaults, "next_poll_at": timezone.now()}
            )
            if not created:
                changed = [name for name, value in defaults.items() if value and not getattr(source, name)]
                for name in changed:
                    setattr(source, name, defaults[name])
                if changed:
                    source.save(update_fields=changed)
            if topics:
                source.topics.add(*topics)
    except IntegrityError:  # a concurrent registration of the same URL won the race
        return Source.objects.get(feed_url=feed_url), False
    return source, created


def source_claim_due(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Claim up to `limit` active sources whose next poll is due, and push their next poll a lease
    ahead so no other dispatcher claims them meanwhile. Returns their ids.

    Safe under concurrency: PostgreSQL skips rows another dispatcher holds (FOR UPDATE SKIP LOCKED);
    SQLite serialises writers (IMMEDIATE transactions), and the conditional UPDATE only touches rows
    still due."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Source.objects.filter(status=SourceStatus.ACTIVE, next_poll_at__lte=now).order_by(
            "next_poll_at"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Source.objects.filter(id__in=ids, next_poll_at__lte=now).update(next_poll_at=now + CLAIM_LEASE)
    return ids


def source_schedule_now(*, source: Source) -> None:
    """Make a source due at once (an editor's 'retry now'); a paused source becomes active again."""
    Source.objects.filter(pk=source.pk).exclude(status=SourceStatus.DISCONTINUED).update(
        next_poll_at=timezone.now(), status=SourceStatus.ACTIVE, status_reason=""
    )
