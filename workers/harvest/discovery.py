"""Feed discovery: from whatever URL a person pastes (a feed, a site, a YouTube channel or handle page)
to a feed URL and a source kind. Every request goes through the guarded fetch."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from curation.enums import FetchOutcome, SourceKind
from workers.harvest.fetch import fetch
from workers.harvest.parse import ParsedFeed, RejectedDocumentError, parse_feed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
WELL_KNOWN_PATHS = (
    "/feed/",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/posts/default",
)
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
YOUTUBE_FEED = "https://www.youtube.com/feeds/videos.xml"
_CHANNEL_ID = re.compile(
    r"(?:\"channelId\"\s*:\s*\"|itemprop=\"(?:channelId|identifier)\"\s+content=\"|channel_id=)(UC[\w-]{22})"
)
_HTML_ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml;q=0.9, */*;q=0.5"


class DiscoveryError(Exception):
    pass


@dataclass(frozen=True)
class Discovered:
    feed_url: str
    kind: SourceKind
    title: str


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        if "alternate" in rels and values.get("type", "").lower() in FEED_TYPES and values.get("href"):
            self.links.append(values["href"].strip())


def alternate_feed_links(html: str, base_url: str) -> list[str]:
    parser = _AlternateLinks()
    parser.feed(html)
    return [urljoin(base_url, href) for href in parser.links]


def discover(url: str) -> Discovered:
    """Find the feed behind `url`. Raises DiscoveryError with a message a person can act on."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DiscoveryError(f"Give an http(s) address of a feed or a site (got {url!r}).")
    youtube_feed = _youtube_feed_url(url)
    if youtube_feed:
        return _as_feed(youtube_feed, forced_kind=SourceKind.VIDEO) or Discovered(
            youtube_feed, SourceKind.VIDEO, ""
        )
    result = fetch(url, accept=_HTML_ACCEPT)
    if result.outcome != FetchOutcome.OK:
        raise DiscoveryError(f"Could not fetch {url}: {result.error or result.outcome}.")
    direct = _feed_from_body(result.final_url or url, result.body, result.content_type)
    if direct:
        return direct
    page = result.body.decode("utf-8", errors="replace")
    if parts.hostname.lower() in YOUTUBE_HOSTS:
        match = _CHANNEL_ID.search(page)
        if match:
            feed_url = f"{YOUTUBE_FEED}?channel_id={match.group(1)}"
            return _as_feed(feed_url, forced_kind=SourceKind.VIDEO) or Discovered(
                feed_url, SourceKind.VIDEO, ""
            )
    base = result.final_url or url
    candidates = alternate_feed_links(page, base) + [urljoin(base, path) for path in WELL_KNOWN_PATHS]
    for candidate in dict.fromkeys(candidates):
        found = _as_feed(candidate)
        if found:
            return found
    raise DiscoveryError(f"No feed found at {url}: no <link rel=alternate> feed and none at the usual paths.")


def _youtube_feed_url(url: str) -> str:
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in YOUTUBE_HOSTS:
        return ""
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) >= 2 and segments[0] == "channel" and segments[1].startswith("UC"):
        return f"{YOUTUBE_FEED}?channel_id={segments[1]}"
    playlist = parse_qs(parts.query).get("list")
    if segments[:1] == ["playlist"] and playlist:
        return f"{YOUTUBE_FEED}?playlist_id={playlist[0]}"
    return ""


def _as_feed(url: str, forced_kind: SourceKind | None = None) -> Discovered | None:
    result = fetch(url)
    if result.outcome != FetchOutcome.OK:
        return None
    return _feed_from_body(result.final_url or url, result.body, result.content_type, forced_kind)


def _feed_from_body(
    url: str, body: bytes, content_type: str, forced_kind: SourceKind | None = None
) -> Discovered | None:
    try:
        parsed = parse_feed(body, content_type=content_type, base_url=url)
    except RejectedDocumentError:
        return None
    if not parsed.version:
        return None
    title = str(parsed.feed.get("title", "") or "")[:300]
    return Discovered(url, forced_kind or guess_kind(url, parsed), title)


def guess_kind(url: str, parsed: ParsedFeed) -> SourceKind:
    if "youtube.com/feeds/" in url or any(entry.get("yt_videoid") for entry in parsed.entries):
        return SourceKind.VIDEO
    for entry in parsed.entries[:20]:
        for link in entry.get("links") or []:
            if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith(("audio/", "video/")):
                return SourceKind.PODCAST
    if parsed.feed.get("itunes_author") or parsed.feed.get("itunes_explicit") is not None:
        return SourceKind.PODCAST
    return SourceKind.BLOG
