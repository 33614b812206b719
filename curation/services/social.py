"""Social media as a curation signal: registering what to follow, recording harvested posts as
mentions of resources, engagement refreshes, deleted posts, authors' requests to be forgotten, experts'
identities and the social impact snapshots."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone

from curation.enums import (
    FetchOutcome,
    SocialIdentityStatus,
    SocialPlatform,
    SocialSourceKind,
    SourceStatus,
)
from curation.errors import InvalidInput, NotAllowed, NotFound
from curation.models import (
    Designation,
    Mention,
    Resource,
    SocialFetchAttempt,
    SocialForget,
    SocialIdentity,
    SocialImpactSnapshot,
    SocialPublication,
    SocialSource,
    Source,
    SourceRequest,
    User,
)
from curation.polling import error_backoff, with_jitter
from curation.selectors.social import resource_social_inputs, source_social_inputs
from curation.services.catalogue import source_request_create
from curation.services.outbox import outbox_claim, outbox_record
from curation.social import (
    SOCIAL_FORMULA_VERSION,
    SOURCE_WINDOW,
    next_refresh_at,
    normalise_handle,
    normalise_hashtag,
    resource_social_index,
    source_social_index,
)

CLAIM_LEASE = timedelta(minutes=15)
URL_PREFIX = 500  # resource_canonical_url_idx indexes this many characters of canonical_url
_HASHTAG = re.compile(r"^\w{1,100}$")
_BLUESKY_HANDLE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,250}\.[a-z0-9-]{2,63}$")
# What each platform can follow here: Mastodon has no public full-text search.
SUPPORTED = {
    SocialPlatform.MASTODON: {SocialSourceKind.HASHTAG, SocialSourceKind.ACCOUNT},
    SocialPlatform.BLUESKY: {SocialSourceKind.HASHTAG, SocialSourceKind.SEARCH, SocialSourceKind.ACCOUNT},
}


@dataclass(frozen=True)
class SocialPost:
    """One public post as read from a platform, its links already expanded and canonicalised."""

    platform: str
    post_uri: str
    platform_post_id: str
    author_handle: str
    posted_at: datetime
    post_url: str = ""
    excerpt: str = ""
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0


@dataclass
class SocialReport:
    """How one harvest of a social source went."""

    outcome: FetchOutcome
    started_at: datetime
    duration_ms: int = 0
    http_status: int | None = None
    pages: int = 0
    posts_seen: int = 0
    error: str = ""
    retry_after_seconds: int | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = None
    newest_post_id: str = ""
    followers_count: int | None = None


@dataclass
class SocialHarvestCounts:
    outcome: str
    posts_seen: int = 0
    new_mentions: int = 0
    resources: list[int] = field(default_factory=list)


def social_source_register(
    *,
    editor: User,
    platform: str,
    kind: str,
    query: str,
    instance: str = "",
    source_public_id: str = "",
) -> tuple[SocialSource, bool]:
    """Follow a hashtag, a search or an account (idempotent upsert on platform, kind, instance and
    query). Due for a harvest at once. Raises NotAllowed for a non-editor, InvalidInput for an unknown
    platform or kind, a kind the platform cannot follow, an unusable query or instance, or an unknown
    catalogue source."""
    if not editor.is_editor:
        raise NotAllowed("Only editors choose what is followed on social media.")
    if platform not in SUPPORTED:
        raise InvalidInput("Choose Mastodon or Bluesky.", field_errors={"platform": ["Unknown platform."]})
    if kind not in SUPPORTED[SocialPlatform(platform)]:
        raise InvalidInput(
            f"{SocialPlatform(platform).label} cannot follow a {kind or 'blank'} here.",
            field_errors={"kind": ["Not available on this platform."]},
        )
    query = _clean_query(kind, query)
    instance = _clean_instance(platform, instance)
    source = None
    if source_public_id:
        source = Source.objects.filter(public_id=source_public_id).first()
        if source is None:
            raise InvalidInput("No such source.", field_errors={"source": ["Unknown source."]})
    try:
        with transaction.atomic():
            social_source, created = SocialSource.objects.get_or_create(
                platform=platform,
                kind=kind,
                instance=instance,
                query=query,
                defaults={"source": source, "created_by": editor, "next_poll_at": timezone.now()},
            )
    except IntegrityError:
        social_source = SocialSource.objects.get(platform=platform, kind=kind, instance=instance, query=query)
        created = False
    return social_source, created


def _clean_query(kind: str, query: str) -> str:
    query = (query or "").strip()
    if kind == SocialSourceKind.HASHTAG:
        query = normalise_hashtag(query)
        if not _HASHTAG.match(query):
            raise InvalidInput(
                "A hashtag is letters, digits and _ only.", field_errors={"query": ["Not a hashtag."]}
            )
    elif kind == SocialSourceKind.ACCOUNT:
        query = normalise_handle(query)
        if not query or " " in query or len(query) > 300:
            raise InvalidInput("Give the account's handle.", field_errors={"query": ["Not a handle."]})
    elif not query or len(query) > 300:
        raise InvalidInput(
            "Give the search text (at most 300 characters).", field_errors={"query": ["Required."]}
        )
    return query


def _clean_instance(platform: str, instance: str) -> str:
    instance = (instance or "").strip().rstrip("/")
    if not instance and platform == SocialPlatform.BLUESKY:
        instance = settings.BLUESKY_APPVIEW_URL.rstrip("/")
    if instance and "://" not in instance:
        instance = f"https://{instance}"
    parts = urlsplit(instance)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise InvalidInput(
            "Give the instance as https://host (a Mastodon server, or the Bluesky AppView).",
            field_errors={"instance": ["Not an instance address."]},
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def social_source_set_status(*, editor: User, social_source: SocialSource, active: bool) -> SocialSource:
    """Pause or resume a social source (a resumed one is due at once). Raises NotAllowed for a
    non-editor."""
    if not editor.is_editor:
        raise NotAllowed("Only editors pause or resume social sources.")
    social_source.status = SourceStatus.ACTIVE if active else SourceStatus.PAUSED
    social_source.next_poll_at = timezone.now() if active else social_source.next_poll_at
    social_source.consecutive_errors = 0 if active else social_source.consecutive_errors
    social_source.save(update_fields=["status", "next_poll_at", "consecutive_errors"])
    return social_source


def social_sources_claim_due(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Claim up to `limit` active social sources due for a harvest and push their next poll a lease
    ahead (as feeds are claimed: SKIP LOCKED on PostgreSQL, a conditional UPDATE everywhere)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = SocialSource.objects.filter(status=SourceStatus.ACTIVE, next_poll_at__lte=now).order_by(
            "next_poll_at"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            SocialSource.objects.filter(id__in=ids, next_poll_at__lte=now).update(
                next_poll_at=now + CLAIM_LEASE
            )
    return ids


def social_source_defer(*, social_source_id: int, seconds: float) -> None:
    """The host was busy: due again in `seconds` (without counting as an error)."""
    SocialSource.objects.filter(pk=social_source_id).update(
        next_poll_at=timezone.now() + timedelta(seconds=seconds)
    )


def forgotten_handles(platform: str) -> set[str]:
    return set(
        SocialForget.objects.filter(Q(platform=platform) | Q(platform="")).values_list("handle", flat=True)
    )


def social_harvest_record(
    *, social_source_id: int, report: SocialReport, posts: Sequence[SocialPost]
) -> SocialHarvestCounts:
    """Store one harvest: a mention per (post, link) not stored yet (upsert: a second harvest of the
    same posts adds nothing), matched to catalogued resources and to verified experts; posts by
    forgotten authors are dropped; the attempt is recorded and the next poll scheduled (backoff on
    errors, Retry-After and rate-limit resets honoured). Idempotent. Returns the counts."""
    social_source = SocialSource.objects.filter(pk=social_source_id).first()
    if social_source is None:
        return SocialHarvestCounts(outcome="deleted")
    now = timezone.now()
    ok = report.outcome == FetchOutcome.OK
    forgotten = forgotten_handles(social_source.platform)
    kept = [post for post in posts if normalise_handle(post.author_handle) not in forgotten]
    urls = {url for post in kept for url in post.links}
    resource_of = resources_for_urls(urls)
    experts = _verified_experts(social_source.platform, {normalise_handle(p.author_handle) for p in kept})
    new_rows = _new_mentions(social_source, kept, resource_of, experts, now)
    with transaction.atomic():
        created = Mention.objects.bulk_create(new_rows, ignore_conflicts=True)
        SocialFetchAttempt.objects.create(
            social_source=social_source,
            started_at=report.started_at,
            duration_ms=report.duration_ms,
            outcome=report.outcome,
            http_status=report.http_status,
            pages=report.pages,
            posts_seen=report.posts_seen,
            new_mentions=len(new_rows),
            rate_limit_remaining=report.rate_limit_remaining,
            error=report.error[:2000],
        )
        _schedule(social_source, report, now)
    resources = sorted({row.resource_id for row in new_rows if row.resource_id})
    if ok and resources:
        social_snapshots_refresh(resource_ids=resources)
    return SocialHarvestCounts(
        outcome=str(report.outcome),
        posts_seen=report.posts_seen,
        new_mentions=len(created),
        resources=resources,
    )


def _new_mentions(
    social_source: SocialSource,
    posts: Sequence[SocialPost],
    resource_of: dict[str, int],
    experts: dict[str, int],
    now: datetime,
) -> list[Mention]:
    stored = set(
        Mention.objects.filter(
            platform=social_source.platform, post_uri__in={post.post_uri for post in posts}
        ).values_list("post_uri", "url")
    )
    rows: dict[tuple[str, str], Mention] = {}
    for post in posts:
        for url in post.links:
            key = (post.post_uri, url)
            if key in stored or key in rows:
                continue
            rows[key] = Mention(
                platform=social_source.platform,
                post_uri=post.post_uri[:500],
                post_url=post.post_url[:2000],
                url=url,
                resource_id=resource_of.get(url),
                site=(urlsplit(url).hostname or "")[:255],
                author_handle=normalise_handle(post.author_handle),
                expert_id=experts.get(normalise_handle(post.author_handle)),
                posted_at=post.posted_at,
                excerpt=post.excerpt[:500],
                hashtags=post.hashtags[:30],
                likes=post.likes,
                reposts=post.reposts,
                replies=post.replies,
                quotes=post.quotes,
                engagement_read_at=now,
                next_refresh_at=next_refresh_at(post.posted_at, 0, now),
                instance=social_source.instance,
                platform_post_id=post.platform_post_id[:200],
                found_by=social_source,
            )
    return list(rows.values())


def _schedule(social_source: SocialSource, report: SocialReport, now: datetime) -> None:
    interval = social_source.poll_interval_seconds
    social_source.last_outcome = report.outcome
    social_source.last_fetched_at = now
    fields = ["last_outcome", "last_fetched_at", "next_poll_at", "consecutive_errors", "last_error"]
    if report.outcome == FetchOutcome.OK:
        social_source.consecutive_errors = 0
        social_source.last_error = ""
        social_source.last_success_at = now
        fields.append("last_success_at")
        if report.newest_post_id:
            social_source.newest_post_id = report.newest_post_id[:200]
            fields.append("newest_post_id")
        if report.followers_count is not None:
            social_source.followers_count = report.followers_count
            social_source.followers_read_at = now
            fields += ["followers_count", "followers_read_at"]
        wait = with_jitter(interval)
    else:
        social_source.consecutive_errors += 1
        social_source.last_error = report.error[:2000]
        wait = error_backoff(interval, social_source.consecutive_errors)
    next_poll = now + timedelta(seconds=wait)
    if report.retry_after_seconds:
        next_poll = max(next_poll, now + timedelta(seconds=min(report.retry_after_seconds, 7 * 86400)))
    if (
        report.rate_limit_reset_at
        and report.rate_limit_remaining is not None
        and report.rate_limit_remaining <= 0
    ):
        next_poll = max(next_poll, min(report.rate_limit_reset_at, now + timedelta(days=1)))
    social_source.next_poll_at = next_poll
    social_source.save(update_fields=fields)


def url_variants(url: str) -> list[str]:
    """The spellings of one canonical URL that name the same page: http/https, with or without
    "www." and a trailing slash."""
    parts = urlsplit(url)
    host = parts.netloc
    hosts = {host, host[4:] if host.startswith("www.") else f"www.{host}"}
    path = parts.path or "/"
    paths = {path, path.rstrip("/") or "/", path if path.endswith("/") else f"{path}/"}
    query = f"?{parts.query}" if parts.query else ""
    return sorted({f"{scheme}://{h}{p}{query}" for scheme in ("https", "http") for h in hosts for p in paths})


def resources_for_urls(urls: Iterable[str]) -> dict[str, int]:
    """Each URL's catalogued resource (by its canonical URL, any of its spellings): the oldest resource
    of that address wins. URLs with no resource are absent."""
    wanted: dict[str, str] = {}
    for url in urls:
        for variant in url_variants(url):
            wanted.setdefault(variant, url)
    found: dict[str, int] = {}
    variants = list(wanted)
    for start in range(0, len(variants), 500):
        chunk = variants[start : start + 500]
        rows = (
            Resource.objects.annotate(url_prefix=Substr("canonical_url", 1, URL_PREFIX))
            .filter(url_prefix__in={v[:URL_PREFIX] for v in chunk}, canonical_url__in=chunk)
            .order_by("id")
            .values_list("canonical_url", "id")
        )
        for canonical, resource_id in rows:
            found.setdefault(wanted[canonical], resource_id)
    return found


def _verified_experts(platform: str, handles: set[str]) -> dict[str, int]:
    if not handles:
        return {}
    return dict(
        SocialIdentity.objects.filter(
            platform=platform, handle__in=handles, status=SocialIdentityStatus.VERIFIED
        ).values_list("handle", "user_id")
    )


def mentions_claim_refresh(*, now: datetime | None = None, limit: int = 100) -> list[dict[str, str]]:
    """Claim up to `limit` posts whose engagement is due for a new reading (a lease, as sources are
    claimed). Returns one dict per post: platform, instance, post_uri, platform_post_id."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Mention.objects.filter(next_refresh_at__lte=now).order_by("next_refresh_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values("id", "platform", "instance", "post_uri", "platform_post_id")[: limit * 4])
        posts: dict[tuple[str, str], dict[str, str]] = {}
        for row in rows:
            key = (row["platform"], row["post_uri"])
            if key not in posts and len(posts) < limit:
                posts[key] = {
                    name: row[name] for name in ("platform", "instance", "post_uri", "platform_post_id")
                }
        if posts:
            claimed = Q()
            for platform, post_uri in posts:
                claimed |= Q(platform=platform, post_uri=post_uri)
            Mention.objects.filter(claimed).update(next_refresh_at=now + CLAIM_LEASE)
    return list(posts.values())


def mention_engagement_record(
    *, platform: str, post_uri: str, counts: dict[str, int] | None, now: datetime | None = None
) -> int:
    """Store a post's engagement as read now (`counts`: likes, reposts, replies, quotes), or delete its
    mentions when the platform says it is gone (`counts` None). Returns the rows touched."""
    now = now or timezone.now()
    mentions = Mention.objects.filter(platform=platform, post_uri=post_uri)
    resources = sorted(set(mentions.exclude(resource=None).values_list("resource_id", flat=True)))
    with transaction.atomic():
        if counts is None:
            touched, _ = mentions.delete()
        else:
            first = mentions.order_by("id").values_list("posted_at", "refresh_count").first()
            if first is None:
                return 0
            posted_at, refresh_count = first
            touched = mentions.update(
                likes=max(int(counts.get("likes", 0)), 0),
                reposts=max(int(counts.get("reposts", 0)), 0),
                replies=max(int(counts.get("replies", 0)), 0),
                quotes=max(int(counts.get("quotes", 0)), 0),
                engagement_read_at=now,
                refresh_count=refresh_count + 1,
                next_refresh_at=next_refresh_at(posted_at, refresh_count + 1, now),
            )
    if resources:
        social_snapshots_refresh(resource_ids=resources)
    return touched


def mention_refresh_postpone(*, platform: str, post_uri: str, seconds: float) -> None:
    """A refresh could not be read now (host busy, timeout): try again later, same plan otherwise."""
    Mention.objects.filter(platform=platform, post_uri=post_uri).update(
        next_refresh_at=timezone.now() + timedelta(seconds=seconds)
    )


def social_forget(*, handle: str, platform: str = "", editor: User | None = None) -> SocialForget:
    """An author's request to be forgotten: delete every mention they wrote (on `platform`, or on both
    when blank) and refuse their posts from now on. Idempotent. `editor` None is the command line; a
    user who is not an editor raises NotAllowed. Raises InvalidInput for a blank handle or an unknown
    platform."""
    if editor is not None and not editor.is_editor:
        raise NotAllowed("Only editors carry out requests to be forgotten.")
    handle = normalise_handle(handle)
    if not handle:
        raise InvalidInput("Give the author's handle.", field_errors={"handle": ["Required."]})
    if platform and platform not in SocialPlatform.values:
        raise InvalidInput("Unknown platform.", field_errors={"platform": ["Unknown platform."]})
    mentions = Mention.objects.filter(author_handle=handle)
    if platform:
        mentions = mentions.filter(platform=platform)
    resources = sorted(set(mentions.exclude(resource=None).values_list("resource_id", flat=True)))
    with transaction.atomic():
        deleted, _ = mentions.delete()
        forget, created = SocialForget.objects.get_or_create(
            platform=platform, handle=handle, defaults={"requested_by": editor, "mentions_deleted": deleted}
        )
        if not created and deleted:
            forget.mentions_deleted += deleted
            forget.save(update_fields=["mentions_deleted"])
    if resources:
        social_snapshots_refresh(resource_ids=resources)
    return forget


def social_identity_link(*, user: User, platform: str, handle: str) -> SocialIdentity:
    """A verified expert names their Mastodon (user@instance) or Bluesky (name.domain) account; a worker
    checks that the account links back to their portfolio page. Idempotent per (user, platform,
    handle): linking again asks for a new check. Raises NotAllowed for anyone but a verified expert,
    InvalidInput for an unknown platform or a malformed handle."""
    if not user.is_verified_expert:
        raise NotAllowed("Only verified experts link social media identities.")
    handle = normalise_handle(handle)
    if platform == SocialPlatform.MASTODON:
        user_part, _, host = handle.partition("@")
        if not user_part or not host or "@" in host or "/" in host or not re.match(r"^[\w.]+$", user_part):
            raise InvalidInput(
                "Give your Mastodon handle as name@instance.", field_errors={"handle": ["Not a handle."]}
            )
    elif platform == SocialPlatform.BLUESKY:
        if not _BLUESKY_HANDLE.match(handle):
            raise InvalidInput(
                "Give your Bluesky handle, such as name.bsky.social.",
                field_errors={"handle": ["Not a handle."]},
            )
    else:
        raise InvalidInput("Choose Mastodon or Bluesky.", field_errors={"platform": ["Unknown platform."]})
    identity, created = SocialIdentity.objects.get_or_create(user=user, platform=platform, handle=handle)
    if not created and identity.status != SocialIdentityStatus.VERIFIED:
        identity.status, identity.check_detail = SocialIdentityStatus.PENDING, ""
        identity.save(update_fields=["status", "check_detail"])
    return identity


def social_identity_remove(*, user: User, identity: SocialIdentity) -> None:
    """Unlink an identity (its owner only): its mentions stop counting as expert endorsements."""
    if identity.user_id != user.pk:
        raise NotFound("No such identity.")
    with transaction.atomic():
        resources = sorted(
            set(
                Mention.objects.filter(expert=user, platform=identity.platform, author_handle=identity.handle)
                .exclude(resource=None)
                .values_list("resource_id", flat=True)
            )
        )
        Mention.objects.filter(expert=user, platform=identity.platform, author_handle=identity.handle).update(
            expert=None
        )
        identity.delete()
    if resources:
        social_snapshots_refresh(resource_ids=resources)


def social_identity_record_check(
    *, identity_id: int, verified: bool, method: str, detail: str
) -> SocialIdentity | None:
    """Record a worker's check of an identity. Verified: the account's stored mentions become expert
    mentions (and later ones on harvest). Another user's verified claim of the same account wins; this
    one fails. None when the identity is gone."""
    now = timezone.now()
    with transaction.atomic():
        identity = SocialIdentity.objects.select_for_update().filter(pk=identity_id).first()
        if identity is None:
            return None
        taken = (
            SocialIdentity.objects.filter(
                platform=identity.platform, handle=identity.handle, status=SocialIdentityStatus.VERIFIED
            )
            .exclude(pk=identity.pk)
            .exists()
        )
        if verified and taken:
            verified, detail = False, "this account is already verified for another expert"
        identity.status = SocialIdentityStatus.VERIFIED if verified else SocialIdentityStatus.FAILED
        identity.method, identity.check_detail, identity.checked_at = method[:60], detail[:300], now
        identity.verified_at = now if verified else None
        identity.save(update_fields=["status", "method", "check_detail", "checked_at", "verified_at"])
        mentions = Mention.objects.filter(platform=identity.platform, author_handle=identity.handle)
        resources = sorted(set(mentions.exclude(resource=None).values_list("resource_id", flat=True)))
        mentions.update(expert=identity.user if verified else None)
    if resources:
        social_snapshots_refresh(resource_ids=resources)
    return identity


def social_identities_claim_pending(*, limit: int = 50) -> list[int]:
    return list(
        SocialIdentity.objects.filter(status=SocialIdentityStatus.PENDING)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )


def discussed_site_add(*, editor: User, site: str) -> SourceRequest:
    """One click from the "discussed, not catalogued" queue: ask discovery to find the site's feed (the
    add-by-URL request every new source goes through). Raises NotAllowed for a non-editor,
    InvalidInput for a site nobody mentioned."""
    site = (site or "").strip().lower()
    if not Mention.objects.filter(site=site, resource=None).exists():
        raise InvalidInput("No mention links to that site.", field_errors={"site": ["Not in the queue."]})
    return source_request_create(editor=editor, url=f"https://{site}/")


def social_snapshots_refresh(
    *, resource_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Store a social impact snapshot (formula social/1, raw inputs kept) for each given resource, or
    for every mentioned resource and every source with mentions or a followed account when None. Counts
    come from the public mention selector, so a hidden resource or a forgotten author counts nowhere.
    Returns the snapshots written."""
    now = now or timezone.now()
    inputs = resource_social_inputs(resource_ids=None if resource_ids is None else list(resource_ids))
    rows = [
        SocialImpactSnapshot(
            resource_id=resource_id,
            formula_version=SOCIAL_FORMULA_VERSION,
            value=resource_social_index(raw),
            raw_inputs=raw,
            computed_at=now,
        )
        for resource_id, raw in inputs.items()
    ]
    source_ids = None
    if resource_ids is not None:
        source_ids = sorted(
            set(Resource.objects.filter(id__in=list(inputs)).values_list("source_id", flat=True))
        )
    for source_id, raw in source_social_inputs(source_ids=source_ids, since=now - SOURCE_WINDOW).items():
        rows.append(
            SocialImpactSnapshot(
                source_id=source_id,
                formula_version=SOCIAL_FORMULA_VERSION,
                value=source_social_index(raw),
                raw_inputs=raw,
                computed_at=now,
            )
        )
    SocialImpactSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def mentions_rematch(*, limit: int = 5000) -> int:
    """Match mentions that found no resource when harvested against the catalogue again (a site added
    from the discovery queue brings its resources later). Returns how many now have a resource."""
    rows = list(Mention.objects.filter(resource=None).order_by("-id").values_list("id", "url")[:limit])
    resource_of = resources_for_urls({url for _, url in rows})
    matched = 0
    touched: set[int] = set()
    for mention_id, url in rows:
        if url in resource_of:
            matched += Mention.objects.filter(pk=mention_id, resource=None).update(
                resource_id=resource_of[url]
            )
            touched.add(resource_of[url])
    if touched:
        social_snapshots_refresh(resource_ids=sorted(touched))
    return matched


def social_publications_create(*, designations: Iterable[Designation]) -> int:
    """Queue each published (not provisional) designation for posting to every platform switched on in
    SOCIAL_PUBLISH_PLATFORMS (off by default). Once per designation and platform (a unique row), so
    publishing again never posts twice. Returns the rows queued."""
    platforms = [p for p in settings.SOCIAL_PUBLISH_PLATFORMS if p in SocialPlatform.values]
    rows = [
        SocialPublication(designation=designation, platform=platform)
        for designation in designations
        if not designation.provisional
        for platform in platforms
    ]
    if not rows:
        return 0
    queued = SocialPublication.objects.filter(designation__in={row.designation_id for row in rows})
    before = queued.count()
    SocialPublication.objects.bulk_create(rows, ignore_conflicts=True)
    return queued.count() - before


def social_publications_claim(*, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Claim pending publications (a lease, so a crashed worker's row is claimable again later)."""
    return outbox_claim(SocialPublication, now=now, limit=limit)


def social_publication_record(
    *, publication_id: int, post_uri: str = "", error: str = "", retry: bool = False
) -> None:
    """A post went out (`post_uri`), or failed: retried later while `retry` and attempts remain."""
    outbox_record(
        SocialPublication.objects.filter(pk=publication_id).first(),
        sent={"post_uri": post_uri[:500]} if post_uri else None,
        error=error,
        retry=retry,
    )
