"""Parsing feed bytes: refuse entity declarations, hand the bytes to feedparser, and read what
feedparser drops (every Podcasting 2.0 transcript and chapters file) from the raw XML."""

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
import feedparser
from defusedxml import DefusedXmlException

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
_ENTITY_MARKERS = tuple(
    "<!ENTITY".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


class RejectedDocumentError(Exception):
    """The document is refused before parsing (it declares entities: billion-laughs, XXE)."""


@dataclass
class PodcastExtras:
    transcripts: list[dict[str, str]] = field(default_factory=list)
    chapters_url: str = ""
    persons: list[dict[str, object]] = field(default_factory=list)
    soundbites: list[dict[str, object]] = field(default_factory=list)
    funding: list[dict[str, object]] = field(default_factory=list)
    alternate_enclosures: list[dict[str, object]] = field(default_factory=list)

    def found(self) -> bool:
        return any(
            (
                self.transcripts,
                self.chapters_url,
                self.persons,
                self.soundbites,
                self.funding,
                self.alternate_enclosures,
            )
        )

    def learner_tags(self) -> dict[str, list[dict[str, object]]]:
        """The tags stored on the resource (only those present)."""
        tags: dict[str, list[dict[str, object]]] = {
            "persons": list(self.persons),
            "soundbites": self.soundbites,
            "funding": list(self.funding),
            "alternate_enclosures": self.alternate_enclosures,
        }
        return {name: values for name, values in tags.items() if values}


@dataclass
class ParsedFeed:
    feed: Any
    entries: list[Any]
    version: str
    bozo_message: str
    extras_by_key: dict[str, PodcastExtras]
    podcast_guid: str = ""


_EBCDIC_SIGNATURE = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC (XML 1.0, appendix F)
_EBCDIC_CODECS = ("cp037", "cp500", "cp1140", "cp273", "cp1026")
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def _candidate_encodings(body: bytes) -> list[str]:
    """Every encoding a parser might read the document in: EBCDIC when it starts like EBCDIC XML, and
    the encoding its XML declaration names (read in ASCII or EBCDIC)."""
    head = body[:200]
    candidates = list(_EBCDIC_CODECS) if head.startswith(_EBCDIC_SIGNATURE) else []
    for codec in ("latin-1", *candidates):
        declared = _DECLARED_ENCODING.match(head.decode(codec, "ignore"))
        if declared:
            candidates.append(declared.group(1))
    return list(dict.fromkeys(candidates))


def declares_entities(body: bytes) -> bool:
    """Whether the document declares XML entities, in whatever encoding it is written (ASCII-compatible
    ones, UTF-16/32, EBCDIC, or the one its declaration names): such documents are refused."""
    if any(marker in body for marker in _ENTITY_MARKERS):
        return True
    for encoding in _candidate_encodings(body):
        try:
            text = body.decode(encoding, "ignore")
        except LookupError:  # an encoding Python does not know: no parser here reads it either
            continue
        if "<!ENTITY" in text.upper():
            return True
    return False


def parse_feed(body: bytes, *, content_type: str = "", base_url: str = "") -> ParsedFeed:
    """Parse a fetched document. Raises RejectedDocumentError for entity declarations."""
    if is_json_feed(body, content_type):
        return parse_json_feed(body)
    if declares_entities(body):
        raise RejectedDocumentError("the document declares XML entities (<!ENTITY), which are refused")
    headers = {"content-location": base_url} if base_url else {}
    if content_type:
        headers["content-type"] = content_type
    # feedparser's own sanitiser and URI resolver are off: normalisation sanitises every stored HTML
    # string with nh3 after resolving links against the entry itself (faster and stricter).
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    bozo = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else ""
    return ParsedFeed(
        feed=parsed.feed,
        entries=list(parsed.entries),
        version=parsed.get("version", ""),
        bozo_message=bozo,
        extras_by_key=podcast_extras(body),
        podcast_guid=podcast_guid(body),
    )


# The namespace asks for a UUIDv5; publishers write other identifiers too. Any short token is kept as
# written (UUIDs lower-cased); anything else (spaces, markup, a novel) is ignored.
_GUID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def podcast_guid(body: bytes) -> str:
    """The channel's `podcast:guid`, or ''."""
    if b"guid" not in body or PODCAST_NS.encode() not in body:
        return ""
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError):
        return ""
    channel = root.find("channel")
    node = channel.find(f"{{{PODCAST_NS}}}guid") if channel is not None else None
    value = (node.text or "").strip() if node is not None else ""
    if not _GUID.match(value):
        return ""
    return value.lower() if _UUID.match(value) else value


def podcast_extras(body: bytes) -> dict[str, PodcastExtras]:
    """Every `podcast:transcript` and `podcast:chapters` per item, keyed by guid, link and enclosure URL
    (whichever the item has), so normalisation can attach them to feedparser's entries. Documents the
    strict parser cannot read give nothing here (feedparser's loose parse still stands)."""
    if PODCAST_NS.encode() not in body:
        return {}
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError):
        return {}
    found: dict[str, PodcastExtras] = {}
    channel = root.find("channel")
    show_funding = _funding(channel) if channel is not None else []  # the show's, for every episode
    for item in root.iter("item"):
        extras = _item_extras(item)
        extras.funding = extras.funding or list(show_funding)
        if not extras.found():
            continue
        for key in _item_keys(item):
            found.setdefault(key, extras)
    return found


def _item_extras(item: Element) -> PodcastExtras:
    extras = PodcastExtras()
    for node in item.findall(f"{{{PODCAST_NS}}}transcript"):
        url = (node.get("url") or "").strip()
        if url:
            transcript = {"url": url, "type": (node.get("type") or "").strip()}
            for optional in ("language", "rel"):
                if node.get(optional):
                    transcript[optional] = (node.get(optional) or "").strip()
            extras.transcripts.append(transcript)
    chapters = item.find(f"{{{PODCAST_NS}}}chapters")
    if chapters is not None:
        extras.chapters_url = (chapters.get("url") or "").strip()
    for node in item.findall(f"{{{PODCAST_NS}}}person")[:20]:
        name = _text(node, 200)
        if name:
            person: dict[str, object] = {
                "name": name,
                "role": (node.get("role") or "host").strip().lower()[:60],
            }
            for optional in ("group", "href", "img"):
                if node.get(optional):
                    person[optional] = (node.get(optional) or "").strip()[:2000]
            extras.persons.append(person)
    for node in item.findall(f"{{{PODCAST_NS}}}soundbite")[:20]:
        start, duration = _seconds(node.get("startTime")), _seconds(node.get("duration"))
        if start is not None and duration is not None and duration > 0:
            extras.soundbites.append({"start": start, "duration": duration, "title": _text(node, 300)})
    extras.funding = _funding(item)
    for node in item.findall(f"{{{PODCAST_NS}}}alternateEnclosure")[:10]:
        sources = [
            (s.get("uri") or "").strip()[:2000]
            for s in node.findall(f"{{{PODCAST_NS}}}source")
            if (s.get("uri") or "").strip()
        ]
        if sources:
            alternate: dict[str, object] = {
                "type": (node.get("type") or "").strip()[:100],
                "sources": sources[:5],
            }
            for optional in ("title", "length", "bitrate", "height", "lang", "codecs"):
                if node.get(optional):
                    alternate[optional] = (node.get(optional) or "").strip()[:100]
            alternate["default"] = (node.get("default") or "").strip().lower() == "true"
            extras.alternate_enclosures.append(alternate)
    return extras


def _funding(parent: Element) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for node in parent.findall(f"{{{PODCAST_NS}}}funding")[:10]:
        url = (node.get("url") or "").strip()
        if url:
            found.append({"url": url[:2000], "text": _text(node, 128)})
    return found


def _text(node: Element, limit: int) -> str:
    return " ".join((node.text or "").split())[:limit]


def _seconds(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return round(number, 3) if 0 <= number < 10**7 else None


def _item_keys(item: Element) -> list[str]:
    keys = []
    for tag in ("guid", "link"):
        node = item.find(tag)
        if node is not None and node.text and node.text.strip():
            keys.append(f"{tag}:{node.text.strip()}")
    enclosure = item.find("enclosure")
    if enclosure is not None and enclosure.get("url"):
        keys.append(f"enclosure:{(enclosure.get('url') or '').strip()}")
    return keys


# --- JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/) ---------------------------------
_JSON_FEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/1(\.1)?"')


def is_json_feed(body: bytes, content_type: str = "") -> bool:
    """A JSON Feed by its media type, or by its version URL near the start of a JSON object."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("application/feed+json", "application/json") and body.lstrip()[:1] == b"{":
        return True
    return body.lstrip()[:1] == b"{" and _JSON_FEED_VERSION.search(body[:4096]) is not None


def _struct_time(value: object) -> time.struct_time | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).timetuple()
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar in UTC
        return None


def _string(value: object, limit: int = 100_000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_item(item: dict[str, Any]) -> dict[str, Any]:
    """One JSON Feed item in the shape normalisation reads from feedparser's entries."""
    entry: dict[str, Any] = {
        "id": _string(item.get("id"), 2000) or (str(item["id"]) if isinstance(item.get("id"), int) else ""),
        "link": _string(item.get("url"), 2000) or _string(item.get("external_url"), 2000),
        "title": _string(item.get("title"), 2000),
    }
    content = []
    if _string(item.get("content_html")):
        content.append({"value": _string(item.get("content_html")), "type": "text/html"})
    if _string(item.get("content_text")):
        content.append({"value": _string(item.get("content_text")), "type": "text/plain"})
    entry["content"] = content
    if _string(item.get("summary")):  # plain text in JSON Feed
        entry["summary"] = _string(item.get("summary"), 10_000)
        entry["summary_detail"] = {"value": entry["summary"], "type": "text/plain"}
    for key, target in (("date_published", "published_parsed"), ("date_modified", "updated_parsed")):
        parsed = _struct_time(item.get(key))
        if parsed:
            entry[target] = parsed
    authors = item.get("authors")
    people: list[Any] = authors if isinstance(authors, list) else [item.get("author")]
    entry["authors"] = [{"name": _string(p.get("name"), 200)} for p in people if isinstance(p, dict)]
    entry["tags"] = [{"term": t[:200]} for t in _list(item.get("tags")) if isinstance(t, str)]
    image = _string(item.get("image"), 2000) or _string(item.get("banner_image"), 2000)
    if image:
        entry["image"] = {"href": image}
    links = []
    for attachment in _list(item.get("attachments")):
        if isinstance(attachment, dict) and _string(attachment.get("url")):
            links.append(
                {
                    "rel": "enclosure",
                    "href": _string(attachment.get("url"), 2000),
                    "type": _string(attachment.get("mime_type"), 100),
                    "length": attachment.get("size_in_bytes")
                    if isinstance(attachment.get("size_in_bytes"), int)
                    else None,
                }
            )
            seconds = attachment.get("duration_in_seconds")
            if (
                isinstance(seconds, (int, float))
                and not isinstance(seconds, bool)
                and "itunes_duration" not in entry
            ):
                entry["itunes_duration"] = str(int(seconds))
    entry["links"] = links
    return entry


def parse_json_feed(body: bytes) -> ParsedFeed:
    """Parse a JSON Feed. A document that is not valid JSON, or not a feed object, parses to no entries
    with the reason (as feedparser reports a malformed XML feed)."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return ParsedFeed(
            feed={},
            entries=[],
            version="",
            bozo_message=f"invalid JSON Feed: {error}"[:500],
            extras_by_key={},
        )
    if not isinstance(document, dict) or not isinstance(document.get("items", []), list):
        return ParsedFeed(
            feed={},
            entries=[],
            version="",
            bozo_message="a JSON Feed is an object with items",
            extras_by_key={},
        )
    version = _string(document.get("version"), 100)
    feed = {
        "title": _string(document.get("title"), 300),
        "link": _string(document.get("home_page_url"), 2000),
        "language": _string(document.get("language"), 16),
    }
    entries = [_json_item(item) for item in _list(document.get("items")) if isinstance(item, dict)]
    return ParsedFeed(
        feed=feed,
        entries=entries,
        version="json11" if version.endswith("/1.1") else "json10",
        bozo_message=""
        if version.startswith(("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1"))
        else "no JSON Feed version",
        extras_by_key={},
    )
