"""Exports that people take elsewhere: the reviewer portfolio as CSV for a promotions committee or a
CPD record, a learner's CPD log and a program director's cohort report. (The de-identified research
export lives in the research room.)"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from curation.models import CpdRecord, Review

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


CPD_COLUMNS = ["completed", "module", "version", "score_percent", "hours", "hours_basis", "verification_code"]
COHORT_COLUMNS = ["resident", "email", "joined", *CPD_COLUMNS]


def _cpd_cells(record: CpdRecord) -> list[object]:
    credential = getattr(record, "credential", None)
    return [
        record.completed_at.date().isoformat(),
        _safe(record.module_version.content["title"]),
        record.module_version.version,
        round(record.score, 1),
        record.hours,
        record.hours_basis,
        credential.code if credential is not None else "",
    ]


def cpd_csv(records: Iterable[CpdRecord]) -> str:
    """A learner's CPD log: one row per module version passed."""
    return table_csv(CPD_COLUMNS, (_cpd_cells(record) for record in records))


def cohort_csv(rows: Iterable[dict[str, Any]]) -> str:
    """A cohort's report (rows of `selectors.credit.cohort_dashboard`): one row per module a resident
    passed since joining, or one row with the resident alone when they have passed none yet."""
    lines: list[list[object]] = []
    for row in rows:
        person = [
            _safe(row["learner"].display_name),
            row["learner"].email,
            row["joined_at"].date().isoformat(),
        ]
        lines.extend([*person, *_cpd_cells(record)] for record in row["records"])
        if not row["records"]:
            lines.append([*person, *[""] * len(CPD_COLUMNS)])
    return table_csv(COHORT_COLUMNS, lines)
