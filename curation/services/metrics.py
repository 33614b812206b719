"""Resource metrics from source rows. One set-based computation serves both paths:
- incremental: `metrics_refresh_resource` right after a review, endorsement or save lands (one resource);
- nightly: `metrics_recompute_all` for every resource, in batches.
Views and clicks are counted in daily rows and bumped on the metrics row at the same time.

Ranking score (formula "bayes-normalised/1"): every counted review's total is normalised to 0-1 within
its instrument version's range; the score is the Bayesian average (C*m + sum) / (C + n) with prior mean
m = 0.5 and prior weight C = 3 reviews, so one enthusiastic review cannot outrank five good ones. A
resource nobody reviewed has no ranking score (None), never a low one.
"""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from curation.deferred import METRICS, defer
from curation.enums import EndorsementKind, EndorsementStatus, UsageKind
from curation.formulas import finite_or_none, raters_needed, spearman_brown, t_quantile
from curation.models import (
    Endorsement,
    InstrumentReliabilitySnapshot,
    InstrumentVersion,
    ResearchResult,
    Resource,
    ResourceDailyStat,
    ResourceMetrics,
    SavedResource,
    UsageVisit,
    User,
)
from curation.selectors import impact_score, reviews_public, trending_resource_ids
from curation.selectors.public import TOPIC_FACETS_KEY, TRENDING_KEY, topic_facet_counts_all

FORMULA_VERSION = "bayes-normalised/1"
PRIOR_MEAN = 0.5
PRIOR_WEIGHT = 3
BATCH = 2000
_METRIC_FIELDS = [
    "views",
    "clicks",
    "saves",
    "learner_endorsements",
    "expert_endorsements",
    "review_count",
    "instruments",
    "ranking_score",
    "formula_version",
    "computed_at",
]


def _t975(degrees: int) -> float:
    return t_quantile(0.975, degrees)


def normalised_total() -> Any:
    """A review's total rescaled to 0-1 within its instrument version's range (comparable across
    instruments)."""
    span = Cast(F("instrument_version__total_max") - F("instrument_version__total_min"), FloatField())
    return (Cast(F("total"), FloatField()) - F("instrument_version__total_min")) / span


def _scope(resource_ids: Sequence[int] | None) -> Q:
    return Q() if resource_ids is None else Q(resource_id__in=resource_ids)


def _single_rater_iccs() -> dict[int, float | None]:
    latest: dict[int, float | None] = {}
    for version_id, icc in InstrumentReliabilitySnapshot.objects.order_by(
        "instrument_version_id", "-computed_at"
    ).values_list("instrument_version_id", "single_rater_icc"):
        latest.setdefault(version_id, icc)
    return latest


def compute_metrics(resource_ids: Sequence[int] | None) -> list[ResourceMetrics]:
    """Metrics of the given resources (None: all), from reviews, endorsements, saves and daily stats."""
    scope = _scope(resource_ids)
    now = timezone.now()
    versions = {v.pk: v for v in InstrumentVersion.objects.select_related("instrument")}
    iccs = _single_rater_iccs()
    per_instrument: dict[int, dict[str, Any]] = defaultdict(dict)
    ranking_sums: dict[int, tuple[int, float]] = {}
    reviews = reviews_public().filter(scope)  # never a review the public may not see (open rounds, held)
    # Mean and SD from sums (SQLite's sample-SD aggregate fails on one value; this works on both).
    for resource_id, version_id, n, total_sum, square_sum in (
        reviews.values("resource_id", "instrument_version_id")
        .annotate(n=Count("id"), total_sum=Sum("total"), square_sum=Sum(F("total") * F("total")))
        .values_list("resource_id", "instrument_version_id", "n", "total_sum", "square_sum")
    ):
        version = versions[version_id]
        mean = float(total_sum) / n
        variance = (float(square_sum) - float(total_sum) ** 2 / n) / (n - 1) if n > 1 else None
        sd = max(variance, 0.0) ** 0.5 if variance is not None else None
        key = f"{version.instrument.slug}/v{version.version}"
        per_instrument[resource_id][key] = _instrument_summary(n, mean, sd, iccs.get(version.pk))
    for resource_id, n, normalised in (
        reviews.values("resource_id")
        .annotate(n=Count("id"), normalised=Sum(normalised_total()))
        .values_list("resource_id", "n", "normalised")
    ):
        ranking_sums[resource_id] = (n, normalised or 0.0)
    counted = Q(status=EndorsementStatus.COUNTED)
    endorsements = {
        row["resource_id"]: row
        for row in Endorsement.objects.filter(scope, counted)
        .values("resource_id")
        .annotate(
            learner=Count("id", filter=Q(kind=EndorsementKind.LEARNER)),
            expert=Count("id", filter=Q(kind=EndorsementKind.EXPERT)),
        )
    }
    saves = dict(
        SavedResource.objects.filter(scope)
        .values("resource_id")
        .annotate(n=Count("id"))
        .values_list("resource_id", "n")
    )
    usage = {
        row["resource_id"]: row
        for row in ResourceDailyStat.objects.filter(scope)
        .values("resource_id")
        .annotate(views=Sum("views"), clicks=Sum("clicks"))
    }
    ids = resource_ids if resource_ids is not None else list(Resource.objects.values_list("id", flat=True))
    result = []
    for resource_id in ids:
        n, normalised = ranking_sums.get(resource_id, (0, 0.0))
        endorsed: dict[str, Any] = dict(endorsements.get(resource_id) or {})
        used: dict[str, Any] = dict(usage.get(resource_id) or {})
        result.append(
            ResourceMetrics(
                resource_id=resource_id,
                views=used.get("views") or 0,
                clicks=used.get("clicks") or 0,
                saves=saves.get(resource_id, 0),
                learner_endorsements=endorsed.get("learner", 0),
                expert_endorsements=endorsed.get("expert", 0),
                review_count=n,
                instruments=per_instrument.get(resource_id, {}),
                ranking_score=finite_or_none((PRIOR_WEIGHT * PRIOR_MEAN + normalised) / (PRIOR_WEIGHT + n), 6)
                if n
                else None,
                formula_version=FORMULA_VERSION,
                computed_at=now,
            )
        )
    return result


def _instrument_summary(n: int, mean: float, sd: float | None, single_icc: float | None) -> dict[str, Any]:
    ci = None
    if n > 1 and sd is not None:
        half = _t975(n - 1) * sd / n**0.5
        ci = [finite_or_none(mean - half), finite_or_none(mean + half)]
    needed = raters_needed(single_icc)
    return {
        "n": n,
        "mean": finite_or_none(mean),
        "sd": finite_or_none(sd) if n > 1 else None,
        "ci95": ci,
        "reliability": finite_or_none(spearman_brown(single_icc, n))
        if single_icc is not None and single_icc > 0
        else None,
        "more_ratings_needed": max(needed - n, 0) if needed is not None else None,
    }


def _store(metrics: Iterable[ResourceMetrics]) -> int:
    rows = list(metrics)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        ResourceMetrics.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["resource"], update_fields=_METRIC_FIELDS
        )
        _sync_sort_keys(batch)
    return len(rows)


def _sync_sort_keys(rows: Sequence[ResourceMetrics]) -> None:
    """Keep the resource's stored sort keys equal to its metrics: score_sort (the ranking score, -1
    while unreviewed) and impact_sort (`impact_score`). Writes only the resources whose keys changed."""
    wanted = {
        row.resource_id: (
            -1.0 if row.ranking_score is None else row.ranking_score,
            impact_score(
                learner_endorsements=row.learner_endorsements, expert_endorsements=row.expert_endorsements
            ),
        )
        for row in rows
    }
    stale = [
        Resource(pk=pk, score_sort=wanted[pk][0], impact_sort=wanted[pk][1])
        for pk, score, impact in Resource.objects.filter(pk__in=list(wanted)).values_list(
            "pk", "score_sort", "impact_sort"
        )
        if (score, impact) != wanted[pk]
    ]
    Resource.objects.bulk_update(stale, ["score_sort", "impact_sort"], batch_size=500)


def metrics_refresh_resource(*, resource_id: int) -> ResourceMetrics:
    """Recompute one resource's metrics from its rows (called whenever a review, endorsement or save
    lands). Idempotent."""
    _store(compute_metrics([resource_id]))
    return ResourceMetrics.objects.get(resource_id=resource_id)


def metrics_refresh_resources(*, resource_ids: Sequence[int]) -> int:
    """Recompute the metrics of several resources at once (a round's candidates when it is published).
    Idempotent. Returns how many were stored."""
    return _store(compute_metrics(list(resource_ids))) if resource_ids else 0


def metrics_recompute_all() -> int:
    """Recompute every resource's metrics from source rows (nightly). Returns how many were stored."""
    with transaction.atomic():
        return _store(compute_metrics(None))


# --- usage ---------------------------------------------------------------------------------------
def visitor_pseudonym(visitor: str) -> str:
    """A keyed hash of a session key or address: enough to count a visitor once a day, never stored or
    reversible as the raw value (the key is the server's secret)."""
    key = f"usage:{settings.SECRET_KEY}".encode()
    return hmac.new(key, visitor.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _bump(resource_id: int, kind: str, visitor: str) -> bool:
    """Count one view or click of a resource, once per visitor per resource per day. Returns whether it
    counted (False for a repeat)."""
    today = timezone.now().date()
    field = "views" if kind == UsageKind.VIEW else "clicks"
    with transaction.atomic():
        _, first = UsageVisit.objects.get_or_create(
            resource_id=resource_id, kind=kind, day=today, visitor=visitor_pseudonym(visitor)
        )
        if not first:
            return False
        stat, created = ResourceDailyStat.objects.get_or_create(
            resource_id=resource_id, day=today, defaults={field: 1}
        )
        if not created:
            ResourceDailyStat.objects.filter(pk=stat.pk).update(**{field: F(field) + 1})
        if not ResourceMetrics.objects.filter(resource_id=resource_id).update(**{field: F(field) + 1}):
            _store(compute_metrics([resource_id]))
    return True


def resource_view_record(*, resource_id: int, visitor: str) -> bool:
    """A page view by `visitor` (a session key, or the client address when there is no session)."""
    return _bump(resource_id, UsageKind.VIEW, visitor)


def resource_click_record(*, resource_id: int, visitor: str) -> bool:
    """An outbound click, recorded by the redirect that sends the reader to the source."""
    return _bump(resource_id, UsageKind.CLICK, visitor)


def usage_visits_prune(*, keep_days: int = 2) -> int:
    """Forget who visited before yesterday: the daily counts stay, the per-visitor rows go."""
    cutoff = timezone.now().date() - timedelta(days=keep_days)
    deleted, _ = UsageVisit.objects.filter(day__lt=cutoff).delete()
    return deleted


def resource_save(*, user: User, resource: Resource) -> bool:
    """Add to the user's library (idempotent). True when newly saved."""
    with transaction.atomic():
        _, created = SavedResource.objects.get_or_create(user=user, resource=resource)
        if created:
            defer(METRICS, resource_ids=[resource.pk])
    return created


def resource_unsave(*, user: User, resource: Resource) -> bool:
    with transaction.atomic():
        deleted, _ = SavedResource.objects.filter(user=user, resource=resource).delete()
        if deleted:
            defer(METRICS, resource_ids=[resource.pk])
    return bool(deleted)


def trending_refresh() -> int:
    """Compute the home page's trending list and store it for pages to read (beat, every few minutes):
    a request never aggregates a week of activity. Returns how many resources it holds."""
    ids = trending_resource_ids()
    ResearchResult.objects.update_or_create(
        key=TRENDING_KEY, defaults={"data": ids, "inputs": "", "computed_at": timezone.now()}
    )
    return len(ids)


def topic_facets_refresh() -> int:
    """Store search's facet counts for each topic alone (beat, with trending): the search page narrowed
    by a large topic then reads them instead of counting a fifth of the catalogue in the request."""
    counts = topic_facet_counts_all()
    ResearchResult.objects.update_or_create(
        key=TOPIC_FACETS_KEY, defaults={"data": counts, "inputs": "", "computed_at": timezone.now()}
    )
    return len(counts)
