"""Reads of what the research room stored (the dashboard's results, reliability and impact snapshots),
and the fingerprint of its inputs that tells the research worker when to recompute."""

from typing import Any

from django.db.models import Count, Max, Sum

from curation.enums import RoundStatus
from curation.models import (
    CurationRound,
    InstrumentReliabilitySnapshot,
    ResearchResult,
)
from curation.selectors.public import reviews_public


def instrument_reliability_latest() -> list[InstrumentReliabilitySnapshot]:
    latest: dict[int, InstrumentReliabilitySnapshot] = {}
    for snapshot in InstrumentReliabilitySnapshot.objects.select_related(
        "instrument_version__instrument"
    ).order_by("instrument_version_id", "-computed_at"):
        latest.setdefault(snapshot.instrument_version_id, snapshot)
    return list(latest.values())


RESEARCH_RELIABILITY_KEY = "reliability"


RESEARCH_SECTION_PREFIX = "section:"


def research_inputs_fingerprint() -> str:
    """What the research results depend on that can change at any time: the public reviews (count and
    latest submission) and the published rounds (count and latest publication). One aggregate each."""
    reviews = reviews_public().aggregate(n=Count("id"), last=Max("submitted_at"), ids=Sum("id"))
    rounds = CurationRound.objects.filter(status=RoundStatus.PUBLISHED).aggregate(
        n=Count("id"), last=Max("published_at")
    )
    return (
        f"reviews={reviews['n']}:{reviews['ids'] or 0}:{reviews['last'] or ''};"
        f"rounds={rounds['n']}:{rounds['last'] or ''}"
    )[:200]


def research_results() -> dict[str, Any]:
    """What the research worker stored for the dashboard: the reliability overview, and each section
    (title, CSV header, rows) by name, with when they were computed. Empty until the first run."""
    stored = {result.key: result for result in ResearchResult.objects.defer("svg")}  # plots: research_section
    overview = stored.get(RESEARCH_RELIABILITY_KEY)
    sections = {
        key.removeprefix(RESEARCH_SECTION_PREFIX): result
        for key, result in sorted(stored.items())
        if key.startswith(RESEARCH_SECTION_PREFIX)
    }
    return {
        "reliabilities": overview.data if overview else [],
        "computed_at": overview.computed_at if overview else None,
        "sections": sections,
    }


def research_section(*, name: str) -> ResearchResult | None:
    """One stored dashboard section (its rows and SVG plot), or None before the first run."""
    return ResearchResult.objects.filter(key=f"{RESEARCH_SECTION_PREFIX}{name}").first()
