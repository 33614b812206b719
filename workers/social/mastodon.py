"""Mastodon's public REST API: the request addresses we read and pure parsers of its Status and
Account entities (https://docs.joinmastodon.org/entities/Status/)."""

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from curation.enums import SocialPlatform
from curation.services.social import SocialPost
from curation.social import normalise_hashtag
from workers.social.common import count, excerpt_of, html_links, parse_time

PAGE_LIMIT = 40  # the API's maximum


def tag_timeline_url(instance: str, hashtag: str, *, max_id: str = "", since_id: str = "") -> str:
    return _with_paging(f"{instance}/api/v1/timelines/tag/{quote(hashtag, safe='')}", max_id, since_id)


def account_lookup_url(instance: str, handle: str) -> str:
    return f"{instance}/api/v1/accounts/lookup?{urlencode({'acct': handle})}"


def account_statuses_url(instance: str, account_id: str, *, max_id: str = "", since_id: str = "") -> str:
    return _with_paging(f"{instance}/api/v1/accounts/{quote(account_id, safe='')}/statuses", max_id, since_id)


def status_url(instance: str, status_id: str) -> str:
    return f"{instance}/api/v1/statuses/{quote(status_id, safe='')}"


def _with_paging(base: str, max_id: str, since_id: str) -> str:
    params = {"limit": str(PAGE_LIMIT)}
    if max_id:
        params["max_id"] = max_id
    if since_id:
        params["since_id"] = since_id
    return f"{base}?{urlencode(params)}"


def full_handle(acct: str, instance: str) -> str:
    """Mastodon gives local accounts as `name` and remote ones as `name@domain`: always name@domain."""
    acct = acct.strip().lstrip("@").lower()
    return acct if "@" in acct else f"{acct}@{urlsplit(instance).netloc.lower()}"


def parse_statuses(data: Any, instance: str) -> list[SocialPost]:
    """Public posts of a list of statuses (a boost counts as its original post); anything else in the
    list — not a dict, not public, without a uri — is skipped."""
    if not isinstance(data, list):
        return []
    posts: dict[str, SocialPost] = {}
    for item in data:
        post = parse_status(item, instance)
        if post is not None:
            posts.setdefault(post.post_uri, post)
    return list(posts.values())


def parse_status(item: Any, instance: str) -> SocialPost | None:
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("reblog"), dict):
        item = item["reblog"]
    uri, status_id = item.get("uri"), item.get("id")
    posted_at = parse_time(item.get("created_at"))
    account = item.get("account") if isinstance(item.get("account"), dict) else {}
    acct = account.get("acct")
    if item.get("visibility") != "public" or not isinstance(uri, str) or not uri:
        return None
    if not isinstance(status_id, str) or not isinstance(acct, str) or not acct or posted_at is None:
        return None
    content = item.get("content") if isinstance(item.get("content"), str) else ""
    links = html_links(content)
    card = item.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str):
        links.insert(0, card["url"])
    tags = [
        normalise_hashtag(t["name"])
        for t in item.get("tags") or []
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    ]
    url = item.get("url") if isinstance(item.get("url"), str) else ""
    return SocialPost(
        platform=SocialPlatform.MASTODON,
        post_uri=uri[:500],
        platform_post_id=status_id[:200],
        author_handle=full_handle(acct, instance),
        posted_at=posted_at,
        post_url=url if url.startswith(("https://", "http://")) else "",
        excerpt=excerpt_of(content, is_html=True),
        hashtags=sorted(set(tags))[:30],
        links=links[:20],
        likes=count(item.get("favourites_count")),
        reposts=count(item.get("reblogs_count")),
        replies=count(item.get("replies_count")),
        quotes=count(item.get("quotes_count")),
    )


def engagement(item: Any) -> dict[str, int] | None:
    if not isinstance(item, dict):
        return None
    return {
        "likes": count(item.get("favourites_count")),
        "reposts": count(item.get("reblogs_count")),
        "replies": count(item.get("replies_count")),
        "quotes": count(item.get("quotes_count")),
    }
