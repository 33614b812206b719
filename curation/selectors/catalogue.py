"""Reads of the catalogue for workers, pages and exports: resources awaiting full text, an episode's
transcript in passages, source claims due a check, the OPML export of every source."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils import timezone

from curation.enums import ClaimStatus, EpisodeFileStatus
from curation.models import EpisodeChapters, Resource, Source, SourceClaim, Transcript


def resource_ids_awaiting_full_text(*, source_id: int, limit: int = 20) -> list[int]:
    return list(
        Resource.objects.filter(
            source_id=source_id, source__extract_full_text=True, full_text_extracted_at__isnull=True
        )
        .exclude(canonical_url="")
        .order_by("-published_at")
        .values_list("id", flat=True)[:limit]
    )


@dataclass(frozen=True)
class TranscriptPassage:
    start_seconds: int | None  # None: the transcript has no timings for this text
    text: str


def resource_transcript(*, resource: Resource) -> Transcript | None:
    """The episode's indexed transcript, or None (none offered, not fetched yet, or unreadable)."""
    return Transcript.objects.filter(resource=resource, status=EpisodeFileStatus.INDEXED).first()


def resource_chapters(*, resource: Resource) -> list[dict[str, Any]]:
    """The episode's chapters ({"start_seconds", "title", "url"?, "image"?} in order), or [] when none
    has been read."""
    chapters = (
        EpisodeChapters.objects.filter(resource=resource, status=EpisodeFileStatus.INDEXED)
        .values_list("chapters", flat=True)
        .first()
    )
    return list(chapters or [])


def transcript_passages(transcript: Transcript) -> list[TranscriptPassage]:
    """The transcript cut at its cues, each passage with the second it starts; one untimed passage
    when it has no cues."""
    text, cues = transcript.text, [cue for cue in transcript.cues if isinstance(cue, list) and len(cue) == 2]
    if not cues:
        return [TranscriptPassage(None, text)] if text else []
    passages = [TranscriptPassage(None, text[: cues[0][1]].strip())] if cues[0][1] > 0 else []
    for (second, start), (_, end) in zip(cues, [*cues[1:], [0, len(text)]], strict=True):
        passages.append(TranscriptPassage(int(second), text[start:end].strip()))
    return [passage for passage in passages if passage.text]


def source_claim_pending_ids(*, limit: int = 100) -> list[int]:
    """Pending claims the worker still looks for a token of (those started in the last CHECK_DAYS)."""
    recent = timezone.now() - timedelta(days=CHECK_DAYS)
    return list(
        SourceClaim.objects.filter(status=ClaimStatus.PENDING, created_at__gte=recent)
        .order_by("checked_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def opml_export() -> bytes:
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = "FOAM Curator sources"
    body = SubElement(root, "body")
    for source in Source.objects.prefetch_related("topics").order_by("title", "id"):
        categories = [f"/kind/{source.kind}", *(f"/topic/{topic.slug}" for topic in source.topics.all())]
        SubElement(
            body,
            "outline",
            text=source.title or source.feed_url,
            title=source.title or source.feed_url,
            type="rss",
            xmlUrl=source.feed_url,
            htmlUrl=source.site_url,
            category=",".join(categories),
        )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode")).encode("utf-8")


CHECK_DAYS = 30  # a token nobody placed within a month is left to the editors' decision
