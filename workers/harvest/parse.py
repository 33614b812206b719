"""Parsing feed bytes: refuse entity declarations, hand the bytes to feedparser, and read what
feedparser drops (every Podcasting 2.0 transcript and chapters file) from the raw XML."""

import re
from dataclasses import dataclass, field
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


@dataclass
class ParsedFeed:
    feed: Any
    entries: list[Any]
    version: str
    bozo_message: str
    extras_by_key: dict[str, PodcastExtras]


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
    )


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
    for item in root.iter("item"):
        extras = _item_extras(item)
        if not extras.transcripts and not extras.chapters_url:
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
    return extras


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
