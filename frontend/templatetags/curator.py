"""Small presentation helpers for the templates: durations, plain-text excerpts, topic chips."""

import json
import re
from typing import Any

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
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


_LD_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
_LD_TYPES = {"podcast": ["LearningResource", "PodcastEpisode"], "video": ["LearningResource", "VideoObject"]}
_LD_KINDS = {"podcast": "podcast episode", "video": "video", "blog": "blog post"}


@register.simple_tag(takes_context=True)
def learning_resource_ld(context: template.Context, resource: object) -> str:
    """schema.org structured data for a resource page (JSON-LD): a LearningResource, and also a
    PodcastEpisode or VideoObject, so search engines and aggregators can list it as free education."""
    request = context["request"]
    r: Any = resource
    topics = [t for t in r.topics.all() if t.kind in ("specialty", "learner_level")]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _LD_TYPES.get(r.source.kind, "LearningResource"),
        "name": r.title,
        "url": request.build_absolute_uri(),
        "learningResourceType": _LD_KINDS.get(r.source.kind, r.source.kind),
        "isAccessibleForFree": True,
        "inLanguage": r.language or r.source.language or "en",
        "datePublished": r.published_at.isoformat(),
        "publisher": {"@type": "Organization", "name": str(r.source)},
        "about": [t.name for t in topics if t.kind == "specialty"],
        "educationalLevel": [t.name for t in topics if t.kind == "learner_level"],
    }
    if r.summary:
        data["description"] = excerpt(r.summary, 60)
    if r.canonical_url:
        data["sameAs"] = r.canonical_url
    if r.authors:
        data["author"] = [{"@type": "Person", "name": str(name)} for name in r.authors[:10]]
    if r.duration_seconds:
        data["timeRequired"] = data["duration"] = f"PT{int(r.duration_seconds)}S"
    if r.source.kind == "video":
        data["uploadDate"] = data["datePublished"]
        if r.thumbnail_url:
            data["thumbnailUrl"] = r.thumbnail_url
        if r.video_id:
            data["embedUrl"] = f"https://www.youtube-nocookie.com/embed/{r.video_id}"
    if r.source.kind == "podcast" and r.enclosure_url:
        data["associatedMedia"] = {
            "@type": "MediaObject",
            "contentUrl": r.enclosure_url,
            "encodingFormat": r.enclosure_type,
        }
    body = json.dumps({k: v for k, v in data.items() if v not in ([], "")}).translate(_LD_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # noqa: S308 - escaped JSON
