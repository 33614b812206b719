"""Reads for the expert and editor workbenches: assignments, the verification and moderation queues,
round progress and harvest health. Each selector owns its select_related / prefetch_related."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from curation.enums import (
    HEALTHY_OUTCOMES,
    REVIEWER_ROLES,
    CaseStatus,
    ClaimStatus,
    EndorsementStatus,
    FetchOutcome,
    ResourceStatus,
    ReviewStatus,
    RoundStatus,
    SourceStatus,
    VerificationStatus,
)
from curation.models import (
    Appeal,
    Assignment,
    CurationRound,
    Endorsement,
    ExpertProfile,
    FetchAttempt,
    FetchDaily,
    Flag,
    Instrument,
    InstrumentVersion,
    Resource,
    Review,
    RoundCandidate,
    Source,
    SourceClaim,
    SourceRequest,
    User,
)
from curation.selectors.conflicts import conflict_profiles, conflict_reason
from curation.selectors.public import instrument_current_version


@dataclass
class AssignmentRow:
    assignment: Assignment
    review: Review | None

    @property
    def state(self) -> str:
        if self.review is None:
            return "Not started"
        return "Draft saved" if self.review.status == ReviewStatus.DRAFT else self.review.get_status_display()


def assignment_list_for(*, reviewer: User) -> list[AssignmentRow]:
    """The reviewer's assignments in open rounds, soonest deadline first, each with their review under
    the round's instrument version (None until they save a draft)."""
    assignments = list(
        Assignment.objects.filter(reviewer=reviewer, candidate__round__status=RoundStatus.OPEN)
        .select_related("candidate__resource__source", "candidate__round__instrument_version__instrument")
        .order_by("candidate__round__deadline", "id")
    )
    reviews = {
        (review.resource_id, review.instrument_version_id): review
        for review in Review.objects.filter(
            reviewer=reviewer, resource_id__in=[a.candidate.resource_id for a in assignments]
        )
    }
    return [
        AssignmentRow(a, reviews.get((a.candidate.resource_id, a.candidate.round.instrument_version_id)))
        for a in assignments
    ]


def review_version_for(*, reviewer: User, resource: Resource, instrument: Instrument) -> InstrumentVersion:
    """The instrument version a reviewer answers for a resource: their open assignment's, else the
    instrument's current version."""
    assignment = (
        Assignment.objects.filter(
            reviewer=reviewer,
            candidate__resource=resource,
            candidate__round__status=RoundStatus.OPEN,
            candidate__round__instrument_version__instrument=instrument,
        )
        .select_related("candidate__round__instrument_version")
        .first()
    )
    if assignment is not None:
        return assignment.candidate.round.instrument_version
    return instrument_current_version(instrument=instrument)


def expert_applications_pending() -> QuerySet[ExpertProfile]:
    return (
        ExpertProfile.objects.filter(verification_status=VerificationStatus.PENDING)
        .select_related("user")
        .order_by("applied_at", "id")
    )


@dataclass
class ModerationQueue:
    endorsements: list[Endorsement] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    claims: list[SourceClaim] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.endorsements)
            + len(self.reviews)
            + len(self.flags)
            + len(self.appeals)
            + len(self.claims)
        )


def moderation_queue() -> ModerationQueue:
    """Everything waiting for an editor: held endorsements, reviews held by the confidentiality
    screen, open flags and open appeals, oldest first."""
    return ModerationQueue(
        endorsements=list(
            Endorsement.objects.filter(status=EndorsementStatus.HELD)
            .select_related("user", "resource")
            .order_by("created_at", "id")
        ),
        reviews=list(
            Review.objects.filter(held_for_confidentiality=True, status=ReviewStatus.SUBMITTED)
            .select_related("reviewer", "resource", "instrument_version__instrument")
            .order_by("submitted_at", "id")
        ),
        flags=list(
            Flag.objects.filter(status=CaseStatus.OPEN)
            .select_related("raised_by", "resource", "review__reviewer")
            .order_by("created_at", "id")
        ),
        appeals=list(
            Appeal.objects.filter(status=CaseStatus.OPEN)
            .select_related(
                "appellant",
                "designation__resource",
                "designation__instrument_version__instrument",
                "review__resource",
                "review__reviewer",
                "review__instrument_version__instrument",
            )
            .order_by("created_at", "id")
        ),
        claims=list(
            SourceClaim.objects.filter(status=ClaimStatus.PENDING)
            .select_related("source", "claimant")
            .order_by("created_at", "id")
        ),
    )


@dataclass
class CandidateProgress:
    candidate: RoundCandidate
    reviewers: list[tuple[User, str]]  # each assigned reviewer and the state of their review
    submitted: int
    eligible: list[tuple[User, int]] = field(default_factory=list)  # not assigned, not conflicted: load
    conflicted: list[tuple[User, str]] = field(default_factory=list)  # experts who may not review it, why


def round_progress(*, round_: CurationRound) -> list[CandidateProgress]:
    """Each candidate of a round with its assigned reviewers and how far each review is."""
    candidates = list(
        round_.candidates.select_related("resource__source")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("reviewer")))
        .order_by("id")
    )
    states = {
        (review.resource_id, review.reviewer_id): review
        for review in Review.objects.filter(
            instrument_version=round_.instrument_version,
            resource_id__in=[c.resource_id for c in candidates],
        ).exclude(status=ReviewStatus.WITHDRAWN)
    }
    rows = []
    for candidate in candidates:
        reviewers = []
        submitted = 0
        for assignment in candidate.assignments.all():
            review = states.get((candidate.resource_id, assignment.reviewer_id))
            done = review is not None and review.status in (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED)
            submitted += done
            reviewers.append((assignment.reviewer, review.get_status_display() if review else "Not started"))
        rows.append(CandidateProgress(candidate, reviewers, submitted))
    if round_.status == RoundStatus.OPEN:
        _add_steering(rows)
    return rows


def _add_steering(rows: list[CandidateProgress]) -> None:
    """Who else could review each candidate (with their load in open rounds), and who may not, and why:
    what an editor needs on the round page to add, remove or swap reviewers."""
    experts = list(reviewers_verified().order_by("last_name", "first_name", "id"))
    load = reviewer_load([e.pk for e in experts])
    profiles = conflict_profiles(experts)
    for row in rows:
        assigned = {reviewer.pk for reviewer, _ in row.reviewers}
        for expert in experts:
            reason = conflict_reason(profiles[expert.pk], row.candidate.resource)
            if reason:
                row.conflicted.append((expert, reason))
            elif expert.pk not in assigned:
                row.eligible.append((expert, load[expert.pk]))
        row.eligible.sort(key=lambda pair: (pair[1], pair[0].pk))


def harvest_health() -> dict[str, Any]:
    """Sources by the outcome of their last fetch, the failing and paused ones with their latest
    attempts, and recent add-by-URL requests."""
    by_outcome = dict(Source.objects.values_list("last_outcome").annotate(n=Count("id")).order_by())
    by_status = dict(Source.objects.values_list("status").annotate(n=Count("id")).order_by())
    troubled = list(
        Source.objects.filter(
            ~Q(last_outcome__in=HEALTHY_OUTCOMES)
            | ~Q(status=SourceStatus.ACTIVE)
            | Q(consecutive_errors__gt=0)
        )
        .prefetch_related(
            Prefetch(
                "fetch_attempts",
                queryset=FetchAttempt.objects.order_by("-started_at", "-id")[:3],
                to_attr="recent_attempts",
            )
        )
        .order_by("-consecutive_errors", "title", "id")[:100]
    )
    return {
        "total": sum(by_status.values()),
        "by_outcome": [
            {
                "outcome": outcome,
                "count": by_outcome.get(outcome.value, 0),
                "healthy": outcome in HEALTHY_OUTCOMES,
            }
            for outcome in FetchOutcome
            if by_outcome.get(outcome.value)
        ],
        "by_status": [{"status": status, "count": by_status.get(status.value, 0)} for status in SourceStatus],
        "troubled": troubled,
        "recent_attempts": list(
            FetchAttempt.objects.select_related("source").order_by("-started_at", "-id")[:20]
        ),
        "requests": list(SourceRequest.objects.select_related("source", "requested_by")[:20]),
        "history": [
            {"outcome": FetchOutcome(outcome), "attempts": attempts}
            for outcome, attempts in FetchDaily.objects.order_by()
            .values_list("outcome")
            .annotate(n=Sum("attempts"))
            .order_by("-n")
        ],
    }


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


def reviewer_load(reviewer_ids: Sequence[int]) -> Counter[int]:
    """How many assignments each reviewer holds in open rounds."""
    return Counter(
        dict(
            Assignment.objects.filter(candidate__round__status=RoundStatus.OPEN, reviewer__in=reviewer_ids)
            .values_list("reviewer")
            .annotate(n=Count("id"))
        )
    )


def reviewers_verified() -> QuerySet[User]:
    """Who may be assigned reviews: active experts and editors whose verification was approved."""
    return User.objects.filter(
        role__in=REVIEWER_ROLES,
        is_active=True,
        expert_profile__verification_status=VerificationStatus.APPROVED,
    )
