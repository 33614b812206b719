"""Curation rounds: an editor picks an instrument version, a topic and a window, chooses candidates,
assigns reviewers (balanced, conflicts excluded), and publishes aggregates and designations."""

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from curation.enums import ResourceStatus, ReviewStatus, RoundStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import (
    Assignment,
    CurationRound,
    Designation,
    InstrumentVersion,
    Resource,
    Review,
    RoundCandidate,
    Topic,
    User,
)
from curation.services.audit import audit_record
from curation.services.instruments import designation_for_total
from curation.services.notifications import notify_assignments, notify_round_published
from curation.services.reviews import reviewer_conflict

COUNTED_REVIEWS = (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED)


def _require_editor(user: User) -> None:
    if not user.is_editor:
        raise NotAllowed("Only editors run curation rounds.")


def round_create(
    *, editor: User, title: str, instrument_version: InstrumentVersion, window_start: datetime,
    window_end: datetime, deadline: datetime, topic: Topic | None = None, reviewers_per_candidate: int = 3,
) -> CurationRound:  # fmt: skip
    """Open a round in draft. Raises NotAllowed for non-editors, InvalidInput for a bad window,
    deadline or reviewer count."""
    _require_editor(editor)
    if not title.strip():
        raise InvalidInput("Give the round a title.", field_errors={"title": ["Required."]})
    if window_start > window_end:
        raise InvalidInput(
            "The window must start before it ends.", field_errors={"window_end": ["Before the start."]}
        )
    if deadline <= timezone.now():
        raise InvalidInput("The deadline must be in the future.", field_errors={"deadline": ["In the past."]})
    if reviewers_per_candidate < 1:
        raise InvalidInput(
            "At least one reviewer per candidate.", field_errors={"reviewers_per_candidate": ["Too low."]}
        )
    with transaction.atomic():
        round_ = CurationRound.objects.create(
            title=title.strip(), instrument_version=instrument_version, topic=topic, window_start=window_start,
            window_end=window_end, deadline=deadline, reviewers_per_candidate=reviewers_per_candidate, created_by=editor,
        )  # fmt: skip
        audit_record(actor=editor, action="round.created", target=round_, after={"title": round_.title})
    return round_


def round_candidate_suggestions(*, round_: CurationRound, source_kind: str = "") -> QuerySet[Resource]:
    """Visible resources published in the window (and on the topic), not yet candidates, without a
    current designation under this instrument version."""
    resources = Resource.objects.filter(
        status=ResourceStatus.VISIBLE,
        published_at__gte=round_.window_start,
        published_at__lte=round_.window_end,
    ).exclude(round_candidacies__round=round_)
    resources = resources.exclude(
        designations__instrument_version=round_.instrument_version, designations__is_current=True
    )
    if round_.topic_id:
        resources = resources.filter(Q(topics=round_.topic_id) | Q(source__topics=round_.topic_id)).distinct()
    if source_kind:
        resources = resources.filter(source__kind=source_kind)
    return resources.select_related("source").order_by("-published_at")


def round_add_candidates(*, editor: User, round_: CurationRound, resources: Iterable[Resource]) -> int:
    """Add candidates to a draft round (idempotent). Returns how many were new."""
    _require_editor(editor)
    with transaction.atomic():
        round_ = CurationRound.objects.select_for_update().get(pk=round_.pk)
        if round_.status != RoundStatus.DRAFT:
            raise Conflict("Candidates can only be added while the round is a draft.")
        before = round_.candidates.count()
        RoundCandidate.objects.bulk_create(
            [RoundCandidate(round=round_, resource=r) for r in resources], ignore_conflicts=True
        )
        return round_.candidates.count() - before


def round_assign(
    *, editor: User, round_: CurationRound, pool: Sequence[User] | None = None
) -> list[Assignment]:
    """Assign `reviewers_per_candidate` verified experts to every candidate, least-loaded first, never
    an owner/author of the source or an expert who declared a conflict with it. All or nothing: if any
    candidate cannot get enough eligible reviewers, nothing is assigned. Opens the round."""
    _require_editor(editor)
    with transaction.atomic():
        round_ = CurationRound.objects.select_for_update().get(pk=round_.pk)
        if round_.status != RoundStatus.DRAFT:
            raise Conflict("This round already has its reviewers.")
        candidates = list(round_.candidates.select_related("resource__source").order_by("id"))
        if not candidates:
            raise InvalidInput("Add candidates before assigning reviewers.")
        experts = _eligible_pool(pool)
        load = Counter(
            dict(
                Assignment.objects.filter(candidate__round__status=RoundStatus.OPEN, reviewer__in=experts)
                .values_list("reviewer")
                .annotate(n=Count("id"))
            )
        )
        assignments, short = [], []
        for candidate in candidates:
            eligible = [e for e in experts if not _conflicted(e, candidate.resource)]
            chosen = sorted(eligible, key=lambda e: (load[e.pk], e.pk))[: round_.reviewers_per_candidate]
            if len(chosen) < round_.reviewers_per_candidate:
                short.append(candidate.resource.title or str(candidate.resource.public_id))
                continue
            for expert in chosen:
                load[expert.pk] += 1
                assignments.append(Assignment(candidate=candidate, reviewer=expert))
        if short:
            raise InvalidInput(
                f"Not enough eligible reviewers (need {round_.reviewers_per_candidate} each) for: {', '.join(short[:5])}."
            )
        Assignment.objects.bulk_create(assignments)
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
        audit_record(actor=editor, action="round.assigned", target=round_, before={"status": RoundStatus.DRAFT},
                     after={"status": RoundStatus.OPEN, "assignments": len(assignments)})  # fmt: skip
        saved = list(
            Assignment.objects.filter(candidate__round=round_).select_related(
                "reviewer", "candidate__resource", "candidate__round"
            )
        )
        notify_assignments(saved)
    return saved


def _eligible_pool(pool: Sequence[User] | None) -> list[User]:
    experts = User.objects.filter(
        role__in=["expert", "editor"], is_active=True, expert_profile__verification_status="approved"
    ).prefetch_related("expert_profile__conflicted_sources")
    if pool is not None:
        experts = experts.filter(pk__in=[u.pk for u in pool])
    return list(experts.order_by("id"))


def _conflicted(expert: User, resource: Resource) -> bool:
    declared = {s.pk for s in expert.expert_profile.conflicted_sources.all()}
    return resource.source_id in declared or bool(reviewer_conflict(reviewer=expert, resource=resource))


def round_publish(*, editor: User, round_: CurationRound) -> list[Designation]:
    """When every candidate has its reviews, compute each candidate's mean and SD, its designation from
    the instrument's thresholds, publish the designations (replacing earlier current ones, audited) and
    close the round. Raises Conflict while any candidate lacks reviews."""
    _require_editor(editor)
    now = timezone.now()
    with transaction.atomic():
        round_ = (
            CurationRound.objects.select_for_update().select_related("instrument_version").get(pk=round_.pk)
        )
        if round_.status != RoundStatus.OPEN:
            raise Conflict("Only an open round with assigned reviewers can be published.")
        candidates = list(round_.candidates.select_related("resource"))
        totals = _round_totals(round_)
        missing = [
            c.resource.title
            for c in candidates
            if len(totals.get(c.resource_id, [])) < round_.reviewers_per_candidate
        ]
        if missing:
            raise Conflict(f"{len(missing)} candidate(s) still await reviews, e.g. {missing[0]!r}.")
        published = [_publish_candidate(editor, round_, c, totals[c.resource_id], now) for c in candidates]
        round_.status, round_.published_at = RoundStatus.PUBLISHED, now
        round_.save(update_fields=["status", "published_at"])
        audit_record(actor=editor, action="round.published", target=round_, before={"status": RoundStatus.OPEN},
                     after={"status": RoundStatus.PUBLISHED, "designations": len(published)})  # fmt: skip
        notify_round_published(round_)
    return published


def _round_totals(round_: CurationRound) -> dict[int, list[float]]:
    totals: dict[int, list[float]] = {}
    for resource_id, total in Review.objects.filter(round=round_, status__in=COUNTED_REVIEWS).values_list(
        "resource_id", "total"
    ):
        totals.setdefault(resource_id, []).append(float(total or 0.0))
    return totals


def _publish_candidate(
    editor: User, round_: CurationRound, candidate: RoundCandidate, totals: list[float], now: datetime
) -> Designation:
    mean = statistics.fmean(totals)
    candidate.review_count, candidate.mean_total = len(totals), mean
    candidate.sd_total = statistics.stdev(totals) if len(totals) > 1 else None
    candidate.designation = designation_for_total(round_.instrument_version, mean)
    candidate.save(update_fields=["review_count", "mean_total", "sd_total", "designation"])
    previous = Designation.objects.filter(
        resource=candidate.resource, instrument_version=round_.instrument_version, is_current=True
    ).first()
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    designation = Designation.objects.create(
        resource=candidate.resource, instrument_version=round_.instrument_version, round=round_,
        label=candidate.designation, mean_total=mean, review_count=len(totals), published_at=now,
    )  # fmt: skip
    audit_record(
        actor=editor, action="designation.published", target=candidate.resource,
        before={"label": previous.label, "mean": previous.mean_total} if previous else {},
        after={"label": designation.label, "mean": mean, "round": str(round_.public_id)},
    )  # fmt: skip
    return designation


def round_cancel(*, editor: User, round_: CurationRound, reason: str) -> CurationRound:
    _require_editor(editor)
    with transaction.atomic():
        round_ = CurationRound.objects.select_for_update().get(pk=round_.pk)
        if round_.status in (RoundStatus.PUBLISHED, RoundStatus.CANCELLED):
            raise Conflict("A published or cancelled round cannot be cancelled.")
        before = round_.status
        round_.status = RoundStatus.CANCELLED
        round_.save(update_fields=["status"])
        audit_record(actor=editor, action="round.cancelled", target=round_, before={"status": before},
                     after={"status": RoundStatus.CANCELLED}, reason=reason)  # fmt: skip
    return round_
