"""What Mastodon and Bluesky harvesting share: JSON over the guarded fetch, rate-limit and pagination
headers, links and plain text out of hostile HTML, and link expansion (shorteners, redirects)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache

from curation.enums import FetchOutcome
from workers.harvest.fetch import BlockedAddressError, FetchResult, fetch, shared_client
from workers.harvest.normalise import clean_url, html_to_text

JSON_ACCEPT = "application/json"
EXCERPT_CHARS = 500
# Well-known shorteners: their links are always expanded to the page they lead to.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "buff.ly",
        "dlvr.it",
        "goo.gl",
        "is.gd",
        "lnkd.in",
        "ow.ly",
        "t.co",
        "tinyurl.com",
        "trib.al",
        "rebrand.ly",
        "shorturl.at",
        "s.id",
        "wp.me",
        "youtu.be",
    }
)
_EXPANSION_TTL = 24 * 3600


class SocialReadError(Exception):
    """A platform answered something that is not the JSON its API documents."""


@dataclass
class JsonPage:
    result: FetchResult
    data: Any = None


def get_json(url: str, *, headers: dict[str, str] | None = None) -> JsonPage:
    """GET a JSON API document through the SSRF guard. `data` is None unless the fetch succeeded; a
    body that is not JSON raises SocialReadError."""
    result = fetch(
        url,
        accept=JSON_ACCEPT,
        client=shared_client(),
        max_bytes=settings.SOCIAL_MAX_BYTES,
        headers=headers,
    )
    if result.outcome != FetchOutcome.OK:
        return JsonPage(result=result)
    try:
        return JsonPage(result=result, data=json.loads(result.body))
    except (ValueError, UnicodeDecodeError) as error:
        raise SocialReadError(f"not JSON: {error}") from error


def post_json(url: str, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST JSON through the guarded client (sessions, publishing). Returns (status, parsed body or
    None); status 0 when the request could not be made."""
    try:
        response = shared_client().post(
            url,
            json=body,
            headers={"Accept": JSON_ACCEPT, **(headers or {})},
            timeout=httpx.Timeout(settings.HARVEST_TOTAL_TIMEOUT, connect=settings.HARVEST_CONNECT_TIMEOUT),
        )
    except (httpx.HTTPError, BlockedAddressError):
        return 0, None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def rate_limit(headers: dict[str, str]) -> tuple[int | None, datetime | None]:
    """Remaining requests and when the window resets, from Mastodon's X-RateLimit-* (reset as an ISO
    time) or the IETF draft's RateLimit-* (reset in seconds, as Bluesky sends it)."""
    remaining_text = headers.get("x-ratelimit-remaining") or headers.get("ratelimit-remaining") or ""
    remaining = int(remaining_text) if remaining_text.strip().lstrip("-").isdigit() else None
    reset_text = (headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset") or "").strip()
    return remaining, _reset_time(reset_text)


def _reset_time(text: str) -> datetime | None:
    if not text:
        return None
    now = datetime.now(UTC)
    if text.isdigit():
        value = min(int(text[:12]), 4 * 10**9)  # a hostile header cannot overflow the clock
        # a delta in seconds, or (as Bluesky sends it) an epoch time
        return datetime.fromtimestamp(value, UTC) if value > 10**9 else now + timedelta(seconds=value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def link_header_param(headers: dict[str, str], rel: str, param: str) -> str:
    """A query parameter of the Link header's `rel` target (Mastodon's next page is `max_id`). Only the
    parameter is taken: the next request is built on the instance we chose, never on a host the
    header names."""
    for part in headers.get("link", "").split(","):
        target, _, attributes = part.partition(";")
        if f'rel="{rel}"' in attributes.replace(" ", "") or f"rel={rel}" in attributes.replace(" ", ""):
            values = parse_qs(urlsplit(target.strip().strip("<>")).query).get(param)
            if values:
                return values[0][:200]
    return ""


class _Links(HTMLParser):
    """hrefs of a post's HTML that are links out (not Mastodon's mention and hashtag links)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        rels = values.get("rel", "").split()
        if "mention" in classes or "hashtag" in classes or "tag" in rels:
            return
        if values.get("href"):
            self.links.append(values["href"])


def html_links(fragment: str) -> list[str]:
    parser = _Links()
    try:
        parser.feed(fragment or "")
        parser.close()
    except (AssertionError, ValueError):  # a hostile fragment: keep what was read
        pass
    return parser.links


def excerpt_of(html_or_text: str, *, is_html: bool) -> str:
    text = html_to_text(html_or_text) if is_html else " ".join((html_or_text or "").split())
    return text[:EXCERPT_CHARS]


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else 0


def is_shortener(host: str) -> bool:
    host = host.lower()
    return host in SHORTENERS or host in {h.lower() for h in settings.SOCIAL_SHORTENERS}


class LinkExpander:
    """Expands links within one harvest: shorteners always, links on catalogued hosts when they did
    not match a resource as written (an old address that redirects). Redirects are followed by the
    guarded fetch (bounded hops, private addresses refused); results are cached a day; at most
    SOCIAL_MAX_EXPANSIONS network expansions per harvest."""

    def __init__(self, catalogue_hosts: set[str]) -> None:
        self.catalogue_hosts = catalogue_hosts
        self.budget = settings.SOCIAL_MAX_EXPANSIONS

    def canonical(self, url: str) -> str:
        return clean_url(url)

    def should_expand(self, url: str, matched: bool) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return is_shortener(host) or (not matched and host in self.catalogue_hosts)

    def expand(self, url: str) -> str:
        """The canonical address `url` leads to (itself when it does not redirect or cannot be read)."""
        key = "social:expand:" + hashlib.sha256(url.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return str(cached)
        if self.budget <= 0:
            return url
        self.budget -= 1
        # one byte is enough: only where the redirects end matters, not the page
        result = fetch(url, accept="text/html,*/*;q=0.8", client=shared_client(), max_bytes=1)
        final = clean_url(result.final_url) if result.final_url else ""
        expanded = final or url
        cache.set(key, expanded, _EXPANSION_TTL)
        return expanded
