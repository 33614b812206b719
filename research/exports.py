"""The de-identified research export: reviews, endorsements and metrics as CSV that cannot be joined
back to any public page or API answer."""

import csv
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from pathlib import Path

from curation.enums import EndorsementStatus
from curation.models import Endorsement, ResourceMetrics
from curation.selectors import reviews_public


def pseudonym(secret: str, public_id: object, *, kind: str = "") -> str:
    """A stable, non-reversible pseudonym in research exports (HMAC-SHA256, 16 hex). `kind` keeps the
    pseudonyms of different things (people, reviews, resources, rounds) apart."""
    message = f"{kind}:{public_id}" if kind else str(public_id)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:16]


def research_export(directory: os.PathLike[str] | str, *, secret: str) -> dict[str, int]:
    """Write de-identified reviews.csv, endorsements.csv and metrics.csv that cannot be joined back to
    any public page or API answer: only public reviews (`reviews_public`), every identifier (reviewers,
    users, reviews, resources, rounds) a keyed pseudonym, times coarsened to the day, free text
    (comments, notes, COI statements) left out. Pseudonyms are consistent across the three files, so
    they join with each other. Returns rows per file."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    reviews = reviews_public().select_related(
        "reviewer", "resource", "instrument_version__instrument", "round"
    )
    counts["reviews.csv"] = _write(
        out / "reviews.csv",
        [
            "review",
            "reviewer",
            "resource",
            "instrument",
            "version",
            "total",
            "scores",
            "round",
            "submitted_on",
        ],
        (
            [
                pseudonym(secret, r.public_id, kind="review"),
                pseudonym(secret, r.reviewer.public_id),
                pseudonym(secret, r.resource.public_id, kind="resource"),
                r.instrument_version.instrument.slug,
                r.instrument_version.version,
                r.total,
                json.dumps(r.scores, sort_keys=True),
                pseudonym(secret, r.round.public_id, kind="round") if r.round else "",
                r.submitted_at.date().isoformat() if r.submitted_at else "",
            ]
            for r in reviews.iterator(chunk_size=2000)
        ),
    )
    endorsements = Endorsement.objects.filter(status=EndorsementStatus.COUNTED).select_related(
        "user", "resource"
    )
    counts["endorsements.csv"] = _write(
        out / "endorsements.csv",
        ["user", "resource", "kind", "created_on"],
        (
            [
                pseudonym(secret, e.user.public_id),
                pseudonym(secret, e.resource.public_id, kind="resource"),
                e.kind,
                e.created_at.date().isoformat(),
            ]
            for e in endorsements.iterator(chunk_size=5000)
        ),
    )
    metrics = ResourceMetrics.objects.select_related("resource")
    counts["metrics.csv"] = _write(
        out / "metrics.csv",
        [
            "resource",
            "views",
            "clicks",
            "saves",
            "learner_endorsements",
            "expert_endorsements",
            "review_count",
            "ranking_score",
            "instruments",
        ],
        (
            [
                pseudonym(secret, m.resource.public_id, kind="resource"),
                m.views,
                m.clicks,
                m.saves,
                m.learner_endorsements,
                m.expert_endorsements,
                m.review_count,
                m.ranking_score,
                json.dumps(m.instruments, sort_keys=True),
            ]
            for m in metrics.iterator(chunk_size=5000)
        ),
    )
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
