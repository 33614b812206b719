"""Bluesky's XRPC API (the AppView): request addresses and pure parsers of post views
(app.bsky.feed.defs#postView), with their link facets and external embeds."""

from typing import Any
from urllib.parse import urlencode

from curation.enums import SocialPlatform
from curation.services.social import SocialPost
from curation.social import normalise_hashtag
from workers.social.common import as_dict, as_list, as_str, count, excerpt_of, parse_time

PAGE_LIMIT = 100  # searchPosts' maximum (getAuthorFeed's too)
LINK_FACET = "app.bsky.richtext.facet#link"
TAG_FACET = "app.bsky.richtext.facet#tag"
GET_POSTS_BATCH = 25


def search_url(base: str, *, query: str = "", tag: str = "", since: str = "", cursor: str = "") -> str:
    params = {"q": query or f"#{tag}", "limit": str(PAGE_LIMIT), "sort": "latest"}
    if tag:
        params["tag"] = tag
    if since:
        params["since"] = since
    if cursor:
        params["cursor"] = cursor
    return f"{base}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}"


def author_feed_url(base: str, actor: str, *, cursor: str = "") -> str:
    params = {"actor": actor, "limit": str(PAGE_LIMIT), "filter": "posts_with_replies"}
    if cursor:
        params["cursor"] = cursor
    return f"{base}/xrpc/app.bsky.feed.getAuthorFeed?{urlencode(params)}"


def profile_url(base: str, actor: str) -> str:
    return f"{base}/xrpc/app.bsky.actor.getProfile?{urlencode({'actor': actor})}"


def get_posts_url(base: str, uris: list[str]) -> str:
    return f"{base}/xrpc/app.bsky.feed.getPosts?{urlencode([('uris', uri) for uri in uris])}"


def posts_of(data: Any) -> tuple[list[SocialPost], str]:
    """The posts of a searchPosts (`posts`) or getAuthorFeed (`feed[].post`) page, and its cursor."""
    if not isinstance(data, dict):
        return [], ""
    views = data.get("posts")
    if not isinstance(views, list):
        views = [as_dict(item).get("post") for item in as_list(data.get("feed"))]
    posts: dict[str, SocialPost] = {}
    for view in views:
        post = parse_post(view)
        if post is not None:
            posts.setdefault(post.post_uri, post)
    cursor = data.get("cursor")
    return list(posts.values()), cursor[:500] if isinstance(cursor, str) else ""


def parse_post(view: Any) -> SocialPost | None:
    if not isinstance(view, dict):
        return None
    uri = view.get("uri")
    author = as_dict(view.get("author"))
    record = as_dict(view.get("record"))
    handle = author.get("handle")
    posted_at = parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt"))
    if not isinstance(uri, str) or not uri.startswith("at://") or not isinstance(handle, str) or not handle:
        return None
    if posted_at is None:
        return None
    links, tags = _facets(record.get("facets"))
    for embed in (view.get("embed"), record.get("embed")):
        external = embed.get("external") if isinstance(embed, dict) else None
        if isinstance(external, dict) and isinstance(external.get("uri"), str):
            links.append(external["uri"])
    tags += [normalise_hashtag(t) for t in as_list(record.get("tags")) if isinstance(t, str)]
    text = as_str(record.get("text"))
    rkey = uri.rsplit("/", 1)[-1]
    return SocialPost(
        platform=SocialPlatform.BLUESKY,
        post_uri=uri[:500],
        platform_post_id=uri[:200],
        author_handle=handle.lower(),
        posted_at=posted_at,
        post_url=f"https://bsky.app/profile/{handle.lower()}/post/{rkey}",
        excerpt=excerpt_of(text, is_html=False),
        hashtags=sorted(set(tags))[:30],
        links=list(dict.fromkeys(links))[:20],
        **engagement(view),
    )


def _facets(facets: Any) -> tuple[list[str], list[str]]:
    links: list[str] = []
    tags: list[str] = []
    for facet in facets if isinstance(facets, list) else []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if not isinstance(feature, dict):
                continue
            if feature.get("$type") == LINK_FACET and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
            elif feature.get("$type") == TAG_FACET and isinstance(feature.get("tag"), str):
                tags.append(normalise_hashtag(feature["tag"]))
    return links, tags


def engagement(view: Any) -> dict[str, int]:
    view = view if isinstance(view, dict) else {}
    return {
        "likes": count(view.get("likeCount")),
        "reposts": count(view.get("repostCount")),
        "replies": count(view.get("replyCount")),
        "quotes": count(view.get("quoteCount")),
    }
