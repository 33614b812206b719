"""Research analytics: which curation signal predicts expert consensus, source impact snapshots, and
reliability per instrument and per round. Runs in the research worker and the research commands; pages
read what it stores."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from curation.enums import RoundStatus
from curation.impact import (
    LINK_FORMULA_VERSION,
    SMI_FORMULA_VERSION,
    SmiInputs,
    host_of,
    link_edges,
    link_index,
    social_media_index,
)
from curation.models import (
    CurationRound,
    Instrument,
    InstrumentReliabilitySnapshot,
    InstrumentVersion,
    Resource,
    ResourceMetrics,
    Review,
    Source,
    SourceImpactSnapshot,
    SourceSocialInputs,
)
from curation.selectors import reviews_public
from curation.selectors.social import resource_social_inputs
from curation.services.metrics import normalised_total
from curation.social import resource_social_index
from research.statistics import StatisticsError, compare_dependent_spearman, reliability, spearman_with_ci

SIGNALS = (
    "learner_endorsements",
    "expert_endorsements",
    "clicks",
    "gestalt",
    "source_impact",
    "social_index",
    "social_mentions",
    "expert_social_mentions",
)
CONSENSUS = "expert_consensus"


def resource_signals(resources: QuerySet[Resource]) -> dict[int, dict[str, float | None]]:
    """Per resource: uptake signals, mean gestalt (1-7), its source's latest link index, and the expert
    consensus: the mean of its non-gestalt instrument totals, each normalised to 0-1."""
    # Subqueries, not id lists: the whole catalogue may be asked for (100,000 ids as parameters cost
    # seconds), and plain tuples rather than model instances.
    source_of = dict(resources.order_by("id").values_list("id", "source_id"))
    chosen = resources.order_by().values("id")
    metrics = {
        row[0]: row[1:]
        for row in ResourceMetrics.objects.filter(resource_id__in=chosen).values_list(
            "resource_id", "learner_endorsements", "expert_endorsements", "clicks"
        )
    }
    impact = _latest_impact(LINK_FORMULA_VERSION)
    social = resource_social_inputs(resource_ids=None)  # public mentions only; none means zero
    gestalt: dict[int, list[float]] = defaultdict(list)
    consensus: dict[int, list[float]] = defaultdict(list)
    reviews = reviews_public().filter(resource_id__in=chosen).annotate(normalised=normalised_total())
    for resource_id, slug, total, normalised in reviews.values_list(
        "resource_id", "instrument_version__instrument__slug", "total", "normalised"
    ):
        if slug == Instrument.GESTALT:
            gestalt[resource_id].append(float(total or 0.0))
        else:
            consensus[resource_id].append(float(normalised or 0.0))
    rows = {}
    for resource_id, source_id in source_of.items():
        learner, expert, clicks = metrics.get(resource_id, (0, 0, 0))
        talk = social.get(resource_id) or {
            "unique_accounts": 0,
            "engagement": 0,
            "expert_mentions": 0,
            "mentions": 0,
        }
        rows[resource_id] = {
            "learner_endorsements": learner,
            "expert_endorsements": expert,
            "clicks": clicks,
            "gestalt": _mean(gestalt.get(resource_id)),
            "source_impact": impact.get(source_id),
            "social_index": resource_social_index(talk),
            "social_mentions": talk["mentions"],
            "expert_social_mentions": talk["expert_mentions"],
            CONSENSUS: _mean(consensus.get(resource_id)),
        }
    return rows


def _mean(values: list[float] | None) -> float | None:
    return sum(values) / len(values) if values else None


def _latest_impact(formula: str) -> dict[int, float]:
    latest: dict[int, float] = {}
    for source_id, value in (
        SourceImpactSnapshot.objects.filter(formula_version=formula)
        .order_by("source_id", "-computed_at")
        .values_list("source_id", "value")
    ):
        latest.setdefault(source_id, value)
    return latest


def signal_validity(resources: QuerySet[Resource]) -> dict[str, Any]:
    """Spearman correlations (95 % CI) of every pair of signals, and which signal best predicts expert
    consensus, overall, by source kind and by topic."""
    rows = resource_signals(resources)
    names = [*SIGNALS, CONSENSUS]
    matrix = {
        f"{a}~{b}": spearman_with_ci([rows[r][a] for r in rows], [rows[r][b] for r in rows])
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    }
    groups: dict[str, list[int]] = {"all": list(rows)}
    for resource_id, kind in resources.values_list("id", "source__kind"):
        groups.setdefault(f"kind:{kind}", []).append(resource_id)
    for resource_id, slug in resources.filter(topics__kind="specialty").values_list("id", "topics__slug"):
        groups.setdefault(f"topic:{slug}", []).append(resource_id)
    return {
        "n_resources": len(rows),
        "correlations": matrix,
        "predictors": {g: _predictors(rows, ids) for g, ids in sorted(groups.items())},
        "best": {g: best_predictor(rows, ids) for g, ids in sorted(groups.items())},
    }


def best_predictor(rows: dict[int, dict[str, float | None]], ids: Iterable[int]) -> dict[str, Any]:
    """Which signal best predicts expert consensus in this group, and whether the data can tell it from
    the runner-up: Zou's CI for the difference of the two dependent correlations. Says so plainly when
    it cannot."""
    ids = list(ids)
    ranked = [row for row in _predictors(rows, ids) if row["rho"] is not None]
    if len(ranked) < 2:
        return {
            "best": ranked[0]["signal"] if ranked else None,
            "runner_up": None,
            "comparison": None,
            "verdict": "Not enough reviewed resources with varying signals to compare signals.",
        }
    best, runner_up = ranked[0]["signal"], ranked[1]["signal"]
    # strengths are compared: a signal that tracks consensus negatively is turned around first
    comparison = compare_dependent_spearman(
        _oriented(rows, ids, best, ranked[0]["rho"]),
        _oriented(rows, ids, runner_up, ranked[1]["rho"]),
        [rows[r][CONSENSUS] for r in ids],
    )
    if comparison["differs"] is None:
        verdict = f"{best} ranks first, but the difference from {runner_up} cannot be estimated ({comparison.get('reason')})."
    elif comparison["differs"]:
        verdict = (
            f"{best} predicts expert consensus better than {runner_up}: difference in |rho| "
            f"{comparison['difference']:.2f}, 95 % CI {comparison['ci95'][0]:.2f} to {comparison['ci95'][1]:.2f} (Zou)."
        )
    else:
        verdict = (
            f"The data cannot tell {best} and {runner_up} apart: difference in |rho| {comparison['difference']:.2f}, "
            f"95 % CI {comparison['ci95'][0]:.2f} to {comparison['ci95'][1]:.2f} includes zero (Zou)."
        )
    return {"best": best, "runner_up": runner_up, "comparison": comparison, "verdict": verdict}


def _oriented(
    rows: dict[int, dict[str, float | None]], ids: list[int], signal: str, rho: float
) -> list[float | None]:
    values = [rows[r][signal] for r in ids]
    return values if rho >= 0 else [None if value is None else -value for value in values]


def _predictors(rows: dict[int, dict[str, float | None]], ids: Iterable[int]) -> list[dict[str, Any]]:
    """Signals ranked by how strongly they track expert consensus (|rho|, undefined last)."""
    ids = list(ids)
    table = [
        {
            "signal": signal,
            **spearman_with_ci([rows[r][signal] for r in ids], [rows[r][CONSENSUS] for r in ids]),
        }
        for signal in SIGNALS
    ]
    return sorted(table, key=lambda row: -abs(row["rho"]) if row["rho"] is not None else 1)


def reliability_by_instrument_and_round() -> list[dict[str, Any]]:
    """Reliability of every instrument version and every published round with enough ratings."""
    instruments = [
        {
            "scope": f"instrument:{version.instrument.slug}/v{version.version}",
            **_reliability_of(reviews_public().filter(instrument_version=version)),
        }
        for version in InstrumentVersion.objects.select_related("instrument")
    ]
    return instruments + reliability_by_round()


def reliability_by_round() -> list[dict[str, Any]]:
    return [
        {
            "scope": f"round:{round_.public_id}",
            "title": round_.title,
            **_reliability_of(reviews_public().filter(round=round_)),
        }
        for round_ in CurationRound.objects.filter(status=RoundStatus.PUBLISHED)
        .exclude(reviews=None)
        .order_by("-published_at")
    ]


def reliability_overview() -> list[dict[str, Any]]:
    """For pages: each instrument version from its latest nightly snapshot (recomputing every review on
    a page view would not scale), computed live only where no snapshot exists yet; rounds live (each
    holds a handful of reviews)."""
    latest: dict[int, InstrumentReliabilitySnapshot] = {}
    for snapshot in InstrumentReliabilitySnapshot.objects.order_by("instrument_version_id", "-computed_at"):
        latest.setdefault(snapshot.instrument_version_id, snapshot)
    rows = []
    for version in InstrumentVersion.objects.select_related("instrument"):
        scope = f"instrument:{version.instrument.slug}/v{version.version}"
        if version.pk in latest:
            rows.append(
                {
                    "scope": scope,
                    **latest[version.pk].result,
                    "single_rater_icc": latest[version.pk].single_rater_icc,  # also in older snapshots
                    "computed_at": latest[version.pk].computed_at.isoformat(),
                }
            )
        else:
            rows.append(
                {"scope": scope, **_reliability_of(reviews_public().filter(instrument_version=version))}
            )
    return rows + reliability_by_round()


def instrument_reliability_snapshot(*, version: InstrumentVersion) -> InstrumentReliabilitySnapshot | None:
    """Reliability of an instrument version over all its counted reviews (resource x reviewer x total);
    None when there are too few ratings."""
    ratings = list(
        reviews_public().filter(instrument_version=version).values_list("resource_id", "reviewer_id", "total")
    )
    try:
        result = reliability([(r, u, float(t)) for r, u, t in ratings if t is not None])
    except ValueError:
        return None
    single = result["single_rater_icc"]
    return InstrumentReliabilitySnapshot.objects.create(
        instrument_version=version, single_rater_icc=single, result=result, computed_at=timezone.now()
    )


def _reliability_of(reviews: QuerySet[Review]) -> dict[str, Any]:
    """Reliability of already-public reviews (callers pass a `reviews_public()` queryset)."""
    ratings = [
        (r, u, float(t))
        for r, u, t in reviews.values_list("resource_id", "reviewer_id", "total")
        if t is not None
    ]
    try:
        return reliability(ratings)
    except StatisticsError as error:
        return {"error": str(error), "n_ratings": len(ratings)}


def source_impact_snapshot_all() -> int:
    """Snapshot the open link index for every source and, where raw inputs exist, the published SMi.
    Each row stores its raw inputs and formula version. Returns how many rows were written."""
    now = timezone.now()
    sources = dict(Source.objects.values_list("id", "site_url"))
    hosts = {source_id: host_of(url) for source_id, url in sources.items() if url}
    edges = link_edges(Resource.objects.values_list("source_id", "summary").iterator(chunk_size=5000), hosts)
    scores = link_index(sources, edges)
    inbound: dict[int, dict[str, int]] = defaultdict(dict)
    for (origin, target), count in edges.items():
        inbound[target][str(origin)] = count
    rows = [
        SourceImpactSnapshot(
            source_id=source_id,
            formula_version=LINK_FORMULA_VERSION,
            value=round(value, 6),
            raw_inputs={
                "inbound_links_by_source": inbound.get(source_id, {}),
                "sources_in_graph": len(sources),
            },
            computed_at=now,
        )
        for source_id, value in scores.items()
    ]
    latest_inputs: dict[int, SourceSocialInputs] = {}
    for inputs in SourceSocialInputs.objects.order_by("source_id", "-observed_on"):
        latest_inputs.setdefault(inputs.source_id, inputs)
    if latest_inputs:
        cohort = [
            SmiInputs(str(i.source_id), i.alexa_rank, i.twitter_followers, i.facebook_likes)
            for i in latest_inputs.values()
        ]
        smi = social_media_index(cohort)
        rows += [
            SourceImpactSnapshot(
                source_id=i.source_id,
                formula_version=SMI_FORMULA_VERSION,
                value=round(smi[str(i.source_id)], 6),
                raw_inputs={
                    "alexa": i.alexa_rank,
                    "twitter": i.twitter_followers,
                    "facebook": i.facebook_likes,
                    "observed_on": i.observed_on.isoformat(),
                    "cohort_size": len(cohort),
                },
                computed_at=now,
            )
            for i in latest_inputs.values()
        ]
    with transaction.atomic():
        SourceImpactSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
