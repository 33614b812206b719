"""Sources: registering them and claiming the ones due for a harvest."""

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from curation.enums import SourceKind, SourceRequestStatus, SourceStatus
from curation.errors import InvalidInput, NotAllowed
from curation.models import Resource, Source, SourceRequest, Topic, User

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


def source_request_create(
    *, editor: User, url: str, kind: str = "", topic_slugs: Iterable[str] = ()
) -> SourceRequest:
    """Record an editor's request to add a source by URL (a feed, a site or a YouTube channel). A beat
    task claims it for a worker within a minute (`source_request_claim_pending`). Raises NotAllowed for a non-editor, InvalidInput
    for a non-http(s) URL, an unknown kind or topic."""
    if not editor.is_editor:
        raise NotAllowed("Only editors add sources.")
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        raise InvalidInput(
            "Give the address of a site, feed or channel starting with http:// or https://.",
            field_errors={"url": ["Not an http(s) address."]},
        )
    if kind and kind not in SourceKind.values:
        raise InvalidInput(f"Unknown source kind {kind!r}.", field_errors={"kind": ["Unknown kind."]})
    slugs = sorted(set(topic_slugs))
    unknown = set(slugs) - set(Topic.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if unknown:
        raise InvalidInput(
            f"Unknown topic(s): {', '.join(sorted(unknown))}.", field_errors={"topics": ["Unknown."]}
        )
    return SourceRequest.objects.create(url=url, kind=kind, topic_slugs=slugs, requested_by=editor)


def source_request_finish(
    *, request_id: int, feed_url: str = "", detected_kind: str = "", title: str = "", error: str = ""
) -> SourceRequest | None:
    """Record the outcome of discovery for a pending request: register the source found (idempotent:
    an existing source is reused) or store the error. Safe to run twice; None if the request is gone."""
    with transaction.atomic():
        request = SourceRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.status != SourceRequestStatus.PENDING:
            return request
        request.finished_at = timezone.now()
        if error:
            request.status, request.message = SourceRequestStatus.FAILED, error[:500]
        else:
            try:
                source, created = source_register(
                    feed_url=feed_url,
                    kind=request.kind or detected_kind or SourceKind.BLOG,
                    title=title,
                    topic_slugs=request.topic_slugs,
                )
            except InvalidInput as invalid:
                request.status, request.message = SourceRequestStatus.FAILED, invalid.message[:500]
            else:
                request.status, request.source = SourceRequestStatus.ADDED, source
                request.message = "Added." if created else "Already in the catalogue."
        request.save(update_fields=["status", "message", "source", "finished_at"])
    return request


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


def source_request_claim_pending(*, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Claim pending add-by-URL requests for discovery by workers (the web side only writes the row; a
    beat task claims it, as due sources are claimed). A claim is a lease: a request whose worker died is
    claimable again after CLAIM_LEASE. Returns the claimed ids."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = (
            SourceRequest.objects.filter(status=SourceRequestStatus.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("created_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending.values_list("id", flat=True)[:limit])
        if ids:
            SourceRequest.objects.filter(id__in=ids).update(claimed_until=now + CLAIM_LEASE)
    return ids


def source_defer(*, source_id: int, seconds: float) -> None:
    """A harvest found its host busy: make the source due again in `seconds`, for the dispatcher to hand
    out anew. The deferral lives in the database, not in a delayed message a worker would hold (and a
    dead worker would park until the broker's visibility timeout)."""
    Source.objects.filter(pk=source_id, status=SourceStatus.ACTIVE).update(
        next_poll_at=timezone.now() + timedelta(seconds=seconds)
    )


def source_schedule_now(*, source: Source) -> None:
    """Make a source due at once (an editor's 'retry now'); a paused source becomes active again."""
    Source.objects.filter(pk=source.pk).exclude(status=SourceStatus.DISCONTINUED).update(
        next_poll_at=timezone.now(), status=SourceStatus.ACTIVE, status_reason=""
    )


_COPYING_LICENCES = re.compile(
    r"^(cc0|cc[ -]by([ -](sa|nc|nd|nc[ -]sa|nc[ -]nd))?|public domain)\b", re.IGNORECASE
)
FULL_TEXT_CHARS = 100_000


def licence_permits_copying(licence: str) -> bool:
    """Creative Commons licences and the public domain permit copying the text (for a search index,
    never republished); anything else, including an unknown licence, does not."""
    return bool(
        _COPYING_LICENCES.match(licence.strip().replace("CC-", "CC ").replace("Creative Commons ", "CC "))
    )


def source_set_full_text_extraction(*, source: Source, editor: User, enabled: bool) -> Source:
    """Opt a source in to (or out of) full-text extraction. Only editors decide, and only for a
    licence that permits copying. Raises NotAllowed otherwise. Opting out clears extracted text."""
    if not editor.is_editor:
        raise NotAllowed("Only editors change full-text extraction.")
    if enabled and not licence_permits_copying(source.licence):
        raise NotAllowed(
            f"The licence of {source} ({source.licence or 'unknown'}) does not permit copying its text; "
            "record a Creative Commons or public-domain licence first."
        )
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(extract_full_text=enabled)
        if not enabled:
            Resource.objects.filter(source=source, full_text_extracted_at__isnull=False).update(
                text="", full_text_extracted_at=None
            )
    source.extract_full_text = enabled
    return source


def resource_store_full_text(*, resource_id: int, text: str) -> bool:
    """Store extracted article text for search. Ignored (returns False) if the resource is gone or its
    source has opted out meanwhile. Idempotent."""
    now = timezone.now()
    updated = Resource.objects.filter(pk=resource_id, source__extract_full_text=True).update(
        text=text[:FULL_TEXT_CHARS], full_text_extracted_at=now
    )
    return bool(updated)


def source_rebase_local(*, base: str, paths: Iterable[str]) -> int:
    """Point sources served by a local demo server at its new address: the offline demo starts its
    server on a free port each time, and its sources must keep their identity (no second copy of every
    source and title). Only loopback http URLs ending in one of `paths` move. Returns how many moved."""
    wanted = {path.lstrip("/") for path in paths}
    pattern = re.compile(r"^http://(?:127\.0\.0\.1|localhost):\d+/(?P<path>[^?#]+)$")
    moved = 0
    for source in Source.objects.filter(feed_url__startswith="http://").only("id", "feed_url"):
        match = pattern.match(source.feed_url)
        new_url = f"{base.rstrip('/')}/{match.group('path')}" if match else ""
        if not match or match.group("path") not in wanted or new_url == source.feed_url:
            continue
        if Source.objects.filter(feed_url=new_url).exists():
            continue  # already there (an earlier copy): leave both as they are
        Source.objects.filter(pk=source.pk).update(feed_url=new_url)
        moved += 1
    return moved
