"""Harvesting a social source: read its pages (guarded fetch, per-host slot, rate limits honoured),
parse public posts, expand and canonicalise their links, hand them to curation. Also the engagement
refresh of recent posts, the check of experts' identities, and posting designations out."""

import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from curation.enums import FetchOutcome, SocialPlatform, SocialSourceKind, SourceStatus
from curation.models import SocialIdentity, SocialSource
from curation.selectors.social import catalogue_hosts
from curation.services.social import (
    SocialHarvestCounts,
    SocialPost,
    SocialReport,
    mention_engagement_record,
    mention_refresh_postpone,
    resources_for_urls,
    social_harvest_record,
    social_identity_record_check,
    social_source_defer,
)
from workers.harvest.fetch import FetchResult
from workers.harvest.hostslots import host_slot
from workers.harvest.normalise import clean_url
from workers.social import bluesky, mastodon
from workers.social.common import (
    JsonPage,
    LinkExpander,
    SocialReadError,
    as_dict,
    as_list,
    as_str,
    get_json,
    link_header_param,
    post_json,
    rate_limit,
)

DEFERRED = "deferred"
_SESSION_KEY = "social:bluesky:session"
# Links to the platforms themselves (profiles, other posts) are conversation, not resources.
_PLATFORM_HOSTS = {"bsky.app", "bsky.social", "go.bsky.app"}


def harvest_social_source(social_source_id: int) -> SocialHarvestCounts | str:
    """One harvest of one social source; "deferred" when its host had no free slot, "skipped" when it
    is gone or paused. Never raises for network or document trouble: the attempt records it."""
    social_source = SocialSource.objects.filter(pk=social_source_id, status=SourceStatus.ACTIVE).first()
    if social_source is None:
        return "skipped"
    started, clock = timezone.now(), time.monotonic()
    report = SocialReport(outcome=FetchOutcome.OK, started_at=started)
    with host_slot(social_source.instance) as acquired:
        if not acquired:
            social_source_defer(social_source_id=social_source_id, seconds=5)
            return DEFERRED
        try:
            if social_source.platform == SocialPlatform.MASTODON:
                posts = _read_mastodon(social_source, report)
            else:
                posts = _read_bluesky(social_source, report)
        except SocialReadError as error:
            posts, report.outcome, report.error = [], FetchOutcome.PARSE_ERROR, str(error)[:500]
    report.posts_seen = len(posts)
    posts = expand_links(posts, instance=social_source.instance)
    report.duration_ms = int((time.monotonic() - clock) * 1000)
    return social_harvest_record(social_source_id=social_source_id, report=report, posts=posts)


def _note_page(report: SocialReport, page: JsonPage) -> bool:
    """Record a page's status and rate limit in the report; False when the harvest must stop here."""
    result = page.result
    report.http_status = result.status
    remaining, reset_at = rate_limit(result.headers)
    if remaining is not None:
        report.rate_limit_remaining, report.rate_limit_reset_at = remaining, reset_at
    if result.outcome != FetchOutcome.OK:
        report.outcome, report.error = result.outcome, result.error[:500]
        report.retry_after_seconds = result.retry_after_seconds
        return False
    report.pages += 1
    return True


def _out_of_requests(report: SocialReport) -> bool:
    return report.rate_limit_remaining is not None and report.rate_limit_remaining <= 0


def _read_mastodon(social_source: SocialSource, report: SocialReport) -> list[SocialPost]:
    instance = social_source.instance
    if social_source.kind == SocialSourceKind.ACCOUNT:
        handle = social_source.query
        user, _, domain = handle.partition("@")
        page = get_json(
            mastodon.account_lookup_url(instance, user if domain == urlsplit(instance).netloc else handle)
        )
        if not _note_page(report, page):
            return []
        account = page.data if isinstance(page.data, dict) else {}
        if not isinstance(account.get("id"), str):
            raise SocialReadError("the account lookup answered without an account id")
        followers = account.get("followers_count")
        report.followers_count = followers if isinstance(followers, int) and followers >= 0 else None

        def page_url(max_id: str) -> str:
            return mastodon.account_statuses_url(
                instance, account["id"], max_id=max_id, since_id=social_source.newest_post_id
            )
    else:

        def page_url(max_id: str) -> str:
            return mastodon.tag_timeline_url(
                instance, social_source.query, max_id=max_id, since_id=social_source.newest_post_id
            )

    posts: list[SocialPost] = []
    max_id = ""
    for _ in range(settings.SOCIAL_MAX_PAGES):
        page = get_json(page_url(max_id))
        if not _note_page(report, page):
            break
        if not isinstance(page.data, list):
            raise SocialReadError("a timeline page is not a list of statuses")
        posts += mastodon.parse_statuses(page.data, instance)
        ids = [item["id"] for item in page.data if isinstance(item, dict) and isinstance(item.get("id"), str)]
        if ids and not max_id:
            report.newest_post_id = max(ids, key=_status_order)
        next_max = link_header_param(page.result.headers, "next", "max_id") or (
            min(ids, key=_status_order) if ids else ""
        )
        if not ids or not next_max or next_max == max_id or _out_of_requests(report):
            break
        max_id = next_max
    if not report.newest_post_id:
        report.newest_post_id = social_source.newest_post_id
    return posts


def _status_order(status_id: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings (snowflakes): compare by length, then text."""
    return len(status_id), status_id


def _read_bluesky(social_source: SocialSource, report: SocialReport) -> list[SocialPost]:
    since = ""
    if social_source.last_success_at:  # an hour's overlap: posts indexed late are not missed
        since = (
            (social_source.last_success_at - timedelta(hours=1))
            .astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    state: dict[str, bool] = {}
    if social_source.kind == SocialSourceKind.ACCOUNT:
        page = _bluesky_get(social_source, lambda base: bluesky.profile_url(base, social_source.query), state)
        if not _note_page(report, page):
            return []
        followers = page.data.get("followersCount") if isinstance(page.data, dict) else None
        report.followers_count = followers if isinstance(followers, int) and followers >= 0 else None

        def page_url(base: str, cursor: str) -> str:
            return bluesky.author_feed_url(base, social_source.query, cursor=cursor)
    else:
        tag = social_source.query if social_source.kind == SocialSourceKind.HASHTAG else ""
        text = social_source.query if social_source.kind == SocialSourceKind.SEARCH else ""

        def page_url(base: str, cursor: str) -> str:
            return bluesky.search_url(base, query=text, tag=tag, since=since, cursor=cursor)

    posts: list[SocialPost] = []
    cursor = ""
    floor = parse_since(since)
    for _ in range(settings.SOCIAL_MAX_PAGES):
        page = _bluesky_get(social_source, lambda base, c=cursor: page_url(base, c), state)
        if not _note_page(report, page):
            break
        batch, next_cursor = bluesky.posts_of(page.data)
        if not isinstance(page.data, dict):
            raise SocialReadError("a Bluesky page is not an object")
        posts += batch
        older = floor is not None and any(post.posted_at < floor for post in batch)
        if not batch or not next_cursor or next_cursor == cursor or older or _out_of_requests(report):
            break
        cursor = next_cursor
    return posts


def parse_since(since: str) -> datetime | None:
    return datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None


def _bluesky_get(social_source: SocialSource, url_for: Any, state: dict[str, bool]) -> JsonPage:
    """Read from the public AppView; where it refuses (401/403) and an app password is configured,
    again through a session on the account's PDS — and for the rest of this harvest (`state`)."""
    session = bluesky_session() if state.get("session") else {}
    if not session:
        page = get_json(url_for(social_source.instance))
        if page.result.status not in (401, 403):
            return page
        session = bluesky_session()
        if not session:
            return page
        state["session"] = True
    return get_json(
        url_for(settings.BLUESKY_PDS_URL.rstrip("/")),
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
    )


def bluesky_session() -> dict[str, str]:
    """An app-password session (accessJwt, did), cached 30 minutes; empty when none is configured or
    the PDS refused."""
    if not (settings.BLUESKY_IDENTIFIER and settings.BLUESKY_APP_PASSWORD):
        return {}
    session = cache.get(_SESSION_KEY)
    if session:
        return dict(session)
    status, body = post_json(
        f"{settings.BLUESKY_PDS_URL.rstrip('/')}/xrpc/com.atproto.server.createSession",
        {"identifier": settings.BLUESKY_IDENTIFIER, "password": settings.BLUESKY_APP_PASSWORD},
    )
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("accessJwt"), str):
        return {}
    session = {"accessJwt": body["accessJwt"], "did": str(body.get("did", ""))}
    cache.set(_SESSION_KEY, session, 30 * 60)
    return session


def expand_links(posts: list[SocialPost], *, instance: str) -> list[SocialPost]:
    """Each post's links canonicalised; shortened links, and links on catalogued hosts that match no
    resource as written, followed to where they lead. Links to the platforms themselves are dropped."""
    own_hosts = _PLATFORM_HOSTS | {urlsplit(instance).hostname or ""}
    canonical = {raw: clean_url(raw) for post in posts for raw in post.links}
    matched = resources_for_urls({url for url in canonical.values() if url})
    expander = LinkExpander(catalogue_hosts())
    expanded: list[SocialPost] = []
    for post in posts:
        links: list[str] = []
        for raw in post.links:
            url = canonical[raw]
            if not url or (urlsplit(url).hostname or "") in own_hosts:
                continue
            if expander.should_expand(url, url in matched):
                url = expander.expand(url)
            if url and url not in links:
                links.append(url)
        expanded.append(replace(post, links=links[:20]))
    return expanded


def refresh_posts(posts: list[dict[str, str]]) -> dict[str, int]:
    """Read the engagement of claimed posts again; a post the platform no longer shows (404/410, or
    missing from getPosts) deletes its mentions. Returns a tally."""
    tally = {"refreshed": 0, "deleted": 0, "postponed": 0}
    bluesky_posts = [post for post in posts if post["platform"] == SocialPlatform.BLUESKY]
    for post in posts:
        if post["platform"] == SocialPlatform.MASTODON:
            _tally(tally, _refresh_mastodon(post))
    for start in range(0, len(bluesky_posts), bluesky.GET_POSTS_BATCH):
        for outcome in _refresh_bluesky(bluesky_posts[start : start + bluesky.GET_POSTS_BATCH]):
            _tally(tally, outcome)
    return tally


def _tally(tally: dict[str, int], outcome: str) -> None:
    tally[outcome] = tally.get(outcome, 0) + 1


def _refresh_mastodon(post: dict[str, str]) -> str:
    try:
        page = get_json(mastodon.status_url(post["instance"], post["platform_post_id"]))
    except SocialReadError:
        page = JsonPage(result=FetchResult(outcome=FetchOutcome.PARSE_ERROR, url=""))
    if page.result.status in (404, 410):
        mention_engagement_record(platform=post["platform"], post_uri=post["post_uri"], counts=None)
        return "deleted"
    counts = mastodon.engagement(page.data)
    if page.result.outcome != FetchOutcome.OK or counts is None:
        mention_refresh_postpone(platform=post["platform"], post_uri=post["post_uri"], seconds=3600)
        return "postponed"
    mention_engagement_record(platform=post["platform"], post_uri=post["post_uri"], counts=counts)
    return "refreshed"


def _refresh_bluesky(posts: list[dict[str, str]]) -> list[str]:
    base = posts[0]["instance"]
    try:
        page = get_json(bluesky.get_posts_url(base, [post["post_uri"] for post in posts]))
    except SocialReadError:
        page = JsonPage(result=FetchResult(outcome=FetchOutcome.PARSE_ERROR, url=""))
    views = page.data.get("posts") if isinstance(page.data, dict) else None
    if page.result.outcome != FetchOutcome.OK or not isinstance(views, list):
        for post in posts:
            mention_refresh_postpone(platform=post["platform"], post_uri=post["post_uri"], seconds=3600)
        return ["postponed"] * len(posts)
    by_uri = {view.get("uri"): view for view in views if isinstance(view, dict)}
    outcomes = []
    for post in posts:
        view = by_uri.get(post["post_uri"])
        counts = bluesky.engagement(view) if view is not None else None
        mention_engagement_record(platform=post["platform"], post_uri=post["post_uri"], counts=counts)
        outcomes.append("refreshed" if view is not None else "deleted")
    return outcomes


class _RelMe(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "me" in values.get("rel", "").split() and values.get("href"):
            self.hrefs.append(values["href"])


def rel_me_links(fragment: str) -> list[str]:
    parser = _RelMe()
    try:
        parser.feed(fragment or "")
        parser.close()
    except (AssertionError, ValueError):
        pass
    return parser.hrefs


def _same_page(first: str, second: str) -> bool:
    return clean_url(first).rstrip("/") == clean_url(second).rstrip("/") != ""


def portfolio_url(identity: SocialIdentity) -> str:
    path = reverse("frontend:portfolio", kwargs={"public_id": identity.user.public_id})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def identity_check(identity_id: int) -> str:
    """Check one identity: a Mastodon profile must carry a rel="me" link to the expert's portfolio
    page (in a profile field or the bio); a Bluesky profile must name the portfolio page in its
    description. Records the result."""
    identity = SocialIdentity.objects.select_related("user").filter(pk=identity_id).first()
    if identity is None:
        return "deleted"
    portfolio = portfolio_url(identity)
    try:
        verified, method, detail = (
            _check_mastodon(identity, portfolio)
            if identity.platform == SocialPlatform.MASTODON
            else _check_bluesky(identity, portfolio)
        )
    except SocialReadError as error:
        verified, method, detail = False, "", f"the profile could not be read: {error}"
    social_identity_record_check(identity_id=identity_id, verified=verified, method=method, detail=detail)
    return "verified" if verified else "failed"


def _check_mastodon(identity: SocialIdentity, portfolio: str) -> tuple[bool, str, str]:
    user, _, host = identity.handle.partition("@")
    instance = f"{settings.SOCIAL_IDENTITY_SCHEME}://{host}"
    page = get_json(mastodon.account_lookup_url(instance, user))
    if not isinstance(page.data, dict):
        return False, "", f"no such account on {host} ({page.result.error or page.result.status})"
    html = " ".join(
        [as_str(as_dict(item).get("value")) for item in as_list(page.data.get("fields"))]
        + [as_str(page.data.get("note"))]
    )
    if any(_same_page(href, portfolio) for href in rel_me_links(html)):
        return True, 'rel="me" link', f'the profile links to {portfolio} with rel="me"'
    return False, "", f'no rel="me" link to {portfolio} on the profile'


def _check_bluesky(identity: SocialIdentity, portfolio: str) -> tuple[bool, str, str]:
    page = get_json(bluesky.profile_url(settings.BLUESKY_APPVIEW_URL.rstrip("/"), identity.handle))
    if not isinstance(page.data, dict) or page.data.get("handle", "").lower() != identity.handle:
        return False, "", f"no such Bluesky account ({page.result.error or page.result.status})"
    description = as_str(page.data.get("description"))
    found = re.findall(r"https?://\S+", description)
    if any(_same_page(url.rstrip(".,;)"), portfolio) for url in found):
        return True, "profile link", f"the profile's description names {portfolio}"
    return False, "", f"the profile's description does not name {portfolio}"
