"""Exports that people take elsewhere: the reviewer portfolio as CSV for a promotions committee or a
CPD record. (The de-identified research export lives in the research room.)"""

import csv
import io
from collections.abc import Iterable

from curation.models import Review

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


def table_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A header and rows as CSV text (the data behind a research plot)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
