"""Reads of more than one line: each selector owns its select_related / prefetch_related."""

from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from curation.enums import (
    ACTIVE_ENDORSEMENT_STATUSES,
    COUNTED_REVIEW_STATUSES,
    EndorsementKind,
    EndorsementStatus,
    FetchOutcome,
    Liveness,
    ResourceStatus,
    RoundStatus,
    SourceKind,
)
from curation.models import (
    CurationRound,
    Designation,
    Endorsement,
    Instrument,
    InstrumentVersion,
    ResearchResult,
    Resource,
    ResourceDailyStat,
    ResourceMetrics,
    Review,
    Source,
    SourceImpactSnapshot,
    Topic,
    User,
)


def resource_list_visible() -> QuerySet[Resource]:
    """Visible resources, newest first, with what a listing shows."""
    return (
        Resource.objects.filter(status=ResourceStatus.VISIBLE)
        .select_related("source")
        .prefetch_related("topics")
        .order_by("-published_at", "-id")
    )


def resource_get_visible(*, public_id: str) -> Resource | None:
    return resource_list_visible().filter(public_id=public_id).first()


def source_list_with_counts() -> QuerySet[Source]:
    """Sources with their number of visible resources: a count per source from the (source, status)
    index, not a join that reads every resource row."""
    visible = (
        Resource.objects.filter(source=OuterRef("pk"), status=ResourceStatus.VISIBLE)
        .order_by()
        .values("source")
        .annotate(n=Count("*"))  # not Count("id"): counting rows lets the index answer alone
        .values("n")
    )
    return (
        Source.objects.annotate(resource_count=Coalesce(Subquery(visible), 0))
        .prefetch_related("topics")
        .order_by("title", "id")
    )


def source_directory() -> list[Source]:
    """Every source with its number of visible resources (`resource_count`), for the sources page. One
    grouped count over the resources (an index-only scan of (source, status) once vacuumed, at worst
    one pass over the table) rather than one count per source."""
    counts = dict(
        Resource.objects.filter(status=ResourceStatus.VISIBLE)
        .order_by()
        .values_list("source_id")
        .annotate(n=Count("*"))
    )
    sources = list(Source.objects.prefetch_related("topics").order_by("title", "id"))
    for source in sources:
        source.resource_count = counts.get(source.pk, 0)  # type: ignore[attr-defined]
    return sources


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.select_related("parent").order_by("kind", "name")


def resource_same_work(*, resource: Resource) -> QuerySet[Resource]:
    """The other visible copies of the same work (an episode cross-posted by several sources)."""
    if not resource.work_key:
        return Resource.objects.none()
    return resource_list_visible().filter(work_key=resource.work_key).exclude(pk=resource.pk)


def reviews_public() -> QuerySet[Review]:
    """THE visibility rule for review data: a review counts publicly only when it is submitted (or
    accepted), not held for a confidentiality check, of a resource still visible (not removed or held
    by an editor), and either outside any round or in a published round. Every public surface (scores,
    metrics, score filters and sort keys, feeds, portfolios, research pages, reports and exports) builds
    on this queryset, never on Review.objects."""
    return Review.objects.filter(
        status__in=COUNTED_REVIEW_STATUSES,
        held_for_confidentiality=False,
        resource__status=ResourceStatus.VISIBLE,
    ).filter(Q(round__isnull=True) | Q(round__status=RoundStatus.PUBLISHED))


def review_list_visible_to(*, user: User | None, resource: Resource | None = None) -> QuerySet[Review]:
    """Submitted reviews that `user` may read: the public ones (`reviews_public`), plus their own, plus,
    in a round not yet published, other reviewers' reviews of a resource they have themselves submitted
    a review of in that round. Editors see every submitted review, held ones included."""
    if user is not None and user.is_authenticated and user.is_editor:
        reviews = Review.objects.filter(status__in=COUNTED_REVIEW_STATUSES)
    elif user is None or not user.is_authenticated:
        reviews = reviews_public()
    else:
        submitted_in_round = Review.objects.filter(
            reviewer=user,
            round__isnull=False,
            status__in=COUNTED_REVIEW_STATUSES,
            held_for_confidentiality=False,
        )
        own_round_reviews = Exists(
            submitted_in_round.filter(round_id=OuterRef("round_id"), resource_id=OuterRef("resource_id"))
        )
        reviews = Review.objects.filter(status__in=COUNTED_REVIEW_STATUSES).filter(
            Q(pk__in=reviews_public().values("pk"))
            | Q(reviewer=user)
            | (Q(held_for_confidentiality=False) & own_round_reviews)
        )
    if resource is not None:
        reviews = reviews.filter(resource=resource)
    return reviews.select_related("reviewer", "instrument_version__instrument", "round", "resource").order_by(
        "submitted_at", "id"
    )


def designation_summary(*, resource: Resource) -> list[dict[str, object]]:
    """Current designations per instrument, or one 'not yet reviewed' entry: a resource nobody
    reviewed never looks like a low score."""
    current = (
        Designation.objects.filter(resource=resource, is_current=True)
        .select_related("instrument_version__instrument")
        .order_by("instrument_version__instrument__name")
    )
    rows: list[dict[str, object]] = [
        {
            "public_id": str(d.public_id),
            "instrument": d.instrument_version.instrument.name,
            "version": d.instrument_version.version,
            "label": d.label or "Reviewed, below thresholds",
            "reviewed": True,
            "mean_total": round(d.mean_total, 2),
            "review_count": d.review_count,
            "max_total": d.instrument_version.total_max,
            "provisional": d.provisional,
            "min_panel": d.instrument_version.min_panel,
            "reliability": d.reliability,
            "changed_since_review": designation_changed_since_review(d, resource),
        }
        for d in current
    ]
    if rows:
        return rows
    if reviews_public().filter(resource=resource).exists():
        return [{"label": "Reviewed, not yet designated", "reviewed": False}]
    return [{"label": "Not yet reviewed", "reviewed": False}]


def designation_changed_since_review(designation: Designation, resource: Resource) -> bool:
    """Whether the resource changed materially (its content hash) after the reviews behind its
    designation judged it."""
    judged = designation.judged_content_hash
    return bool(judged) and bool(resource.content_hash) and judged != resource.content_hash


def designation_rereview_queue() -> QuerySet[Designation]:
    """Current designations whose resource changed since its reviewers judged it, or is gone: the
    editors' re-review queue, oldest publication first."""
    return (
        Designation.objects.filter(is_current=True, resource__status=ResourceStatus.VISIBLE)
        .filter(
            (~Q(judged_content_hash="") & ~Q(judged_content_hash=F("resource__content_hash")))
            | Q(resource__liveness=Liveness.GONE)
        )
        .select_related("resource__source", "instrument_version__instrument", "round")
        .order_by("published_at", "id")
    )


def reviewer_portfolio(*, reviewer: User, viewer: User | None = None) -> QuerySet[Review]:
    """An expert's reviews as others may see them (`reviews_public`), newest first, with what a
    portfolio lists. The expert themselves, and editors, also see their submitted reviews in rounds not
    yet published, marked by the round's status."""
    own = viewer is not None and viewer.is_authenticated and (viewer.pk == reviewer.pk or viewer.is_editor)
    reviews = Review.objects.filter(status__in=COUNTED_REVIEW_STATUSES) if own else reviews_public()
    return (
        reviews.filter(reviewer=reviewer)
        .select_related("resource__source", "instrument_version__instrument", "round")
        .order_by("-submitted_at")
    )


def resource_quality_panel(*, resource: Resource) -> dict[str, object]:
    """What a resource page shows about quality and uptake, side by side and never merged: current
    designations (or 'not yet reviewed'), per-instrument aggregates with their reliability and how
    many more ratings they need, endorsements, usage, and its source's latest impact."""
    metrics = ResourceMetrics.objects.filter(resource=resource).first()
    return {
        "designations": designation_summary(resource=resource),
        "scores": resource_instrument_scores(resource=resource, metrics=metrics),
        "metrics": metrics,
        "impact": source_impact_latest(source=resource.source),
    }


def resource_instrument_scores(
    *, resource: Resource, metrics: ResourceMetrics | None = None
) -> list[dict[str, object]]:
    """Per-instrument aggregates of a resource (mean, CI, reliability, more ratings needed), with the
    instrument's name and range."""
    if metrics is None:
        metrics = ResourceMetrics.objects.filter(resource=resource).first()
    if metrics is None or not metrics.instruments:
        return []
    versions = {
        f"{v.instrument.slug}/v{v.version}": v for v in InstrumentVersion.objects.select_related("instrument")
    }
    scores = []
    for key, summary in sorted(metrics.instruments.items()):
        version = versions.get(key)
        if version is not None:
            scores.append(
                {
                    "instrument": version.instrument.name,
                    "version": version.version,
                    "max_total": version.total_max,
                    "min_total": version.total_min,
                    **summary,
                }
            )
    return scores


def resource_list_for_api() -> QuerySet[Resource]:
    """Visible resources with everything the API listing serialises, in a fixed number of queries."""
    current = Designation.objects.filter(is_current=True).select_related("instrument_version__instrument")
    return (
        Resource.objects.filter(status=ResourceStatus.VISIBLE)
        .defer("text")  # the extracted full text can be long, and no listing shows it
        .select_related("source", "metrics")
        .prefetch_related(
            "topics", Prefetch("designations", queryset=current, to_attr="current_designations")
        )
    )


def one_per_work(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """One result per work: of the visible copies of a work cross-posted by several sources (same media
    file or canonical URL: `work_key`), lists, search and feeds keep the first harvested. Details,
    libraries and a source's own page still show every copy."""
    return resources.filter(work_primary=True)  # kept by database triggers (migration 0031)


def resource_list_listed() -> QuerySet[Resource]:
    """What lists, search and feeds show: visible resources, one per work, with what a card needs."""
    return one_per_work(resource_list_for_api())


def resource_page_newest(
    resources: QuerySet[Resource], *, before: tuple[datetime, int] | None = None, limit: int = 20
) -> list[Resource]:
    """Up to `limit` of `resources`, newest first, after the position `before` (published_at, id) of
    the previous page's last row: a keyset page, so the 4,000th page costs what the first does (an
    OFFSET reads and drops every row before it)."""
    if before is not None:
        published_at, pk = before
        resources = (
            resources.filter(  # the redundant `<=` is the index bound; the OR alone scans from the top
                Q(published_at__lte=published_at),
                Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk),
            )
        )
    return list(resources.order_by("-published_at", "-id")[:limit])


def resource_count_bounded(resources: QuerySet[Resource], *, bound: int = 1000) -> tuple[int, bool]:
    """How many `resources` there are, counting no further than `bound`: (count, more_than_bound)."""
    count = resources.order_by()[: bound + 1].count()
    return min(count, bound), count > bound


def attach_other_publishers(resources: list[Resource]) -> list[Resource]:
    """Give each resource `also_published_by`: the other sources carrying the same work (one query)."""
    keys = {r.work_key for r in resources if r.work_key}
    others: dict[str, list[Source]] = {}
    if keys:
        for copy in (
            Resource.objects.filter(work_key__in=keys, status=ResourceStatus.VISIBLE)
            .select_related("source")
            .only("work_key", "source__title", "source__public_id", "source__feed_url")
            .order_by("id")
        ):
            others.setdefault(copy.work_key, []).append(copy.source)
    for resource in resources:
        resource.also_published_by = (  # type: ignore[attr-defined]
            [source for source in others.get(resource.work_key, []) if source.pk != resource.source_id]
            if resource.work_key
            else []
        )
    return resources


def round_list_visible_to(*, user: User | None) -> QuerySet[CurationRound]:
    """Editors see every round; everyone else sees published rounds."""
    rounds = CurationRound.objects.select_related("instrument_version__instrument", "topic").annotate(
        candidate_count=Count("candidates")
    )
    if user is not None and user.is_authenticated and user.is_editor:
        return rounds
    return rounds.filter(status=RoundStatus.PUBLISHED)


def designation_list_current() -> QuerySet[Designation]:
    return Designation.objects.filter(
        is_current=True, resource__status=ResourceStatus.VISIBLE
    ).select_related("resource", "round", "instrument_version__instrument")


def vetted() -> Exists:
    """Condition on a resource queryset: it holds a current designation with a label (Approved,
    Honourable mention, High quality…). The feeds' and the modules' meaning of "vetted"."""
    return Exists(Designation.objects.filter(resource_id=OuterRef("pk"), is_current=True).exclude(label=""))


def resource_list_vetted(*, topic_slug: str = "", limit: int = 50) -> list[Resource]:
    """The newest vetted resources, optionally on a topic, for the curated feeds."""
    resources = resource_list_listed().filter(vetted()).exclude(liveness=Liveness.GONE)
    if topic_slug:
        resources = resources.filter(
            Q(topics__slug=topic_slug) | Q(source__topics__slug=topic_slug)
        ).distinct()
    return list(resources.order_by("-published_at", "-id")[:limit])


TRENDING_KEY = "home-trending"
TOPIC_FACETS_KEY = "topic-facets"  # each topic's search facet counts, stored by beat with trending


def trending_resource_ids(*, days: int = 7, limit: int = 6) -> list[int]:
    """What learners used most in the last `days` days: views, outbound clicks (x3) and counted
    endorsements (x5), hottest first, listed resources only. Reads only the recent activity, so its
    cost follows the week's traffic, not the size of the catalogue. Resources nobody touched are not
    trending. Computed by a worker (`trending_refresh`); pages read the stored answer."""
    since = timezone.now() - timedelta(days=days)
    heat: dict[int, int] = {}
    use = (
        ResourceDailyStat.objects.filter(day__gte=since.date())
        .values_list("resource_id")
        .annotate(n=Sum(F("views") + 3 * F("clicks")))
        .order_by("-n")[: limit * 20]
    )
    endorsed = (
        Endorsement.objects.filter(status=EndorsementStatus.COUNTED, created_at__gte=since)
        .values_list("resource_id")
        .annotate(n=Count("id"))
        .order_by("-n")[: limit * 20]
    )
    for resource_id, n in use:
        heat[resource_id] = heat.get(resource_id, 0) + int(n or 0)
    for resource_id, n in endorsed:
        heat[resource_id] = heat.get(resource_id, 0) + 5 * n
    hottest = sorted((pk for pk in heat if heat[pk] > 0), key=lambda pk: -heat[pk])[: limit * 4]
    listed = set(resource_list_listed().filter(pk__in=hottest).values_list("pk", flat=True))
    return [pk for pk in hottest if pk in listed][: limit * 2]


def resource_list_trending(*, limit: int = 6) -> list[Resource]:
    """The trending list the worker stored (`trending_resource_ids`), re-checked against what is listed
    now (a resource removed since the last refresh never shows). Empty before the first refresh."""
    stored = ResearchResult.objects.filter(key=TRENDING_KEY).values_list("data", flat=True).first() or []
    ids = [pk for pk in stored if isinstance(pk, int)]
    found = {r.pk: r for r in resource_list_listed().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found][:limit]


def topic_facet_counts_all() -> dict[str, dict[str, dict[str, int]]]:
    """Search's facet counts for the listing narrowed by each specialty or learner-level topic alone,
    computed for `topic_facets_refresh` (a worker): counting a large topic reads much of the catalogue."""
    return {
        slug: search_facet_counts(resource_filter(resource_list_listed(), topic=slug))
        for slug in Topic.objects.filter(kind__in=("specialty", "learner_level")).values_list(
            "slug", flat=True
        )
    }


def topic_facet_counts_stored(slug: str) -> dict[str, dict[str, int]] | None:
    """The counts `topic_facets_refresh` stored for `slug` (at most one beat interval old); None before
    the first refresh or for a topic it did not count (then the page counts in the request)."""
    stored = ResearchResult.objects.filter(key=TOPIC_FACETS_KEY).values_list("data", flat=True).first()
    counts = stored.get(slug) if isinstance(stored, dict) else None
    return counts if isinstance(counts, dict) else None


def score_floor_parse(text: str) -> tuple[str, float]:
    """ "air:30" -> ("air", 30.0): an instrument slug and a minimum mean total. Raises ValueError."""
    slug, _, minimum = text.partition(":")
    if not slug or not minimum:
        raise ValueError(f"not instrument:number: {text!r}")
    return slug, float(minimum)


def resource_filter(
    resources: QuerySet[Resource],
    *,
    topic: str = "",
    kind: str = "",
    designation: str = "",
    min_score: tuple[str, float] | None = None,
    reviewed: bool | None = None,
    language: str = "",
) -> QuerySet[Resource]:
    """The listing filters shared by the API and the search page. `topic` matches the resource's
    topics or its source's; `designation` a current designation label; `min_score` (instrument slug,
    minimum mean) uses the instrument's current version."""
    if topic:
        on_resource = Resource.topics.through.objects.filter(resource_id=OuterRef("pk"), topic__slug=topic)
        on_source = Source.topics.through.objects.filter(source_id=OuterRef("source_id"), topic__slug=topic)
        resources = resources.filter(Q(Exists(on_resource)) | Q(Exists(on_source)))
    if kind:
        resources = resources.filter(source__kind=kind)
    if designation:
        current = Designation.objects.filter(
            resource_id=OuterRef("pk"), is_current=True, label__iexact=designation
        )
        resources = resources.filter(Exists(current))
    if min_score is not None:
        slug, threshold = min_score
        version = instrument_version_current_by_slug(slug=slug)
        if version is None:
            return resources.none()
        resources = resources.filter(
            **{f"metrics__instruments__{slug}/v{version.version}__mean__gte": threshold}
        )
    if reviewed is not None:
        has_reviews = REVIEWED
        resources = resources.filter(has_reviews) if reviewed else resources.exclude(has_reviews)
    if language:
        resources = resources.filter(
            Q(language__istartswith=language) | Q(language="", source__language__istartswith=language)
        )
    return resources


def library_for(*, user: User, limit: int = 100) -> dict[str, list[Resource]]:
    """A learner's library: what they saved and what they endorsed, newest first, up to `limit` each."""
    visible = resource_list_for_api()
    return {
        "saved": list(visible.filter(saves__user=user).order_by("-saves__created_at", "-id")[:limit]),
        "endorsed": list(
            visible.filter(
                endorsements__user=user, endorsements__status__in=ACTIVE_ENDORSEMENT_STATUSES
            ).order_by("-endorsements__created_at", "-id")[:limit]
        ),
    }


def specialty_topics() -> list[tuple[str, str]]:
    return list(Topic.objects.filter(kind="specialty").order_by("name").values_list("slug", "name"))


def search_facets() -> dict[str, object]:
    """Choices for the search page's facets: specialties, learner levels, formats, current designation
    labels, and score floors taken from each instrument's published thresholds."""
    topics = Topic.objects.filter(kind__in=["specialty", "learner_level"]).order_by("name")
    scores = [
        (
            f"{version.instrument.slug}:{threshold['min_total']}",
            f"{version.instrument.name} ≥ {threshold['min_total']} ({threshold['label']})",
        )
        for version in InstrumentVersion.objects.select_related("instrument").order_by(
            "instrument__name", "-version"
        )
        for threshold in version.thresholds
    ]
    return {
        "topics": [(t.slug, t.name) for t in topics if t.kind == "specialty"],
        "levels": [(t.slug, t.name) for t in topics if t.kind == "learner_level"],
        "kinds": SourceKind.choices,
        "designations": sorted(
            set(Designation.objects.filter(is_current=True).exclude(label="").values_list("label", flat=True))
        ),
        "scores": list(dict.fromkeys(scores)),
        "dates": [("30", "Past 30 days"), ("365", "Past year"), ("1825", "Past 5 years")],
    }


def designated_resource_urls() -> list[tuple[int, str]]:
    """(id, URL) of every visible resource holding a current designation: what the weekly liveness
    check fetches."""
    designated = Designation.objects.filter(resource_id=OuterRef("pk"), is_current=True)
    return list(
        Resource.objects.filter(Exists(designated), status=ResourceStatus.VISIBLE)
        .exclude(canonical_url="")
        .order_by("id")
        .values_list("id", "canonical_url")
    )


def designated_source_feed_urls() -> list[tuple[int, str]]:
    """(id, feed URL) of every source with at least one designated resource."""
    designated = Designation.objects.filter(resource__source_id=OuterRef("pk"), is_current=True)
    return list(Source.objects.filter(Exists(designated)).order_by("id").values_list("id", "feed_url"))


def harvest_summary() -> dict[str, object]:
    """For an empty home page seen by an editor: how many sources failed their last fetch and why (the
    most common outcomes), how many wait for a first fetch."""
    by_outcome = dict(Source.objects.order_by().values_list("last_outcome").annotate(n=Count("id")))
    total = sum(by_outcome.values())
    healthy = {outcome.value for outcome in FetchOutcome.successes()}
    failing = {
        outcome: n
        for outcome, n in by_outcome.items()
        if outcome not in healthy and outcome != FetchOutcome.NEVER
    }
    reasons = [
        f"{n} {FetchOutcome(outcome).label.lower()}"
        for outcome, n in sorted(failing.items(), key=lambda kv: -kv[1])[:3]
    ]
    return {
        "total": total,
        "failing": sum(failing.values()),
        "waiting": by_outcome.get(FetchOutcome.NEVER, 0),
        "reasons": reasons,
    }


# Reviewed: has public reviews. The metrics service keeps the stored, indexed score key at -1 exactly
# while a resource has none (its ranking score is the mean of at least one), so no join is needed.
REVIEWED = Q(score_sort__gte=0)


def search_facet_counts(resources: QuerySet[Resource]) -> dict[str, dict[str, int]]:
    """How many of `resources` (a filtered, possibly searched queryset) fall under each facet value:
    topics (specialty), levels (learner level), kinds, current designation labels, reviewed or not.
    One statement: the matching rows are found once (a common table expression) and every facet is
    grouped from them."""
    try:
        matching_sql, matching_params = (
            resources.order_by().values_list("pk", "source_id", "score_sort").query.sql_with_params()
        )
    except EmptyResultSet:  # a queryset that can match nothing (.none())
        matching_sql = ""
    counts: dict[str, dict[str, int]] = {
        "topics": {},
        "levels": {},
        "kinds": {},
        "designations": {},
        "reviewed": {"true": 0, "false": 0},
    }
    if not matching_sql:
        return counts
    with connection.cursor() as cursor:
        cursor.execute(_FACETS_SQL.format(matching=matching_sql), list(matching_params))
        rows = cursor.fetchall()
    for facet, value, n, reviewed in rows:
        if facet == "kind":
            counts["kinds"][str(value)] = int(n)
            counts["reviewed"]["true"] += int(reviewed)
            counts["reviewed"]["false"] += int(n) - int(reviewed)
        elif facet == "designation":
            counts["designations"][str(value)] = int(n)
        else:
            counts["topics" if facet == "specialty" else "levels"][str(value)] = int(n)
    return counts


# Only table names and the subquery Django compiled go into the text; values are parameters. A resource
# counts under its own topics and its source's (as the topic filter matches), each once.
_FACETS_SQL = (
    "WITH m (id, source_id, score_sort) AS ({matching}) "
    "SELECT 'kind', s.kind, COUNT(*), SUM(CASE WHEN m.score_sort >= 0 THEN 1 ELSE 0 END) "  # REVIEWED
    "FROM m JOIN curation_source s ON s.id = m.source_id GROUP BY s.kind "
    "UNION ALL "
    "SELECT 'designation', d.label, COUNT(DISTINCT m.id), 0 FROM m "
    "JOIN curation_designation d ON d.resource_id = m.id WHERE d.is_current AND d.label <> '' "
    "GROUP BY d.label "
    "UNION ALL "
    "SELECT t.kind, t.slug, COUNT(DISTINCT u.id), 0 FROM ("
    "SELECT o.resource_id AS id, o.topic_id FROM curation_resource_topics o JOIN m ON m.id = o.resource_id "
    "UNION SELECT m.id, i.topic_id FROM m JOIN curation_source_topics i ON i.source_id = m.source_id"
    ") u JOIN curation_topic t ON t.id = u.topic_id "
    "WHERE t.kind IN ('specialty', 'learner_level') GROUP BY t.kind, t.slug"
)


def endorsement_counts(*, resource: Resource) -> dict[str, int]:
    """Counted endorsements by kind (held and withdrawn ones do not count)."""
    counted = Q(status=EndorsementStatus.COUNTED)
    return Endorsement.objects.filter(resource=resource).aggregate(
        learner=Count("id", filter=counted & Q(kind=EndorsementKind.LEARNER)),
        expert=Count("id", filter=counted & Q(kind=EndorsementKind.EXPERT)),
    )


def source_impact_latest(*, source: Source) -> list[dict[str, object]]:
    """The newest snapshot of each impact formula for a source."""
    latest: dict[str, dict[str, object]] = {}
    rows = (
        SourceImpactSnapshot.objects.filter(source=source)
        .order_by("formula_version", "-computed_at")
        .values("formula_version", "value", "computed_at")
    )
    for row in rows:
        latest.setdefault(row["formula_version"], dict(row))
    return list(latest.values())


IMPACT_FORMULA_VERSION = "uptake/1"


def impact_score(*, learner_endorsements: int, expert_endorsements: int) -> int:
    """The `impact` ordering's key, formula "uptake/1": learner endorsements + 2 x expert endorsements.
    Stored as Resource.impact_sort (indexed) by the metrics service. Versioned: a change of weights is
    a new IMPACT_FORMULA_VERSION."""
    return learner_endorsements + 2 * expert_endorsements


def instrument_current_version(*, instrument: Instrument) -> InstrumentVersion:
    """THE current version of an instrument: its highest version number (new reviews use it; older
    versions stay as history). Every instrument has at least one version."""
    found = instrument_version_current_by_slug(slug=instrument.slug)
    assert found is not None
    return found


def instrument_version_current_by_slug(*, slug: str) -> InstrumentVersion | None:
    """The current version of the instrument with this slug; None when there is no such instrument."""
    return InstrumentVersion.objects.filter(instrument__slug=slug).order_by("-version").first()
