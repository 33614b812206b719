"""One harvest of one source: fetch (no transaction held) -> parse -> normalise -> record (one short
transaction in curation.services.harvest)."""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace

from django.conf import settings

from curation.enums import FetchOutcome, IdentityMode
from curation.models import Source
from curation.services.harvest import (
    FeedReport,
    HarvestCounts,
    HarvestedEntry,
    harvest_record,
    harvest_record_not_modified,
)
from workers.harvest import fetch as fetching
from workers.harvest.normalise import choose_identity_mode, clean_url, normalise_feed
from workers.harvest.parse import ParsedFeed, RejectedDocumentError, parse_feed

logger = logging.getLogger(__name__)
Slot = Callable[[str], AbstractContextManager[bool]]


DEFERRED = "deferred"


def harvest_source(source_id: int, *, slot: Slot | None = None) -> HarvestCounts:
    """Fetch and store one source. A deleted source is ignored; every failure is recorded as an outcome
    on the source and in a FetchAttempt, never raised. `slot` (the per-host limit) is held around the
    network fetch only, not parsing and storing; when the host is busy nothing is fetched and the
    outcome is DEFERRED, for the caller to try again shortly."""
    source = (
        Source.objects.filter(pk=source_id)
        .only(
            "id",
            "kind",
            "poll_interval_seconds",
            "feed_url",
            "etag",
            "last_modified",
            "body_hash",
            "identity_mode",
        )
        .first()
    )
    if source is None:
        return HarvestCounts(outcome="deleted")
    with slot(source.feed_url) if slot is not None else nullcontext(True) as acquired:
        if not acquired:
            return HarvestCounts(outcome=DEFERRED)
        result = fetching.fetch(
            source.feed_url,
            etag=source.etag,
            last_modified=source.last_modified,
            client=fetching.shared_client(),
        )
    report, entries = _interpret(source, result)
    if report.outcome == FetchOutcome.NOT_MODIFIED and not report.permanent_redirect_url:
        counts = harvest_record_not_modified(
            source_id=source.pk,
            kind=source.kind,
            poll_interval_seconds=source.poll_interval_seconds,
            report=report,
        )
    else:
        counts = harvest_record(source_id=source.pk, report=report, entries=entries)
    logger.info(
        "harvested source=%s outcome=%s new=%s updated=%s in %s ms",
        source.pk,
        counts.outcome,
        counts.new_resources,
        counts.updated_resources,
        result.duration_ms,
    )
    return counts


def _interpret(source: Source, result: fetching.FetchResult) -> tuple[FeedReport, list[HarvestedEntry]]:
    base = _base_report(result)
    if result.outcome != FetchOutcome.OK:
        return replace(base, outcome=result.outcome, error=result.error), []
    if result.body_hash == source.body_hash:
        return replace(base, outcome=FetchOutcome.UNCHANGED), []
    base_url = result.final_url or source.feed_url
    try:
        parsed = parse_feed(result.body, content_type=result.content_type, base_url=base_url)
    except RejectedDocumentError as error:
        return replace(base, outcome=FetchOutcome.REJECTED_DOCUMENT, error=str(error)), []
    except Exception as error:  # a parser crash on hostile bytes is an outcome, never a lost task
        logger.exception("parser failed for source %s", source.pk)
        return replace(base, outcome=FetchOutcome.PARSE_ERROR, error=f"{type(error).__name__}: {error}"), []
    if not parsed.entries and not parsed.version:
        message = parsed.bozo_message or "no RSS, Atom, RDF or JSON Feed found in the document"
        return replace(base, outcome=FetchOutcome.NOT_A_FEED, error=message[:500]), []
    mode = (
        IdentityMode.LINK
        if source.identity_mode == IdentityMode.LINK
        else choose_identity_mode(parsed.entries)
    )
    entries = normalise_feed(
        parsed, base_url=base_url, identity_mode=mode, max_entries=settings.HARVEST_MAX_ENTRIES
    )
    return _with_feed_metadata(base, parsed, base_url, mode), entries


def _base_report(result: fetching.FetchResult) -> FeedReport:
    return FeedReport(
        outcome=result.outcome,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        http_status=result.status,
        bytes_received=len(result.body),
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=result.body_hash,
        permanent_redirect_url=result.permanent_redirect_url,
        retry_after_seconds=result.retry_after_seconds,
        max_age_seconds=result.max_age_seconds,
    )


def _with_feed_metadata(
    base: FeedReport, parsed: ParsedFeed, base_url: str, mode: IdentityMode
) -> FeedReport:
    feed = parsed.feed
    ttl = str(feed.get("ttl", "") or "").strip()
    new_feed_url = str(feed.get("itunes_new-feed-url", "") or feed.get("itunes_new_feed_url", "") or "")
    return replace(
        base,
        outcome=FetchOutcome.OK,
        ttl_minutes=int(ttl) if ttl.isdigit() else None,
        feed_title=str(feed.get("title", "") or "")[:300],
        site_url=clean_url(str(feed.get("link", "") or ""), base_url),
        language=str(feed.get("language", "") or "")[:16],
        new_feed_url=clean_url(new_feed_url),
        identity_mode=mode,
        podcast_guid=parsed.podcast_guid,
        error=parsed.bozo_message[:500],
    )
