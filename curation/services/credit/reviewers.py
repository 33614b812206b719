"""Reviewer credit: a yearly peer-review credential, and reviews queued for experts' ORCID records."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from curation.enums import CredentialKind, PublicationStatus
from curation.errors import Conflict, InvalidInput, NotAllowed, NotFound
from curation.models import Credential, OrcidPush, Review, User
from curation.selectors.credit import orcid_link, reviewer_year_summary, reviews_for_credit
from curation.services.credit.common import new_code
from curation.services.outbox import outbox_claim, outbox_record


def reviewer_credential_issue(*, reviewer: User, year: int, now: datetime | None = None) -> Credential:
    """The reviewer's peer-review credential for `year` (one per year: re-issuing brings its figures up
    to date and keeps its code). Raises NotAllowed for non-reviewers, InvalidInput for a year without
    reviews."""
    if not reviewer.is_verified_expert:
        raise NotAllowed("Peer-review credit is for verified experts.")
    summary = reviewer_year_summary(reviewer=reviewer, year=year)
    if not summary["reviews"]:
        raise InvalidInput(f"No submitted reviews in {year}.")
    now = now or timezone.now()
    achievement = {
        "name": f"Peer reviewer, {year}",
        "description": f"Peer-reviewed {summary['reviews']} FOAMed resource(s) for FOAM Curator in {year} "
        "with validated instruments.",
        "criteria": "Submit expert reviews of open-access medical education resources with a validated "
        "scoring instrument.",
        "recipient": reviewer.display_name,
        "year": year,
        "reviews": summary["reviews"],
        "instruments": summary["instruments"],
        "rounds": summary["rounds"],
        "hours": str(summary["hours"]),
        "hours_basis": "estimated at one hour a review",
        "date": now.date().isoformat(),
    }
    with transaction.atomic():
        credential, created = Credential.objects.get_or_create(
            subject=reviewer,
            kind=CredentialKind.PEER_REVIEW,
            year=year,
            defaults={"code": new_code(), "achievement": achievement, "issued_at": now},
        )
        unchanged = {**credential.achievement, "date": ""} == {**achievement, "date": ""}
        if not created and not unchanged:  # same figures: same credential, same issue date
            credential.achievement, credential.issued_at = achievement, now
            credential.save(update_fields=["achievement", "issued_at"])
    return credential


def orcid_push_request(*, reviewer: User, review: Review) -> OrcidPush:
    """Queue `review` for the reviewer's ORCID record (a worker sends it). Idempotent: a sent review is
    not sent again; a failed one is queued again. Raises Conflict when pushing is switched off,
    NotFound for someone else's review or one not public yet (its round unpublished), InvalidInput when no ORCID iD is connected."""
    if not settings.ORCID_PUSH_ENABLED:
        raise Conflict("Sending reviews to ORCID is not switched on here: download the JSON instead.")
    if not reviews_for_credit(reviewer=reviewer).filter(pk=review.pk).exists():  # ORCID records are public
        raise NotFound("No such review of yours.")
    if orcid_link(reviewer) is None:
        raise InvalidInput("Connect your ORCID iD first (with permission to add activities).")
    push, created = OrcidPush.objects.get_or_create(review=review)
    if not created and push.status == PublicationStatus.FAILED:
        OrcidPush.objects.filter(pk=push.pk).update(
            status=PublicationStatus.PENDING, attempts=0, claimed_until=None, error=""
        )
        push.refresh_from_db()
    return push


def orcid_pushes_claim(*, now: datetime | None = None, limit: int = 20) -> list[int]:
    return outbox_claim(OrcidPush, now=now, limit=limit)


def orcid_push_record(*, push_id: int, put_code: str = "", error: str = "", retry: bool = False) -> None:
    """ORCID accepted the activity (`put_code`), or refused it (`error`; retried while `retry`)."""
    outbox_record(
        OrcidPush.objects.filter(pk=push_id).first(),
        sent={"put_code": put_code[:32]} if put_code else None,
        error=error,
        retry=retry,
    )
