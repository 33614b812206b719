"""Turning feedparser entries into HarvestedEntry values: identity, clean URLs, sanitised HTML,
podcast and video fields."""

import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import nh3

from curation.enums import IdentityMode
from curation.services.harvest import HarvestedEntry
from workers.harvest.parse import ParsedFeed, PodcastExtras

EXCERPT_CHARS = 1200
_OLDEST = datetime.min.replace(tzinfo=UTC)
TEXT_CHARS = 20000
MAX_URL = 2000
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|igshid|yclid)$", re.I
)
_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_WHITESPACE = re.compile(r"\s+")
_DURATION_UNITS = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s(?:ec)?)?$", re.I)


def clean_url(url: str, base: str = "") -> str:
    """Absolute http(s) URL without tracking parameters or fragment; empty when unusable."""
    url = (url or "").strip()
    if not url:
        return ""
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)]
    )
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))
    return cleaned if len(cleaned) <= MAX_URL else ""


def sanitise_html(fragment: str, base_url: str = "") -> str:
    """Allow-listed HTML: relative links made absolute first, then nh3 strips everything else
    (scripts, event handlers, styles, javascript: URLs)."""

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if (element, attribute) in _URL_ATTRIBUTES:
            return clean_url(value, base_url) or None
        return value

    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        attribute_filter=rewrite,
        strip_comments=True,
    ).strip()


def html_to_text(fragment: str) -> str:
    text = nh3.clean(fragment, tags=set(), attributes={})
    return _WHITESPACE.sub(" ", html.unescape(text)).strip()


# Podcast analytics services put themselves in front of the real media URL.
_MEDIA_REDIRECT_PREFIX = re.compile(
    r"^(?:dts\.podtrac\.com/redirect\.\w+/|www\.podtrac\.com/pts/redirect\.\w+/|chrt\.fm/track/[^/]+/|"
    r"pdst\.fm/e/|op3\.dev/e/(?:[^/]+/)?|pfx\.vpixl\.com/[^/]+/|prfx\.byspotify\.com/e/|"
    r"mgln\.ai/e/[^/]+/|verifi\.podscribe\.com/rss/p/|arttrk\.com/p/[^/]+/)+",
    re.IGNORECASE,
)


def work_key(*, enclosure_url: str, canonical_url: str) -> str:
    """Identity of the work itself, shared by every source that carries it: the media file (analytics
    redirect prefixes, scheme and query removed) or, for text, the canonical URL."""
    if enclosure_url:
        parts = urlsplit(enclosure_url)
        bare = _MEDIA_REDIRECT_PREFIX.sub("", f"{parts.netloc}{parts.path}".lower())
        while True:  # a prefix may carry the scheme of the next hop in its path
            stripped = re.sub(r"^https?:/+", "", bare)
            stripped = _MEDIA_REDIRECT_PREFIX.sub("", stripped)
            if stripped == bare:
                break
            bare = stripped
        return _sha256(f"media:{bare}")
    if canonical_url:
        return _sha256(f"url:{re.sub(r'^https?://', '', canonical_url.lower())}")
    return ""


def parse_duration(value: Any) -> int | None:
    """itunes:duration in any format seen in the wild -> seconds: `3600`, `61.5`, `59:07`, `1:02:03`,
    `1:02:03.250`, `1h 2m 3s`, `62 min`. None when unreadable or absurd."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    seconds: float | None = None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text)
    elif re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    else:
        match = _DURATION_UNITS.match(text)
        if match and any(match.groups()):
            h, m, s = (int(group or 0) for group in match.groups())
            seconds = h * 3600 + m * 60 + s
    if seconds is None or seconds <= 0 or seconds > 7 * 24 * 3600:
        return None
    return round(seconds)


def _to_int(value: Any, maximum: int = 2**62) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= maximum else None


def _entry_date(entry: Any, key: str) -> datetime | None:
    # dict.get bypasses FeedParserDict's deprecated published->updated remapping.
    return _to_datetime(dict.get(entry, key))


def _to_datetime(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _explicit(value: Any) -> bool | None:
    text = str(value or "").strip().lower()
    if text in ("yes", "true", "explicit", "1"):
        return True
    if text in ("no", "false", "clean", "0"):
        return False
    return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _entry_body(entry: Any) -> tuple[str, str]:
    """(HTML, content type) of the richest body the entry carries."""
    for detail in [*(entry.get("content") or []), entry.get("summary_detail") or {}]:
        value = detail.get("value") if isinstance(detail, dict) else None
        if value:
            return value, detail.get("type", "text/html")
    return entry.get("summary", "") or "", "text/html"


def _enclosure(entry: Any, base: str) -> tuple[str, str, int | None]:
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and link.get("href"):
            url = clean_url(link.get("href", ""), base)
            if url:
                return url, (link.get("type") or "")[:100], _to_int(link.get("length"))
    return "", "", None


def _thumbnail(entry: Any) -> str:
    for thumbnail in entry.get("media_thumbnail") or []:
        if thumbnail.get("url"):
            return clean_url(thumbnail["url"])
    image = entry.get("image") or {}
    return clean_url(image.get("href", "")) if isinstance(image, dict) else ""


def entry_guid(entry: Any) -> str:
    return str(entry.get("id") or entry.get("guid") or "").strip()


def choose_identity_mode(entries: Iterable[Any]) -> IdentityMode:
    """Guids identify entries unless most of them are missing or repeated within the document."""
    guids = [entry_guid(entry) for entry in entries]
    if not guids:
        return IdentityMode.GUID
    counts = Counter(guids)
    usable = sum(1 for guid in guids if guid and counts[guid] == 1)
    return IdentityMode.GUID if usable * 2 >= len(guids) else IdentityMode.LINK


def normalise_feed(
    parsed: ParsedFeed, *, base_url: str, identity_mode: str, max_entries: int
) -> list[HarvestedEntry]:
    """Newest `max_entries` entries of the document as HarvestedEntry values, each with a unique key."""
    entries = sorted(
        parsed.entries,
        key=lambda e: _entry_date(e, "published_parsed") or _entry_date(e, "updated_parsed") or _OLDEST,
        reverse=True,
    )[:max_entries]
    language = str(parsed.feed.get("language", "") or "")[:16]
    items = [
        normalise_entry(entry, base_url=base_url, language=language, extras=parsed.extras_by_key)
        for entry in entries
    ]
    keys = unique_identity_keys(items, identity_mode)
    return [replace(item, identity_key=key) for item, key in zip(items, keys, strict=True)]


def unique_identity_keys(items: list[HarvestedEntry], identity_mode: str) -> list[str]:
    """One key per entry, unique within the document. The base identity is the guid (when the source
    identifies by guid), else link, enclosure URL, or title and content. Entries sharing a base identity
    are told apart by their content; byte-identical copies by their order of occurrence, which stays
    stable from fetch to fetch as long as the copies do."""
    bases = [base_identity(item, identity_mode) for item in items]
    base_counts = Counter(bases)
    refined = [
        base if base_counts[base] == 1 else f"{base}\ncontent:{item.content_hash}"
        for base, item in zip(bases, items, strict=True)
    ]
    seen: Counter[str] = Counter()
    keys = []
    for value in refined:
        seen[value] += 1
        keys.append(_sha256(value if seen[value] == 1 else f"{value}\ncopy:{seen[value]}"))
    return keys


def base_identity(item: HarvestedEntry, identity_mode: str) -> str:
    if identity_mode == IdentityMode.GUID and item.guid:
        return f"guid:{item.guid}"
    if item.canonical_url:
        return f"link:{item.canonical_url}"
    if item.enclosure_url:
        return f"enclosure:{item.enclosure_url}"
    if item.guid:
        return f"guid:{item.guid}"
    return f"content:{item.title}\n{item.content_hash}"


def normalise_entry(
    entry: Any, *, base_url: str, language: str, extras: dict[str, PodcastExtras]
) -> HarvestedEntry:
    link = clean_url(entry.get("link", ""), base_url)
    body, body_type = _entry_body(entry)
    if "html" not in body_type and "xml" not in body_type:
        body = f"<p>{html.escape(body)}</p>"
    text = html_to_text(body)[:TEXT_CHARS]
    summary_source = entry.get("summary") or body
    if "html" not in (entry.get("summary_detail") or {}).get("type", "text/html"):
        summary_source = f"<p>{html.escape(summary_source)}</p>"
    summary = sanitise_html(summary_source, link or base_url)
    if len(summary) > EXCERPT_CHARS * 3:  # long HTML: keep a plain excerpt, never republish a whole post
        summary = f"<p>{html.escape(html_to_text(summary)[:EXCERPT_CHARS])}…</p>"
    title = html_to_text(entry.get("title", ""))[:500]
    enclosure_url, enclosure_type, enclosure_size = _enclosure(entry, link or base_url)
    guid = entry_guid(entry)[:2000]
    raw_enclosures = [
        link.get("href", "") for link in entry.get("links") or [] if link.get("rel") == "enclosure"
    ]
    extra = _match_extras(extras, guid, entry.get("link", ""), (raw_enclosures or [""])[0].strip())
    video_id = str(entry.get("yt_videoid", "") or "")[:32]
    views = (entry.get("media_statistics") or {}).get("views")
    authors = [
        a.get("name", "").strip()[:200] for a in entry.get("authors") or [] if a.get("name", "").strip()
    ]
    categories = [t.get("term", "").strip() for t in entry.get("tags") or [] if t.get("term")]
    content_hash = _sha256(f"{title}\n{summary}\n{text}\n{enclosure_url}")
    return HarvestedEntry(
        identity_key="",
        guid=guid,
        canonical_url=link,
        title=title,
        authors=authors[:20],
        published_at=_entry_date(entry, "published_parsed") or _entry_date(entry, "updated_parsed"),
        updated_at_source=_entry_date(entry, "updated_parsed"),
        summary=summary,
        text=text,
        content_hash=content_hash,
        work_key=work_key(enclosure_url=enclosure_url, canonical_url=link),
        language=language,
        enclosure_url=enclosure_url,
        enclosure_type=enclosure_type,
        enclosure_size=enclosure_size,
        duration_seconds=parse_duration(entry.get("itunes_duration")),
        transcript_urls=[t for t in extra.transcripts if clean_url(t["url"])],
        chapters_url=clean_url(extra.chapters_url),
        podcast=_learner_tags(extra),
        season=_to_int(entry.get("itunes_season"), 100000),
        episode=_to_int(entry.get("itunes_episode"), 10000000),
        explicit=_explicit(entry.get("itunes_explicit")),
        video_id=video_id,
        is_short="/shorts/" in link,
        thumbnail_url=_thumbnail(entry),
        view_count=_to_int(views),
        categories=categories[:50],
    )


def _learner_tags(extra: PodcastExtras) -> dict[str, list[dict[str, object]]]:
    """Podcasting 2.0 tags with every link cleaned (a link that is not http(s) is dropped)."""
    tags = extra.learner_tags()
    for person in tags.get("persons", []):
        for key in ("href", "img"):
            if key in person:
                person[key] = clean_url(str(person[key]))
    tags["funding"] = [
        {**f, "url": url} for f in tags.get("funding", []) if (url := clean_url(str(f["url"])))
    ]
    for alternate in tags.get("alternate_enclosures", []):
        sources = alternate["sources"]
        alternate["sources"] = (
            [url for url in (clean_url(str(s)) for s in sources) if url] if isinstance(sources, list) else []
        )
    tags["alternate_enclosures"] = [a for a in tags.get("alternate_enclosures", []) if a["sources"]]
    return {name: values for name, values in tags.items() if values}


def _match_extras(
    extras: dict[str, PodcastExtras], guid: str, link: str, enclosure_url: str
) -> PodcastExtras:
    for key in (f"guid:{guid}", f"link:{(link or '').strip()}", f"enclosure:{enclosure_url}"):
        if key in extras:
            return extras[key]
    return PodcastExtras()
