"""Celery tasks: thin wrappers that take ids, tolerate deleted rows and call one pipeline/service.

Routing: tasks named harvest_* go to the `harvest` queue (settings.CELERY_TASK_ROUTES), so slow feeds
never starve user-facing work on the default queue."""

import logging
import random
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from curation.deferred import run_now
from curation.enums import FetchOutcome, SourceRequestStatus
from curation.models import Resource, SourceClaim, SourceRequest
from curation.selectors import designated_resource_urls, designated_source_feed_urls
from curation.selectors.catalogue import resource_ids_awaiting_full_text, source_claim_pending_ids
from curation.services.catalogue import (
    resource_store_full_text,
    source_claim_due,
    source_defer,
    source_request_claim_pending,
    source_request_finish,
)
from curation.services.claims import source_claim_record_check
from curation.services.collections import digests_send
from curation.services.credit import orcid_pushes_claim
from curation.services.episodes import (
    EpisodeFileKind,
    chapters_store,
    episode_file_postpone,
    episode_file_record_failure,
    episode_files_claim_due,
    transcript_store,
)
from curation.services.harvest import fetch_attempts_prune
from curation.services.integrity import resource_liveness_record, source_liveness_record
from curation.services.metrics import (
    metrics_recompute_all,
    topic_facets_refresh,
    trending_refresh,
    usage_visits_prune,
)
from curation.services.notifications import assignment_send_deadline_reminders
from curation.services.social import (
    mentions_claim_refresh,
    mentions_rematch,
    social_identities_claim_pending,
    social_publications_claim,
    social_snapshots_refresh,
    social_sources_claim_due,
)
from workers.harvest.chapters import ChaptersUnreadable, chapters_parse
from workers.harvest.discovery import DiscoveryError, discover
from workers.harvest.fetch import FetchResult, fetch
from workers.harvest.fulltext import extract_article_text
from workers.harvest.hostslots import host_slot
from workers.harvest.pipeline import DEFERRED, harvest_source
from workers.harvest.transcripts import TranscriptUnreadable, transcript_choose, transcript_parse
from workers.orcid import push as orcid_push
from workers.social.pipeline import harvest_social_source, identity_check, refresh_posts
from workers.social.publish import publish

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),  # a locked or restarting database can succeed later
    retry_backoff=True,
    max_retries=5,
)
def harvest_source_task(source_id: int) -> dict[str, object]:
    counts = harvest_source(source_id, slot=host_slot)  # the host's slot covers the fetch only
    if counts.outcome == DEFERRED:  # the host is busy: due again shortly, without counting as an error
        source_defer(source_id=source_id, seconds=random.uniform(2, 10))
        return {"source": source_id, "outcome": "deferred"}
    if counts.new_resources or counts.updated_resources:
        for resource_id in resource_ids_awaiting_full_text(source_id=source_id):
            harvest_extract_full_text.delay(resource_id)
    return {"source": source_id, "outcome": counts.outcome, "new": counts.new_resources}


@shared_task(
    acks_late=True, rate_limit="20/m", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def harvest_extract_full_text(resource_id: int) -> str:
    """Index one article's text (rate-limited per worker, and one of the per-host slots)."""
    url = (
        Resource.objects.filter(pk=resource_id, source__extract_full_text=True)
        .values_list("canonical_url", flat=True)
        .first()
    )
    if not url:
        return "skipped"
    with host_slot(url) as acquired:
        if not acquired:
            harvest_extract_full_text.apply_async((resource_id,), countdown=random.uniform(5, 30))
            return "deferred"
        outcome, text = extract_article_text(url)
    if outcome == FetchOutcome.OK:
        resource_store_full_text(resource_id=resource_id, text=text)
    return str(outcome)


_TRANSCRIPT_ACCEPT = (
    "text/vtt, application/x-subrip, application/json;q=0.9, text/html;q=0.8, text/plain;q=0.7, */*;q=0.1"
)
# Worth another try later; anything else (404, not a transcript, too large) will not change by itself.
_TRANSIENT = {FetchOutcome.TIMEOUT, FetchOutcome.CONNECTION_ERROR, FetchOutcome.RATE_LIMITED}


@shared_task(acks_late=True)
def dispatch_due_episode_files() -> int:
    """Claim episodes whose transcript or chapters file is due and queue one (rate-limited) fetch
    each. Run by beat."""
    transcripts = episode_files_claim_due(kind="transcript", limit=settings.TRANSCRIPT_DISPATCH_BATCH)
    for resource_id in transcripts:
        harvest_fetch_transcript.delay(resource_id)
    chapters = episode_files_claim_due(kind="chapters", limit=settings.TRANSCRIPT_DISPATCH_BATCH)
    for resource_id in chapters:
        harvest_fetch_chapters.delay(resource_id)
    return len(transcripts) + len(chapters)


@shared_task(
    acks_late=True,
    rate_limit=settings.TRANSCRIPT_RATE_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def harvest_fetch_transcript(resource_id: int) -> str:
    """Fetch, read and index one episode's transcript: through the SSRF guard, within the per-host
    slots, at most TRANSCRIPT_MAX_BYTES."""
    offered = Resource.objects.filter(pk=resource_id).values_list("transcript_urls", flat=True).first()
    chosen = transcript_choose(offered or [])
    if chosen is None:
        episode_file_record_failure(
            kind="transcript", resource_id=resource_id, url="", error="no readable format", retry=False
        )
        return "unreadable"
    result = _fetch_episode_file("transcript", resource_id, chosen["url"], _TRANSCRIPT_ACCEPT)
    if isinstance(result, str):
        return result
    media_type = chosen.get("type") or result.content_type
    try:
        parsed = transcript_parse(result.body, media_type=media_type, url=chosen["url"])
    except TranscriptUnreadable as error:
        episode_file_record_failure(
            kind="transcript", resource_id=resource_id, url=chosen["url"], error=str(error), retry=False
        )
        return "unreadable"
    transcript_store(
        resource_id=resource_id, url=chosen["url"], media_type=media_type, text=parsed.text, cues=parsed.cues
    )
    return "indexed"


@shared_task(
    acks_late=True,
    rate_limit=settings.TRANSCRIPT_RATE_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def harvest_fetch_chapters(resource_id: int) -> str:
    """Fetch and read one episode's JSON chapters file, as transcripts are fetched."""
    url = Resource.objects.filter(pk=resource_id).values_list("chapters_url", flat=True).first() or ""
    result = _fetch_episode_file("chapters", resource_id, url, "application/json+chapters, application/json")
    if isinstance(result, str):
        return result
    try:
        chapters = chapters_parse(result.body)
    except ChaptersUnreadable as error:
        episode_file_record_failure(
            kind="chapters", resource_id=resource_id, url=url, error=str(error), retry=False
        )
        return "unreadable"
    chapters_store(resource_id=resource_id, url=url, chapters=chapters)
    return "indexed"


def _fetch_episode_file(kind: EpisodeFileKind, resource_id: int, url: str, accept: str) -> FetchResult | str:
    """The fetched file, or the outcome (already recorded) when there is nothing to read."""
    if not url:
        episode_file_record_failure(kind=kind, resource_id=resource_id, url="", error="no URL", retry=False)
        return "unreadable"
    with host_slot(url) as acquired:
        if not acquired:
            episode_file_postpone(kind=kind, resource_id=resource_id, seconds=random.uniform(10, 60))
            return "deferred"
        result = fetch(url, accept=accept, max_bytes=settings.TRANSCRIPT_MAX_BYTES)
    if result.outcome == FetchOutcome.OK:
        return result
    transient = result.outcome in _TRANSIENT or (
        result.outcome == FetchOutcome.HTTP_ERROR and (result.status or 0) >= 500
    )
    episode_file_record_failure(
        kind=kind,
        resource_id=resource_id,
        url=url,
        error=result.error or str(result.outcome),
        retry=transient,
    )
    return str(result.outcome)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def harvest_source_request(request_id: int) -> str:
    """Discover the feed behind an editor's "add this URL" request and register it (or record why not)."""
    url = (
        SourceRequest.objects.filter(pk=request_id, status=SourceRequestStatus.PENDING)
        .values_list("url", flat=True)
        .first()
    )
    if url is None:
        return "skipped"
    try:
        found = discover(url)
    except DiscoveryError as error:
        request = source_request_finish(request_id=request_id, error=str(error))
    else:
        request = source_request_finish(
            request_id=request_id, feed_url=found.feed_url, detected_kind=found.kind, title=found.title
        )
    return request.status if request else "deleted"


@shared_task(acks_late=True)
def dispatch_due_sources() -> int:
    """Claim every source due for a poll and queue one harvest task each. Run by beat every minute. It
    drains everything due in bounded batches (HARVEST_DISPATCH_BATCH each, at most
    HARVEST_DISPATCH_MAX_PER_TICK in all), so dispatch is never the ceiling of harvesting."""
    dispatched = 0
    while dispatched < settings.HARVEST_DISPATCH_MAX_PER_TICK:
        batch = min(settings.HARVEST_DISPATCH_BATCH, settings.HARVEST_DISPATCH_MAX_PER_TICK - dispatched)
        ids = source_claim_due(limit=batch)
        for source_id in ids:
            harvest_source_task.delay(source_id)
        dispatched += len(ids)
        if len(ids) < batch:
            break
    if dispatched:
        logger.info("dispatched %d due sources", dispatched)
    return dispatched


@shared_task(acks_late=True)
def refresh_trending() -> int:
    """Store the home page's trending list (a week of views, clicks and endorsements) and each topic's
    search facet counts."""
    topic_facets_refresh()
    return trending_refresh()


@shared_task(acks_late=True)
def send_weekly_digests() -> int:
    """E-mail each follower what was newly vetted in what they follow (none when nothing is new)."""
    return digests_send()


@shared_task(acks_late=True)
def dispatch_source_requests() -> int:
    """Claim editors' add-by-URL requests and queue their discovery. Run by beat every minute."""
    ids = source_request_claim_pending()
    for request_id in ids:
        harvest_source_request.delay(request_id)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_deferred(kind: str, payload: dict[str, Any]) -> None:
    """Side work a request deferred until its change committed: e-mail, metric refreshes. Idempotent
    (a refresh recomputes from rows; a repeated e-mail is the lesser harm of acks_late)."""
    run_now(kind, payload)


@shared_task(acks_late=True)
def send_deadline_reminders() -> int:
    """Remind reviewers whose round deadline is within 48 hours (each assignment once)."""
    return assignment_send_deadline_reminders()


@shared_task(acks_late=True, time_limit=3000, soft_time_limit=2900)
def nightly_metrics() -> dict[str, int]:
    """Every resource's metrics recomputed from source rows (which also corrects any drift of the
    incremental updates). The reliability and impact snapshots it reads are the research worker's,
    taken half an hour earlier (research.tasks.nightly_research)."""
    return {"resources": metrics_recompute_all()}


_PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@shared_task(acks_late=True, time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def liveness_check_vetted() -> dict[str, int]:
    """Weekly: fetch every designated resource and the sources of those resources through the guarded
    fetch and record each as live / degraded / gone. Gone resources leave the vetted feeds."""
    tally: dict[str, int] = {}
    for resource_id, url in designated_resource_urls():
        with host_slot(url) as acquired:
            if not acquired:
                liveness_check_resource.apply_async((resource_id,), countdown=random.uniform(30, 300))
                continue
            result = fetch(url, accept=_PAGE_ACCEPT)
        liveness = resource_liveness_record(
            resource_id=resource_id, outcome=result.outcome, http_status=result.status, detail=result.error
        )
        if liveness is not None:
            tally[liveness] = tally.get(liveness, 0) + 1
    for source_id, url in designated_source_feed_urls():
        result = fetch(url)
        source_liveness_record(source_id=source_id, outcome=result.outcome, http_status=result.status)
    return tally


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def liveness_check_resource(resource_id: int) -> str:
    """Check one resource's liveness (a deferred part of the weekly check)."""
    url = Resource.objects.filter(pk=resource_id).values_list("canonical_url", flat=True).first()
    if not url:
        return "skipped"
    with host_slot(url) as acquired:
        if not acquired:
            liveness_check_resource.apply_async((resource_id,), countdown=random.uniform(30, 300))
            return "deferred"
        result = fetch(url, accept=_PAGE_ACCEPT)
    return str(
        resource_liveness_record(
            resource_id=resource_id, outcome=result.outcome, http_status=result.status, detail=result.error
        )
    )


@shared_task(acks_late=True)
def check_source_claims() -> dict[str, int]:
    """Look for each pending claim's token in its source's feed and on its site's home page."""
    verified = checked = 0
    for claim_id in source_claim_pending_ids():
        claim = SourceClaim.objects.select_related("source").filter(pk=claim_id).first()
        if claim is None:
            continue
        places = [u for u in (claim.source.feed_url, claim.source.site_url) if u]
        found_at = ""
        for url in places:
            result = fetch(url, accept=_PAGE_ACCEPT)
            if claim.token.encode() in result.body:
                found_at = url
                break
        detail = f"found at {found_at}" if found_at else f"not found in {', '.join(places) or 'no address'}"
        source_claim_record_check(claim_id=claim_id, found=bool(found_at), detail=detail)
        checked += 1
        verified += bool(found_at)
    return {"checked": checked, "verified": verified}


@shared_task(acks_late=True, time_limit=3000, soft_time_limit=2900)
def prune_fetch_attempts() -> int:
    """Fold fetch attempts older than 90 days into daily sums (harvest health keeps the history)."""
    return fetch_attempts_prune()


@shared_task(acks_late=True)
def prune_usage_visits() -> int:
    """Forget per-visitor usage rows once the day they de-duplicate is over."""
    return usage_visits_prune()


@shared_task(acks_late=True)
def dispatch_due_social_sources() -> int:
    """Claim every social source due for a harvest and queue one harvest each (bounded batches, as
    feeds are dispatched). Run by beat."""
    dispatched = 0
    while dispatched < settings.HARVEST_DISPATCH_MAX_PER_TICK:
        ids = social_sources_claim_due(limit=settings.HARVEST_DISPATCH_BATCH)
        for social_source_id in ids:
            harvest_social_source_task.delay(social_source_id)
        dispatched += len(ids)
        if len(ids) < settings.HARVEST_DISPATCH_BATCH:
            break
    return dispatched


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def harvest_social_source_task(social_source_id: int) -> dict[str, object]:
    counts = harvest_social_source(social_source_id)
    if isinstance(counts, str):
        return {"social_source": social_source_id, "outcome": counts}
    return {"social_source": social_source_id, "outcome": counts.outcome, "new": counts.new_mentions}


@shared_task(acks_late=True)
def dispatch_social_refreshes() -> int:
    """Claim posts whose engagement is due for a new reading and queue them in batches."""
    posts = mentions_claim_refresh(limit=200)
    for start in range(0, len(posts), 25):
        harvest_social_refresh.delay(posts[start : start + 25])
    return len(posts)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def harvest_social_refresh(posts: list[dict[str, str]]) -> dict[str, int]:
    return refresh_posts(posts)


@shared_task(acks_late=True)
def check_social_identities() -> dict[str, int]:
    """Check experts' pending social identities (a rel="me" link or profile link to their portfolio)."""
    tally: dict[str, int] = {}
    for identity_id in social_identities_claim_pending():
        outcome = identity_check(identity_id)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally


@shared_task(acks_late=True, time_limit=3000, soft_time_limit=2900)
def nightly_social() -> dict[str, int]:
    """Match still-unmatched mentions against the catalogue again, then snapshot every social index."""
    return {"rematched": mentions_rematch(), "snapshots": social_snapshots_refresh()}


@shared_task(acks_late=True)
def publish_social_posts() -> dict[str, int]:
    """Post newly published designations to the platform's own accounts (only when switched on)."""
    tally: dict[str, int] = {}
    for publication_id in social_publications_claim():
        outcome = publish(publication_id)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally


@shared_task(acks_late=True)
def push_orcid_reviews() -> dict[str, int]:
    """Add queued reviews to their reviewers' ORCID records (only when ORCID_PUSH_ENABLED)."""
    tally: dict[str, int] = {}
    if not settings.ORCID_PUSH_ENABLED:
        return tally
    for push_id in orcid_pushes_claim():
        outcome = orcid_push(push_id)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally
