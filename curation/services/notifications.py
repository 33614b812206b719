"""E-mail notifications (Django's e-mail backend: console in development). Sent by a worker after the
change they announce has committed (curation.deferred), so a rolled-back change never mails anyone
and no request waits for an SMTP server."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from curation.deferred import MAIL, defer
from curation.enums import ReviewStatus, RoundStatus, VerificationStatus
from curation.models import Assignment, CurationRound, ExpertProfile

REMINDER_BEFORE_DEADLINE = timedelta(hours=48)


def _send(messages: Iterable[tuple[str, str, str]]) -> None:
    batch = [[subject, body, settings.DEFAULT_FROM_EMAIL, [to]] for subject, body, to in messages if to]
    if batch:
        defer(MAIL, messages=batch)  # sent by a worker once the change commits


def notify_assignments(*, assignments: Iterable[Assignment]) -> None:
    _send(
        (
            f"Review assigned: {a.candidate.resource.title[:80]}",
            f'You were assigned to review "{a.candidate.resource.title}" in the round "{a.candidate.round.title}" '
            f"with {a.candidate.round.instrument_version}. Deadline: {a.candidate.round.deadline:%d %b %Y %H:%M} UTC.",
            a.reviewer.email,
        )
        for a in assignments
    )


def notify_round_published(*, round_: CurationRound) -> None:
    reviewers = {
        a.reviewer for a in Assignment.objects.filter(candidate__round=round_).select_related("reviewer")
    }
    _send(
        (
            f"Round published: {round_.title}",
            f'The round "{round_.title}" was published. Thank you for reviewing.',
            r.email,
        )
        for r in reviewers
    )


def notify_verification_decided(*, profile: ExpertProfile) -> None:
    outcome = "approved" if profile.verification_status == VerificationStatus.APPROVED else "not approved"
    _send(
        [
            (
                f"Your expert verification was {outcome}",
                f"An editor decided on your application: {outcome}.\nReason: {profile.decision_reason}",
                profile.user.email,
            )
        ]
    )


def assignment_send_deadline_reminders(*, now: datetime | None = None) -> int:
    """Remind, once, every reviewer whose assigned review is not submitted and whose round's deadline is
    within 48 hours. Returns how many were reminded. Idempotent."""
    now = now or timezone.now()
    due = (
        Assignment.objects.filter(
            reminded_at__isnull=True,
            candidate__round__status=RoundStatus.OPEN,
            candidate__round__deadline__lte=now + REMINDER_BEFORE_DEADLINE,
            candidate__round__deadline__gt=now,
        )
        .select_related("reviewer", "candidate__resource", "candidate__round")
        .order_by("id")
    )
    pending = [
        a
        for a in due
        if not a.candidate.resource.reviews.filter(
            reviewer=a.reviewer,
            round=a.candidate.round,
            status__in=[ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED],
        ).exists()
    ]
    with transaction.atomic():
        Assignment.objects.filter(pk__in=[a.pk for a in pending]).update(reminded_at=now)
        _send(
            (
                f"Reminder: review due {a.candidate.round.deadline:%d %b %H:%M} UTC",
                f'Your review of "{a.candidate.resource.title}" for "{a.candidate.round.title}" is due soon.',
                a.reviewer.email,
            )
            for a in pending
        )
    return len(pending)


def send_now(*, subject: str, body: str, to: str) -> None:
    """One e-mail, sent once the current change commits (see `_send`)."""
    _send([(subject, body, to)])
