"""Podcast transcripts (`podcast:transcript`): which of an episode's files to read, and its text with
the time each passage starts. Formats of the Podcasting 2.0 specification: WebVTT and SRT (webvtt-py),
the JSON segments format, HTML (with optional <time> elements) and plain text. Parsing never raises
for bad input: an unreadable file is a `TranscriptUnreadable` with the reason."""

import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

MAX_TEXT_CHARS = 400_000  # about six hours of speech; longer text is cut (search needs no more)

# Preferred first: timed formats let a search result say where in the episode the match is.
_KINDS = {
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
    "application/srt": "srt",
    "text/srt": "srt",
    "application/json": "json",
    "text/html": "html",
    "text/plain": "plain",
}
_PREFERENCE = ["vtt", "srt", "json", "html", "plain"]
_EXTENSIONS = {
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "plain",
}


class TranscriptUnreadable(Exception):
    """The file is not a transcript in a format we read (the message says why)."""


@dataclass
class ParsedTranscript:
    text: str
    cues: list[list[int]] = field(default_factory=list)  # [start second, character offset in text]


def transcript_kind(media_type: str, url: str = "") -> str:
    """'vtt', 'srt', 'json', 'html', 'plain', or '' for a type we do not read. The declared type wins;
    the URL's extension is the fallback for a missing or generic one."""
    declared = _KINDS.get(media_type.split(";")[0].strip().lower(), "")
    if declared:
        return declared
    path = url.split("?")[0].split("#")[0].lower()
    return next((kind for ext, kind in _EXTENSIONS.items() if path.endswith(ext)), "")


def transcript_choose(candidates: list[dict[str, str]]) -> dict[str, str] | None:
    """The transcript file to read among an episode's `podcast:transcript` entries: a readable format,
    timed formats first, captions (rel="captions") only when nothing else is offered."""
    readable = [c for c in candidates if c.get("url") and transcript_kind(c.get("type", ""), c["url"])]
    if not readable:
        return None

    def preference(candidate: dict[str, str]) -> tuple[int, int]:
        kind = transcript_kind(candidate.get("type", ""), candidate["url"])
        return (candidate.get("rel", "") == "captions", _PREFERENCE.index(kind))

    return min(readable, key=preference)


def transcript_parse(body: bytes, *, media_type: str, url: str = "") -> ParsedTranscript:
    """The text and cue timings of a transcript file. Raises TranscriptUnreadable."""
    kind = transcript_kind(media_type, url)
    if not kind:
        raise TranscriptUnreadable(f"unsupported transcript type {media_type or 'unknown'!r}")
    text = body.decode("utf-8-sig", errors="replace").replace("\x00", "")
    if kind in ("vtt", "srt"):
        passages = _captions(text, kind)
    elif kind == "json":
        passages = _json_segments(text)
    elif kind == "html":
        passages = _html_passages(text)
    else:
        passages = [(None, text)]
    return _assemble(passages)


def _assemble(passages: list[tuple[float | None, str]]) -> ParsedTranscript:
    parts: list[str] = []
    cues: list[list[int]] = []
    length = 0
    for start, passage in passages:
        clean = re.sub(r"\s+", " ", passage).strip()
        if not clean or length >= MAX_TEXT_CHARS:
            continue
        if start is not None and (not cues or int(start) >= cues[-1][0]):
            cues.append([int(start), length])
        parts.append(clean)
        length += len(clean) + 1
    text = " ".join(parts)[:MAX_TEXT_CHARS]
    if not text:
        raise TranscriptUnreadable("the transcript has no text")
    return ParsedTranscript(text=text, cues=cues)


def _captions(text: str, kind: str) -> list[tuple[float | None, str]]:
    if kind == "vtt" and not text.lstrip().startswith("WEBVTT"):
        text = "WEBVTT\n\n" + text  # a header-less file served as text/vtt is common
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=kind)
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as error:
        raise TranscriptUnreadable(f"not a valid {kind.upper()} file: {error}") from error
    passages: list[tuple[float | None, str]] = []
    for caption in captions.captions:
        spoken = re.sub(r"<[^>]*>", " ", caption.text)  # voice and styling tags
        if passages and passages[-1][1] == spoken:
            continue  # roll-up captions repeat the previous line
        passages.append((float(caption.start_in_seconds), spoken))
    return passages


def _json_segments(text: str) -> list[tuple[float | None, str]]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise TranscriptUnreadable(f"not valid JSON: {error}") from error
    segments = document.get("segments") if isinstance(document, dict) else None
    if not isinstance(segments, list):
        raise TranscriptUnreadable("a JSON transcript needs a 'segments' list")
    passages: list[tuple[float | None, str]] = []
    for segment in segments:
        if not isinstance(segment, dict) or not isinstance(segment.get("body"), str):
            continue
        start = segment.get("startTime")
        timed = isinstance(start, int | float) and not isinstance(start, bool) and 0 <= start < 10**7
        passages.append((float(start) if timed and start is not None else None, segment["body"]))
    return passages


def _html_passages(text: str) -> list[tuple[float | None, str]]:
    parser = _TranscriptHTML()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as error:
        raise TranscriptUnreadable(f"unreadable HTML: {error}") from error
    return parser.passages


_SKIPPED = {"script", "style", "head", "title", "noscript", "template"}
_TIMESTAMP = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?\s*$")


def timestamp_seconds(value: str) -> float | None:
    """Seconds of "1:02:03", "02:03" or "2:03.500"; None for anything else."""
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


class _TranscriptHTML(HTMLParser):
    """Text of an HTML transcript; a <time> element (the specification's form) starts a timed passage."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.passages: list[tuple[float | None, str]] = [(None, "")]
        self._skipping = 0
        self._in_time = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "time":
            self._in_time = True
        self._append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "time":
            self._in_time = False
        self._append(" ")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._in_time and (seconds := timestamp_seconds(data)) is not None:
            self.passages.append((seconds, ""))
            return
        self._append(data)

    def _append(self, data: str) -> None:
        start, text = self.passages[-1]
        self.passages[-1] = (start, text + data)
