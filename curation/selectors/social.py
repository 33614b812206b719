"""Reads of the social signal. One rule: `mentions_public()` — a mention counts, and is shown, only
while its resource is visible (a hidden or removed resource shows no social data anywhere); forgotten
authors' mentions are deleted, never filtered. Metrics, pages, the API, the research stack and the
discovery queue (`mentions_uncatalogued()`) all start from these two querysets."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from curation.enums import ResourceStatus, SourceRequestStatus, SourceStatus
from curation.models import (
    Mention,
    Resource,
    SocialFetchAttempt,
    SocialIdentity,
    SocialImpactSnapshot,
    SocialSource,
    Source,
    SourceRequest,
    User,
)
from curation.social import SOCIAL_FORMULA_VERSION

_ENGAGEMENT = (
    Coalesce(Sum("likes"), 0)
    + Coalesce(Sum("reposts"), 0)
    + Coalesce(Sum("replies"), 0)
    + Coalesce(Sum("quotes"), 0)
)


def mentions_public() -> QuerySet[Mention]:
    """Mentions of visible resources: the only mentions any surface counts or shows."""
    return Mention.objects.filter(resource__status=ResourceStatus.VISIBLE)


def mentions_uncatalogued() -> QuerySet[Mention]:
    """Mentions whose link matched no resource: the raw material of the discovery queue."""
    return Mention.objects.filter(resource=None)


def resource_social_inputs(*, resource_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """Per resource, the social index's raw inputs: posts (mentions), unique accounts, engagement,
    expert mentions (posts by verified experts) and when it was first seen. Every id asked for is
    answered (zeros when it has no public mention); None asks for every mentioned resource."""
    mentions = mentions_public()
    if resource_ids is not None:
        mentions = mentions.filter(resource_id__in=resource_ids)
    rows = (
        mentions.order_by()
        .values("resource_id")
        .annotate(
            posts=Count("post_uri", distinct=True),
            accounts=Count("author_handle", distinct=True),
            engagement_total=_ENGAGEMENT,
            experts=Count("post_uri", filter=Q(expert__isnull=False), distinct=True),
            first=Min("posted_at"),
        )
    )
    inputs: dict[int, dict[str, Any]] = {
        resource_id: _empty_resource_inputs() for resource_id in (resource_ids or [])
    }
    for row in rows:
        inputs[row["resource_id"]] = {
            "mentions": row["posts"],
            "unique_accounts": row["accounts"],
            "engagement": int(row["engagement_total"]),
            "expert_mentions": row["experts"],
            "first_seen": row["first"].isoformat() if row["first"] else None,
        }
    return inputs


def _empty_resource_inputs() -> dict[str, Any]:
    return {"mentions": 0, "unique_accounts": 0, "engagement": 0, "expert_mentions": 0, "first_seen": None}


def source_social_inputs(*, source_ids: list[int] | None, since: datetime) -> dict[int, dict[str, Any]]:
    """Per source: its resources' public mentions since `since` (posts, unique accounts, engagement,
    expert posts) and its followed accounts' followers as last reported (None when no account of it is
    followed or the platform did not say). None asks for every source with mentions or accounts."""
    mentions = mentions_public().filter(posted_at__gte=since)
    accounts = SocialSource.objects.filter(source__isnull=False)
    if source_ids is not None:
        mentions = mentions.filter(resource__source_id__in=source_ids)
        accounts = accounts.filter(source_id__in=source_ids)
    followers: dict[int, int | None] = {}
    for source_id, count in accounts.values_list("source_id", "followers_count"):
        if count is not None:
            followers[source_id] = (followers.get(source_id) or 0) + count
        else:
            followers.setdefault(source_id, None)
    rows = (
        mentions.order_by()
        .values("resource__source_id")
        .annotate(
            posts=Count("post_uri", distinct=True),
            accounts=Count("author_handle", distinct=True),
            engagement_total=_ENGAGEMENT,
            experts=Count("post_uri", filter=Q(expert__isnull=False), distinct=True),
        )
    )
    inputs: dict[int, dict[str, Any]] = {}
    for source_id in set(source_ids or []) | set(followers):
        inputs[source_id] = {
            "mentions_90d": 0,
            "unique_accounts_90d": 0,
            "engagement_90d": 0,
            "expert_mentions_90d": 0,
            "followers": followers.get(source_id),
        }
    for row in rows:
        source_id = row["resource__source_id"]
        inputs[source_id] = {
            "mentions_90d": row["posts"],
            "unique_accounts_90d": row["accounts"],
            "engagement_90d": int(row["engagement_total"]),
            "expert_mentions_90d": row["experts"],
            "followers": followers.get(source_id),
        }
    return inputs


def social_snapshot_latest(
    *, resource: Resource | None = None, source: Source | None = None
) -> SocialImpactSnapshot | None:
    snapshots = SocialImpactSnapshot.objects.filter(formula_version=SOCIAL_FORMULA_VERSION)
    if resource is not None:
        snapshots = snapshots.filter(resource=resource)
    else:
        snapshots = snapshots.filter(source=source)
    return snapshots.order_by("-computed_at", "-id").first()


def social_snapshots_latest_for_resources(resource_ids: Iterable[int]) -> dict[int, float]:
    """The latest social index of each resource (absent when never snapshotted), for research."""
    latest: dict[int, float] = {}
    rows = (
        SocialImpactSnapshot.objects.filter(
            formula_version=SOCIAL_FORMULA_VERSION, resource_id__in=resource_ids
        )
        .order_by("resource_id", "-computed_at", "-id")
        .values_list("resource_id", "value")
    )
    for resource_id, value in rows:
        latest.setdefault(resource_id, value)
    return latest


@dataclass
class SocialPanel:
    """What a resource or source page (and the API) shows of the social signal."""

    index: float | None
    formula_version: str
    inputs: dict[str, Any]
    computed_at: datetime | None
    mentions: list[Mention]
    expert_mentions: list[Mention]


def resource_social_panel(*, resource: Resource, limit: int = 10) -> SocialPanel:
    """The resource's latest social index with its inputs, and its most recent public mentions (expert
    mentions apart). A hidden resource has none."""
    snapshot = social_snapshot_latest(resource=resource)
    mentions = (
        mentions_public().filter(resource=resource).select_related("expert").order_by("-posted_at", "-id")
    )
    return SocialPanel(
        index=snapshot.value if snapshot else None,
        formula_version=SOCIAL_FORMULA_VERSION,
        inputs=snapshot.raw_inputs if snapshot else _empty_resource_inputs(),
        computed_at=snapshot.computed_at if snapshot else None,
        mentions=list(mentions.filter(expert__isnull=True)[:limit]),
        expert_mentions=list(mentions.filter(expert__isnull=False)[:limit]),
    )


def source_social_panel(*, source: Source, limit: int = 10) -> SocialPanel:
    snapshot = social_snapshot_latest(source=source)
    mentions = (
        mentions_public()
        .filter(resource__source=source)
        .select_related("resource", "expert")
        .order_by("-posted_at", "-id")
    )
    return SocialPanel(
        index=snapshot.value if snapshot else None,
        formula_version=SOCIAL_FORMULA_VERSION,
        inputs=snapshot.raw_inputs if snapshot else {},
        computed_at=snapshot.computed_at if snapshot else None,
        mentions=list(mentions.filter(expert__isnull=True)[:limit]),
        expert_mentions=list(mentions.filter(expert__isnull=False)[:limit]),
    )


def catalogue_hosts() -> set[str]:
    """Hosts of the catalogue's sites and feeds: a link there that matched no resource may still
    redirect to one, so it is worth expanding."""
    hosts: set[str] = set()
    for site_url, feed_url in Source.objects.values_list("site_url", "feed_url"):
        for url in (site_url, feed_url):
            host = (urlsplit(url).hostname or "").lower()
            if host:
                hosts.add(host)
                hosts.add(host[4:] if host.startswith("www.") else f"www.{host}")
    return hosts


@dataclass
class DiscussedSite:
    site: str
    mentions: int
    accounts: int
    expert_mentions: int
    latest: datetime
    sample_urls: list[str]
    request_status: str


def discussed_not_catalogued(*, limit: int = 50) -> list[DiscussedSite]:
    """Sites talked about on social media that the catalogue does not hold, most mentioned first
    (posts, then accounts). A site already in the catalogue, or added from this queue, leaves it; a
    pending request shows as such."""
    known = catalogue_hosts()
    rows = (
        mentions_uncatalogued()
        .order_by()
        .values("site")
        .annotate(
            posts=Count("post_uri", distinct=True),
            accounts=Count("author_handle", distinct=True),
            experts=Count("post_uri", filter=Q(expert__isnull=False), distinct=True),
            latest=Max("posted_at"),
        )
        .order_by("-posts", "-accounts", "site")
    )
    requests = _requests_by_host()
    chosen = [
        row
        for row in rows
        if row["site"] not in known and requests.get(row["site"]) != SourceRequestStatus.ADDED
    ][:limit]
    samples: dict[str, list[str]] = {}
    sample_rows = (
        mentions_uncatalogued()
        .filter(site__in=[row["site"] for row in chosen])
        .order_by("site", "url")
        .values_list("site", "url")
        .distinct()[: 50 * max(len(chosen), 1)]
    )
    for site, url in sample_rows:
        if len(samples.setdefault(site, [])) < 3:
            samples[site].append(url)
    return [
        DiscussedSite(
            site=row["site"],
            mentions=row["posts"],
            accounts=row["accounts"],
            expert_mentions=row["experts"],
            latest=row["latest"],
            sample_urls=samples.get(row["site"], []),
            request_status=requests.get(row["site"], ""),
        )
        for row in chosen
    ]


def _requests_by_host() -> dict[str, str]:
    found: dict[str, str] = {}
    for url, status in SourceRequest.objects.order_by("created_at").values_list("url", "status"):
        host = (urlsplit(url).hostname or "").lower()
        if host and found.get(host) != SourceRequestStatus.ADDED:
            found[host] = status
    return found


def social_sources_for_editor() -> QuerySet[SocialSource]:
    return (
        SocialSource.objects.select_related("source")
        .annotate(mention_count=Count("mentions", distinct=True))
        .order_by("platform", "kind", "query")
    )


def social_attempts_recent(*, limit: int = 30) -> QuerySet[SocialFetchAttempt]:
    return SocialFetchAttempt.objects.select_related("social_source").order_by("-started_at")[:limit]


def social_identities_for(*, user: User) -> QuerySet[SocialIdentity]:
    return SocialIdentity.objects.filter(user=user).order_by("platform", "handle")


def social_identities_verified(*, user: User) -> QuerySet[SocialIdentity]:
    return social_identities_for(user=user).filter(status="verified")


def social_sources_active_count() -> int:
    return SocialSource.objects.filter(status=SourceStatus.ACTIVE).count()
