"""Recording a harvest: one fetch's outcome, the source's new state and the entries it carried.

The workers fetch and normalise outside any transaction and hand the result here; this module writes
it in one short transaction."""

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from curation import polling
from curation.enums import FetchOutcome, IdentityMode, ResourceStatus, SourceStatus
from curation.models import FetchAttempt, FetchDaily, Resource, Source, Tombstone, Topic

logger = logging.getLogger(__name__)

# A permanent redirect must be seen this many times in a row before the feed URL follows it, so a
# misconfigured server for an afternoon does not move a source for good.
REDIRECT_CONFIRMATIONS = 3

_UPDATABLE_FIELDS = (
    "guid",
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "updated_at_source",
    "summary",
    "text",
    "content_hash",
    "enclosure_url",
    "enclosure_type",
    "enclosure_size",
    "duration_seconds",
    "transcript_urls",
    "chapters_url",
    "podcast",
    "season",
    "episode",
    "explicit",
    "video_id",
    "is_short",
    "thumbnail_url",
    "view_count",
    "language",
    "work_key",
)


@dataclass(frozen=True)
class HarvestedEntry:
    """One normalised feed entry, ready to store. Text fields are already sanitised."""

    identity_key: str
    guid: str = ""
    canonical_url: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at_source: datetime | None = None
    summary: str = ""
    text: str = ""
    content_hash: str = ""
    work_key: str = ""
    language: str = ""
    enclosure_url: str = ""
    enclosure_type: str = ""
    enclosure_size: int | None = None
    duration_seconds: int | None = None
    transcript_urls: list[dict[str, str]] = field(default_factory=list)
    chapters_url: str = ""
    podcast: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    season: int | None = None
    episode: int | None = None
    explicit: bool | None = None
    video_id: str = ""
    is_short: bool = False
    thumbnail_url: str = ""
    view_count: int | None = None
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedReport:
    """What one fetch found out about the feed, besides its entries."""

    outcome: FetchOutcome
    started_at: datetime
    duration_ms: int = 0
    http_status: int | None = None
    bytes_received: int = 0
    error: str = ""
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    permanent_redirect_url: str = ""
    retry_after_seconds: int | None = None
    max_age_seconds: int | None = None
    ttl_minutes: int | None = None
    feed_title: str = ""
    site_url: str = ""
    language: str = ""
    new_feed_url: str = ""
    identity_mode: IdentityMode | None = None
    podcast_guid: str = ""


@dataclass
class HarvestCounts:
    outcome: str
    new_resources: int = 0
    updated_resources: int = 0
    entries_seen: int = 0


def harvest_record(*, source_id: int, report: FeedReport, entries: Sequence[HarvestedEntry]) -> HarvestCounts:
    """Store one fetch of a source: a FetchAttempt row, the source's harvest state and next poll, and
    the entries (new ones created, edited ones updated in place keeping the previous content hash,
    tombstoned ones ignored).

    Idempotent: recording the same entries twice creates nothing the second time. A source deleted
    meanwhile is ignored (returns counts with outcome 'deleted'). Never raises for feed content."""
    now = timezone.now()
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            return HarvestCounts(outcome="deleted")
        counts = HarvestCounts(outcome=report.outcome, entries_seen=len(entries))
        if report.outcome == FetchOutcome.OK and entries:
            counts.new_resources, counts.updated_resources = _upsert_entries(source, entries)
        _update_source_state(source, report, entries, now)
        FetchAttempt.objects.create(
            source=source,
            started_at=report.started_at,
            duration_ms=report.duration_ms,
            outcome=report.outcome,
            http_status=report.http_status,
            bytes_received=report.bytes_received,
            entries_seen=len(entries),
            new_resources=counts.new_resources,
            updated_resources=counts.updated_resources,
            error=report.error[:4000],
        )
        if len(_attempts):  # queued 304 attempts go in with this one
            fetch_attempts_flush()
    keys = {entry.work_key for entry in entries if entry.work_key}
    # SQLite runs one writer at a time, so its triggers already saw every committed copy of a work
    if keys and (counts.new_resources or counts.updated_resources) and connection.vendor != "sqlite":
        transaction.on_commit(lambda: works_reconcile(work_keys=keys))
    return counts


def harvest_record_not_modified(
    *, source_id: int, kind: str, poll_interval_seconds: int, report: FeedReport
) -> HarvestCounts:
    """Store a 304 Not Modified, the commonest outcome of a poll, as one UPDATE of the source's harvest
    state (no row lock, no read, no full save) plus a FetchAttempt row queued for a batched insert
    (`fetch_attempts_flush`). Equivalent to `harvest_record` for a 304 without a permanent redirect
    (which the caller routes there instead). A source deleted meanwhile is ignored."""
    now = timezone.now()
    updated = Source.objects.filter(pk=source_id).update(
        **_success_state(now),
        last_outcome=FetchOutcome.NOT_MODIFIED,
        last_fetched_at=now,
        redirect_candidate_url="",  # as _track_permanent_redirect with no redirect
        redirect_candidate_count=0,
        next_poll_at=_next_poll_at(kind, poll_interval_seconds, report, now),
    )
    if not updated:
        return HarvestCounts(outcome="deleted")
    _attempts.add(
        FetchAttempt(
            source_id=source_id,
            started_at=report.started_at,
            duration_ms=report.duration_ms,
            outcome=FetchOutcome.NOT_MODIFIED,
            http_status=report.http_status,
            bytes_received=report.bytes_received,
        )
    )
    if _attempts.due():
        fetch_attempts_flush()
    return HarvestCounts(outcome=FetchOutcome.NOT_MODIFIED)


class _AttemptBuffer:
    """FetchAttempt rows waiting for one batched INSERT, per process. Flushed when it holds
    HARVEST_ATTEMPT_BATCH rows, when its oldest row is HARVEST_ATTEMPT_FLUSH_SECONDS old, after every
    other harvest outcome, by the worker's idle timer and when the worker process stops."""

    def __init__(self) -> None:
        self._rows: list[FetchAttempt] = []
        self._oldest = 0.0
        self._lock = threading.Lock()

    def add(self, row: FetchAttempt) -> None:
        with self._lock:
            if not self._rows:
                self._oldest = time.monotonic()
            self._rows.append(row)

    def due(self) -> bool:
        with self._lock:
            return bool(self._rows) and (
                len(self._rows) >= settings.HARVEST_ATTEMPT_BATCH
                or time.monotonic() - self._oldest >= settings.HARVEST_ATTEMPT_FLUSH_SECONDS
            )

    def take(self) -> list[FetchAttempt]:
        with self._lock:
            rows, self._rows = self._rows, []
            return rows

    def give_back(self, rows: list[FetchAttempt]) -> None:
        with self._lock:
            if not self._rows:
                self._oldest = time.monotonic()
            self._rows[:0] = rows

    def __len__(self) -> int:
        return len(self._rows)


_attempts = _AttemptBuffer()


def fetch_attempts_pending() -> int:
    """How many FetchAttempt rows this process holds for its next batched insert."""
    return len(_attempts)


def fetch_attempts_flush() -> int:
    """Insert the queued FetchAttempt rows in one statement (rows of sources deleted meanwhile are
    dropped). On a database error the rows go back to the queue for the next flush. Returns the rows
    written."""
    rows = _attempts.take()
    if not rows:
        return 0
    try:
        for _ in range(2):  # a source deleted between the check and the insert: check again, once
            live = set(
                Source.objects.filter(pk__in={row.source_id for row in rows}).values_list("pk", flat=True)
            )
            rows = [row for row in rows if row.source_id in live]
            try:
                with transaction.atomic():
                    FetchAttempt.objects.bulk_create(rows, batch_size=500)
                return len(rows)
            except IntegrityError:
                continue
        logger.warning("dropped %d fetch attempts of sources deleted during the flush", len(rows))
        return 0
    except Exception:
        _attempts.give_back(rows)
        raise


def works_reconcile(*, work_keys: Iterable[str]) -> int:
    """Re-derive which copy of each work lists show (`work_primary`), after the writes committed. The
    database triggers keep it within a transaction; two harvests committing copies of the same work at
    the same moment cannot see each other's row, and whichever reconciles last sees both. Returns the
    rows changed."""
    keys = [key for key in set(work_keys) if key]
    earlier = Resource.objects.filter(
        work_key=OuterRef("work_key"), status=ResourceStatus.VISIBLE, pk__lt=OuterRef("pk")
    ).exclude(work_key="")  # the partial index resource_work_idx covers keyed rows only
    changed = 0
    for primary in (True, False):
        wrong = (
            Resource.objects.filter(work_key__in=keys, work_primary=primary)
            .exclude(work_key="")  # spelt as resource_work_idx's condition, so SQLite uses that index
            .annotate(has_earlier=Exists(earlier))
            .filter(has_earlier=primary)
            .values("pk")
        )
        changed += Resource.objects.filter(pk__in=wrong).update(work_primary=not primary)
    return changed


def _upsert_entries(source: Source, entries: Sequence[HarvestedEntry]) -> tuple[int, int]:
    keys = [entry.identity_key for entry in entries]
    tombstoned = set(
        Tombstone.objects.filter(source=source, identity_key__in=keys).values_list("identity_key", flat=True)
    )
    urls = [entry.canonical_url for entry in entries if entry.canonical_url]
    tombstoned_urls = set(
        Tombstone.objects.filter(source=source, canonical_url__in=urls).values_list(
            "canonical_url", flat=True
        )
    )
    existing = {
        resource.identity_key: resource
        for resource in Resource.objects.filter(source=source, identity_key__in=keys).only(
            "id", "identity_key", "content_hash", "published_at"
        )
    }
    harvested_at = timezone.now()
    fresh: list[Resource] = []
    changed: list[Resource] = []
    categories: dict[str, list[str]] = {}
    for entry in entries:
        if entry.identity_key in tombstoned or (
            entry.canonical_url and entry.canonical_url in tombstoned_urls
        ):
            continue  # an editor removed it: it never comes back
        values = {name: getattr(entry, name) for name in _UPDATABLE_FIELDS}
        current = existing.get(entry.identity_key)
        values["published_at"] = (
            entry.published_at or (current.published_at if current else None) or harvested_at
        )
        if current is None:
            fresh.append(Resource(source=source, identity_key=entry.identity_key, **values))
            categories[entry.identity_key] = entry.categories
        elif current.content_hash != entry.content_hash:
            previous = current.content_hash
            for name, value in values.items():
                setattr(current, name, value)
            current.previous_content_hash = previous
            current.full_text_extracted_at = None  # an edited article is extracted again
            changed.append(current)
    Resource.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    if changed:
        Resource.objects.bulk_update(
            changed, [*_UPDATABLE_FIELDS, "previous_content_hash", "full_text_extracted_at"], batch_size=500
        )
    _attach_topics(source, categories)
    return len(fresh), len(changed)


def _attach_topics(source: Source, categories: dict[str, list[str]]) -> None:
    """Give new resources their source's topics plus the topics their categories name."""
    if not categories:
        return
    wanted = {name.strip().lower() for names in categories.values() for name in names if name.strip()}
    by_name = {
        key: topic
        for topic in Topic.objects.all()
        for key in (topic.name.lower(), topic.slug.lower())
        if key in wanted
    }
    source_topic_ids = list(source.topics.values_list("id", flat=True))
    ids = dict(
        Resource.objects.filter(source=source, identity_key__in=list(categories)).values_list(
            "identity_key", "id"
        )
    )
    through = Resource.topics.through
    links: set[tuple[int, int]] = set()
    for key, names in categories.items():
        resource_id = ids.get(key)
        if resource_id is None:
            continue
        topic_ids = set(source_topic_ids) | {
            by_name[n.strip().lower()].id for n in names if n.strip().lower() in by_name
        }
        links.update((resource_id, topic_id) for topic_id in topic_ids)
    through.objects.bulk_create(
        [through(resource_id=r, topic_id=t) for r, t in links], ignore_conflicts=True, batch_size=1000
    )


def _update_source_state(
    source: Source, report: FeedReport, entries: Sequence[HarvestedEntry], now: datetime
) -> None:
    outcome = report.outcome
    source.last_outcome = outcome
    source.last_fetched_at = now
    if outcome in FetchOutcome.successes():
        _record_success(source, report, entries, now)
    else:
        _record_failure(source, report, now)
    _track_permanent_redirect(source, report)
    source.save()


def _record_success(
    source: Source, report: FeedReport, entries: Sequence[HarvestedEntry], now: datetime
) -> None:
    for name, value in _success_state(now).items():
        setattr(source, name, value)
    if report.outcome in (FetchOutcome.OK, FetchOutcome.UNCHANGED):
        # A 200 response replaces the validators, including with none (the server stopped sending them).
        source.etag = report.etag[:500]
        source.last_modified = report.last_modified[:100]
    if report.body_hash:
        source.body_hash = report.body_hash
    if report.feed_title and not source.title:
        source.title = report.feed_title[:300]
    if report.site_url and not source.site_url:
        source.site_url = report.site_url
    if report.language and not source.language:
        source.language = report.language[:16]
    if report.podcast_guid:
        source.podcast_guid = report.podcast_guid[:64]
    if report.identity_mode and report.identity_mode != source.identity_mode:
        logger.info("source %s switches to %s identity", source.pk, report.identity_mode)
        source.identity_mode = report.identity_mode
    if entries:
        dates = [e.published_at for e in entries if e.published_at]
        source.poll_interval_seconds = polling.interval_from_frequency(source.kind, dates, now)
    source.next_poll_at = _next_poll_at(source.kind, source.poll_interval_seconds, report, now)


def _success_state(now: datetime) -> dict[str, object]:
    """What any successful fetch resets on its source (both recording paths use it)."""
    return {"consecutive_errors": 0, "first_error_at": None, "last_error": "", "last_success_at": now}


def _next_poll_at(kind: str, interval_seconds: int, report: FeedReport, now: datetime) -> datetime:
    """The next poll after a success: the source's interval adjusted by the feed's ttl and the
    response's max-age, with jitter."""
    interval = polling.interval_with_hints(
        kind, interval_seconds, ttl_minutes=report.ttl_minutes, max_age_seconds=report.max_age_seconds
    )
    return now + timedelta(seconds=polling.with_jitter(interval))


def _record_failure(source: Source, report: FeedReport, now: datetime) -> None:
    source.consecutive_errors += 1
    source.first_error_at = source.first_error_at or now
    source.last_error = report.error[:4000] or FetchOutcome(report.outcome).label
    if report.outcome == FetchOutcome.GONE:
        source.status = SourceStatus.DISCONTINUED
        source.status_reason = "The server answered 410 Gone: the feed was withdrawn."
        source.next_poll_at = None
        return
    delay = polling.error_backoff(source.poll_interval_seconds, source.consecutive_errors)
    if report.retry_after_seconds:
        delay = max(delay, min(report.retry_after_seconds, polling.MAX_BACKOFF))
    source.next_poll_at = now + timedelta(seconds=polling.with_jitter(delay))
    if polling.should_pause(source.consecutive_errors, source.first_error_at, now):
        source.status = SourceStatus.PAUSED
        source.status_reason = (
            f"Paused after {source.consecutive_errors} consecutive failures since "
            f"{source.first_error_at:%Y-%m-%d}; last error: {source.last_error[:200]}"
        )


def _track_permanent_redirect(source: Source, report: FeedReport) -> None:
    target = report.permanent_redirect_url or report.new_feed_url
    if not target or target == source.feed_url:
        source.redirect_candidate_url, source.redirect_candidate_count = "", 0
        return
    if target == source.redirect_candidate_url:
        source.redirect_candidate_count += 1
    else:
        source.redirect_candidate_url, source.redirect_candidate_count = target, 1
    if source.redirect_candidate_count >= REDIRECT_CONFIRMATIONS and not (
        Source.objects.filter(feed_url=target).exclude(pk=source.pk).exists()
    ):
        logger.info("source %s moves from %s to %s", source.pk, source.feed_url, target)
        source.feed_url = target
        source.redirect_candidate_url, source.redirect_candidate_count = "", 0


FETCH_ATTEMPT_RETENTION_DAYS = 90


def fetch_attempts_prune(
    *, keep_days: int = FETCH_ATTEMPT_RETENTION_DAYS, now: datetime | None = None
) -> int:
    """Fold fetch attempts older than `keep_days` into per-day sums (FetchDaily) and delete them, one day
    at a time, each day in one transaction (a crash leaves every day either folded or untouched).
    Returns how many attempts were folded."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    folded = 0
    while True:
        oldest = (
            FetchAttempt.objects.filter(started_at__lt=cutoff)
            .order_by("started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        if oldest is None:
            return folded
        day_start = oldest.replace(hour=0, minute=0, second=0, microsecond=0)
        day_end = min(day_start + timedelta(days=1), cutoff)
        with transaction.atomic():
            rows = FetchAttempt.objects.filter(started_at__gte=day_start, started_at__lt=day_end)
            sums = (
                rows.order_by()
                .values("source_id", "outcome")
                .annotate(attempts=Count("id"), new=Sum("new_resources"), received=Sum("bytes_received"))
            )
            for row in sums:
                daily, created = FetchDaily.objects.get_or_create(
                    source_id=row["source_id"],
                    day=day_start.date(),
                    outcome=row["outcome"],
                    defaults={
                        "attempts": row["attempts"],
                        "new_resources": row["new"] or 0,
                        "bytes_received": row["received"] or 0,
                    },
                )
                if not created:
                    FetchDaily.objects.filter(pk=daily.pk).update(
                        attempts=F("attempts") + row["attempts"],
                        new_resources=F("new_resources") + (row["new"] or 0),
                        bytes_received=F("bytes_received") + (row["received"] or 0),
                    )
            deleted, _ = rows.delete()
            folded += deleted
