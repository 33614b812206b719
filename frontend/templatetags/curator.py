"""Small presentation helpers for the templates: durations, plain-text excerpts, topic chips."""

import re

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

from curation.formulas import clock_text

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    """3725 -> "1 h 2 min", 754 -> "12 min", 45 -> "1 min"; '' when unknown."""
    if not seconds or seconds < 0:
        return ""
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@register.filter
def clock(seconds: int | None) -> str:
    """3725 -> "1:02:05", 754 -> "12:34": how a player shows a length (none for an unknown one)."""
    if not seconds or seconds < 0:
        return ""
    return clock_text(seconds)


@register.filter
def timestamp(seconds: int | None) -> str:
    """A position in an episode: like `clock`, but the start is "0:00"."""
    return "" if seconds is None else clock_text(seconds)


@register.filter
def excerpt(html: str, words: int = 32) -> str:
    """The summary as plain text, cut at a word boundary (the sanitised HTML never reaches a card)."""
    text = re.sub(r"\s+", " ", strip_tags(html or "")).strip()
    return Truncator(text).words(int(words), truncate=" …")


@register.filter
def chips(topics: object) -> list[object]:
    """A resource's specialty and learner-level topics (from the prefetched topics), specialties first."""
    ranked = sorted(
        (t for t in topics.all() if t.kind in ("specialty", "learner_level")),  # type: ignore[attr-defined]
        key=lambda t: (t.kind != "specialty", t.name),
    )
    return ranked[:4]


@register.filter
def get_count(counts: dict[str, int] | None, key: str) -> int:
    """A facet value's count (0 when nothing matches it)."""
    return (counts or {}).get(str(key), 0)
