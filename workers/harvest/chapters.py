"""Podcast chapters (`podcast:chapters`, the Podcasting 2.0 JSON chapters format): the chapters a
learner can jump to, in order. Parsing never raises for bad input: an unreadable file is a
`ChaptersUnreadable` with the reason; a single bad chapter is skipped."""

import json
import math
from typing import Any

from workers.harvest.normalise import clean_url

MAX_CHAPTERS = 500
TITLE_CHARS = 300


class ChaptersUnreadable(Exception):
    """The file is not a chapters document we read (the message says why)."""


def chapters_parse(body: bytes) -> list[dict[str, Any]]:
    """[{"start_seconds", "title", "url"?, "image"?}] in start order, from a JSON chapters file.
    Chapters marked `"toc": false` (silent markers, not for a table of contents) are left out.
    Raises ChaptersUnreadable."""
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as error:
        raise ChaptersUnreadable(f"not valid JSON: {error}") from error
    listed = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise ChaptersUnreadable("a chapters file needs a 'chapters' list")
    chapters = [chapter for entry in listed[: MAX_CHAPTERS * 2] if (chapter := _chapter(entry))]
    if not chapters:
        raise ChaptersUnreadable("no chapter with a start time and a title")
    chapters.sort(key=lambda chapter: chapter["start_seconds"])
    return chapters[:MAX_CHAPTERS]


def _chapter(entry: object) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or entry.get("toc") is False:
        return None
    start, title = entry.get("startTime"), entry.get("title")
    if isinstance(start, bool) or not isinstance(start, int | float) or not isinstance(title, str):
        return None
    if not math.isfinite(start) or not 0 <= start < 10**6 or not title.strip():
        return None
    chapter: dict[str, Any] = {"start_seconds": int(start), "title": " ".join(title.split())[:TITLE_CHARS]}
    for key, name in (("url", "url"), ("img", "image")):
        value = entry.get(key)
        if isinstance(value, str) and (url := clean_url(value)):
            chapter[name] = url
    return chapter
