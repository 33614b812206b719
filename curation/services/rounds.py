"""Curation rounds: an editor picks an instrument version, a topic and a window, chooses candidates,
assigns reviewers (balanced, conflicts excluded), and publishes aggregates and designations."""

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from curation.deferred import METRICS, defer
from curation.enums import COUNTED_REVIEW_STATUSES, RoundStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.formulas import finite_or_none, spearman_brown
from curation.models import (
    Assignment,
    CurationRound,
    Designation,
    InstrumentReliabilitySnapshot,
    InstrumentVersion,
    Resource,
    Review,
    RoundCandidate,
    Topic,
    User,
)
from curation.selectors.conflicts import conflict_profile, conflict_profiles, conflict_reason
from curation.selectors.editorial import reviewer_load, reviewers_verified
from curation.services.audit import audit_record
from curation.services.instruments import designation_for_total
from curation.services.notifications import notify_assignments, notify_round_published
from curation.services.social import social_publications_create


def _require_editor(user: User) -> None:
    if not user.is_editor:
        raise NotAllowed("Only editors run curation rounds.")


def round_create(
    *,
    editor: User,
    title: str,
    instrument_version: InstrumentVersion,
    window_start: datetime,
    window_end: datetime,
    deadline: datetime,
    topic: Topic | None = None,
    reviewers_per_candidate: int = 3,
) -> CurationRound:
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
    if reviewers_per_candidate < instrument_version.min_panel:
        message = (
            f"{instrument_version} designations rest on a panel of at least {instrument_version.min_panel} "
            "reviewers per candidate."
        )
        raise InvalidInput(message, field_errors={"reviewers_per_candidate": [message]})
    with transaction.atomic():
        round_ = CurationRound.objects.create(
            title=title.strip(),
            instrument_version=instrument_version,
            topic=topic,
            window_start=window_start,
            window_end=window_end,
            deadline=deadline,
            reviewers_per_candidate=reviewers_per_candidate,
            created_by=editor,
        )
        audit_record(actor=editor, action="round.created", target=round_, after={"title": round_.title})
    return round_


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
        load = reviewer_load([e.pk for e in experts])
        profiles = conflict_profiles(experts)
        assignments, short = [], []
        for candidate in candidates:
            eligible = [e for e in experts if not conflict_reason(profiles[e.pk], candidate.resource)]
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
        audit_record(
            actor=editor,
            action="round.assigned",
            target=round_,
            before={"status": RoundStatus.DRAFT},
            after={"status": RoundStatus.OPEN, "assignments": len(assignments)},
        )
        saved = list(
            Assignment.objects.filter(candidate__round=round_).select_related(
                "reviewer", "candidate__resource", "candidate__round__instrument_version__instrument"
            )
        )
        notify_assignments(assignments=saved)
    return saved


def _eligible_pool(pool: Sequence[User] | None) -> list[User]:
    experts = reviewers_verified()
    if pool is not None:
        experts = experts.filter(pk__in=[u.pk for u in pool])
    return list(experts.order_by("id"))


def _steerable_candidate(editor: User, candidate: RoundCandidate) -> RoundCandidate:
    _require_editor(editor)
    candidate = (
        RoundCandidate.objects.select_for_update(of=("self",))
        .select_related("round", "resource__source")
        .get(pk=candidate.pk)
    )
    if candidate.round.status != RoundStatus.OPEN:
        raise Conflict("Reviewers can be changed only while the round is open.")
    return candidate


def _check_assignable(reviewer: User, candidate: RoundCandidate) -> None:
    if not reviewer.is_active or not reviewer.is_verified_expert:
        raise InvalidInput(f"{reviewer.get_full_name() or reviewer.username} is not a verified expert.")
    reason = conflict_reason(conflict_profile(reviewer), candidate.resource)
    if reason:
        name = reviewer.get_full_name() or reviewer.username
        raise NotAllowed(f"{name} cannot review this candidate (conflict of interest): {reason}")
    if Assignment.objects.filter(candidate=candidate, reviewer=reviewer).exists():
        raise Conflict("This reviewer is already assigned to this candidate.")


def _has_submitted(reviewer_id: int, candidate: RoundCandidate) -> bool:
    return Review.objects.filter(
        round=candidate.round,
        resource=candidate.resource,
        reviewer_id=reviewer_id,
        status__in=COUNTED_REVIEW_STATUSES,
    ).exists()


def assignment_add(*, editor: User, candidate: RoundCandidate, reviewer: User) -> Assignment:
    """An editor adds a reviewer to a candidate of an open round. Raises NotAllowed (not an editor, or
    the reviewer is conflicted: owner, author or a declared conflict), InvalidInput (not a verified
    expert), Conflict (round not open, already assigned). Audited; the reviewer is notified."""
    with transaction.atomic():
        candidate = _steerable_candidate(editor, candidate)
        _check_assignable(reviewer, candidate)
        assignment = Assignment.objects.create(candidate=candidate, reviewer=reviewer)
        audit_record(
            actor=editor,
            action="assignment.added",
            target=candidate.round,
            after={"resource": str(candidate.resource.public_id), "reviewer": str(reviewer.public_id)},
        )
        notify_assignments(assignments=[assignment])
    return assignment


def assignment_remove(*, editor: User, candidate: RoundCandidate, reviewer: User, reason: str = "") -> None:
    """An editor removes a reviewer from a candidate of an open round. Refused (Conflict) once that
    reviewer has submitted their review in the round, or when it is not assigned. Audited."""
    with transaction.atomic():
        candidate = _steerable_candidate(editor, candidate)
        if _has_submitted(reviewer.pk, candidate):
            raise Conflict("This reviewer has already submitted a review; it cannot be taken back.")
        deleted, _ = Assignment.objects.filter(candidate=candidate, reviewer=reviewer).delete()
        if not deleted:
            raise Conflict("This reviewer is not assigned to this candidate.")
        audit_record(
            actor=editor,
            action="assignment.removed",
            target=candidate.round,
            reason=reason,
            before={"resource": str(candidate.resource.public_id), "reviewer": str(reviewer.public_id)},
        )


def assignment_swap(
    *, editor: User, candidate: RoundCandidate, remove: User, add: User, reason: str = ""
) -> Assignment:
    """Replace one reviewer of a candidate by another, all or nothing (both checks of
    `assignment_remove` and `assignment_add` apply)."""
    with transaction.atomic():
        assignment_remove(editor=editor, candidate=candidate, reviewer=remove, reason=reason)
        return assignment_add(editor=editor, candidate=candidate, reviewer=add)


def round_publish(*, editor: User, round_: CurationRound, provisional: bool = False) -> list[Designation]:
    """Publish the round: each candidate's mean and SD, its designation from the instrument's
    thresholds (replacing earlier current ones, audited), its reliability (Spearman-Brown from the
    instrument's single-rater ICC); then close the round and refresh the candidates' public metrics
    (their reviews become public now).

    A designation rests on a panel: every candidate needs `reviewers_per_candidate` counted reviews and
    at least the instrument version's `min_panel`. Otherwise Conflict, unless the editor publishes a
    `provisional` result: candidates with at least one review but fewer than the minimum panel are then
    published marked provisional, and candidates without any review get nothing."""
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
        panel = max(round_.reviewers_per_candidate, round_.instrument_version.min_panel)
        missing = [c.resource.title for c in candidates if len(totals.get(c.resource_id, [])) < panel]
        if missing and not provisional:
            raise Conflict(
                f"{len(missing)} candidate(s) have fewer than {panel} reviews, e.g. {missing[0]!r}: "
                "wait for them, or publish a provisional result."
            )
        icc = _single_rater_icc(round_.instrument_version)
        published = [
            _publish_candidate(editor, round_, c, totals[c.resource_id], now, icc)
            for c in candidates
            if totals.get(c.resource_id)
        ]
        round_.status, round_.published_at = RoundStatus.PUBLISHED, now
        round_.save(update_fields=["status", "published_at"])
        audit_record(
            actor=editor,
            action="round.published",
            target=round_,
            before={"status": RoundStatus.OPEN},
            after={
                "status": RoundStatus.PUBLISHED,
                "designations": len(published),
                "provisional": sum(d.provisional for d in published),
            },
        )
        defer(METRICS, resource_ids=[c.resource_id for c in candidates])
        notify_round_published(round_=round_)
        social_publications_create(designations=published)
    return published


def _single_rater_icc(version: InstrumentVersion) -> float | None:
    snapshot = (
        InstrumentReliabilitySnapshot.objects.filter(instrument_version=version)
        .order_by("-computed_at")
        .first()
    )
    return snapshot.single_rater_icc if snapshot is not None else None


def _round_totals(round_: CurationRound) -> dict[int, list[float]]:
    """Counted totals per resource in the round, leaving out reviews held for a confidentiality check."""
    totals: dict[int, list[float]] = {}
    for resource_id, total in Review.objects.filter(
        round=round_, status__in=COUNTED_REVIEW_STATUSES, held_for_confidentiality=False
    ).values_list("resource_id", "total"):
        totals.setdefault(resource_id, []).append(float(total or 0.0))
    return totals


def _publish_candidate(
    editor: User,
    round_: CurationRound,
    candidate: RoundCandidate,
    totals: list[float],
    now: datetime,
    single_icc: float | None,
) -> Designation:
    mean = statistics.fmean(totals)
    version = round_.instrument_version
    candidate.review_count, candidate.mean_total = len(totals), mean
    candidate.sd_total = statistics.stdev(totals) if len(totals) > 1 else None
    candidate.designation = designation_for_total(version, mean)
    candidate.save(update_fields=["review_count", "mean_total", "sd_total", "designation"])
    previous = Designation.objects.filter(
        resource=candidate.resource, instrument_version=version, is_current=True
    ).first()
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    reliability = (
        finite_or_none(spearman_brown(single_icc, len(totals)))
        if single_icc is not None and single_icc > 0
        else None
    )
    designation = Designation.objects.create(
        resource=candidate.resource,
        instrument_version=version,
        round=round_,
        label=candidate.designation,
        mean_total=mean,
        review_count=len(totals),
        provisional=len(totals) < version.min_panel,
        reliability=reliability,
        judged_content_hash=candidate.resource.content_hash,
        published_at=now,
    )
    audit_record(
        actor=editor,
        action="designation.published",
        target=candidate.resource,
        before={"label": previous.label, "mean": previous.mean_total} if previous else {},
        after={
            "label": designation.label,
            "mean": mean,
            "round": str(round_.public_id),
            "reviews": len(totals),
            "provisional": designation.provisional,
        },
    )
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
        audit_record(
            actor=editor,
            action="round.cancelled",
            target=round_,
            before={"status": before},
            after={"status": RoundStatus.CANCELLED},
            reason=reason,
        )
    return round_
