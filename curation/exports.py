"""Exports that people take elsewhere: the reviewer portfolio as CSV for a promotions committee or a
CPD record."""

import csv
import hashlib
import hmac
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path

from curation.models import Endorsement, ResourceMetrics, Review

PORTFOLIO_COLUMNS = [
    "submitted",
    "resource",
    "url",
    "source",
    "instrument",
    "version",
    "total",
    "max_total",
    "round",
    "status",
]


def portfolio_csv(reviews: Iterable[Review]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PORTFOLIO_COLUMNS)
    for review in reviews:
        version = review.instrument_version
        writer.writerow(
            [
                review.submitted_at.date().isoformat() if review.submitted_at else "",
                _safe(review.resource.title),
                review.resource.canonical_url,
                _safe(review.resource.source.title),
                version.instrument.name,
                version.version,
                review.total,
                version.total_max,
                _safe(review.round.title) if review.round else "",
                review.get_status_display(),
            ]
        )
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Neutralise spreadsheet formula injection in free text taken from feeds."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def pseudonym(secret: str, public_id: object) -> str:
    """A stable, non-reversible pseudonym for a person in research exports (HMAC-SHA256, 16 hex)."""
    return hmac.new(secret.encode(), str(public_id).encode(), hashlib.sha256).hexdigest()[:16]


def research_export(directory: os.PathLike[str] | str, *, secret: str) -> dict[str, int]:
    """Write de-identified reviews.csv, endorsements.csv and metrics.csv: people appear only as
    pseudonyms; free text (comments, notes, COI statements) is left out. Returns rows per file."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    reviews = Review.objects.filter(status__in=["submitted", "accepted"]).select_related(
        "reviewer", "resource", "instrument_version__instrument", "round"
    )
    counts["reviews.csv"] = _write(
        out / "reviews.csv",
        ["review", "reviewer", "resource", "instrument", "version", "total", "scores", "round", "submitted"],
        (
            [r.public_id, pseudonym(secret, r.reviewer.public_id), r.resource.public_id, r.instrument_version.instrument.slug,
             r.instrument_version.version, r.total, json.dumps(r.scores, sort_keys=True), r.round.public_id if r.round else "",
             r.submitted_at.isoformat() if r.submitted_at else ""]
            for r in reviews.iterator(chunk_size=2000)
        ),
    )  # fmt: skip
    endorsements = Endorsement.objects.filter(status="counted").select_related("user", "resource")
    counts["endorsements.csv"] = _write(
        out / "endorsements.csv",
        ["user", "resource", "kind", "created"],
        (
            [
                pseudonym(secret, e.user.public_id),
                e.resource.public_id,
                e.kind,
                e.created_at.date().isoformat(),
            ]
            for e in endorsements.iterator(chunk_size=5000)
        ),
    )
    metrics = ResourceMetrics.objects.select_related("resource")
    counts["metrics.csv"] = _write(
        out / "metrics.csv",
        ["resource", "views", "clicks", "saves", "learner_endorsements", "expert_endorsements", "review_count", "ranking_score", "instruments"],
        (
            [m.resource.public_id, m.views, m.clicks, m.saves, m.learner_endorsements, m.expert_endorsements, m.review_count,
             m.ranking_score, json.dumps(m.instruments, sort_keys=True)]
            for m in metrics.iterator(chunk_size=5000)
        ),
    )  # fmt: skip
    return counts


def _write(path: os.PathLike[str], header: list[str], rows: Iterable[list[object]]) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
