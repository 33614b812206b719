"""Authors claim their sources: a token placed in the feed or on the site and found by a worker, or an
editor's decision. A verified claim makes the claimant an owner of the source, which lets them appeal
its designations and reviews (COPE: authors may appeal editorial decisions) and keeps them from
reviewing it."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.enums import ClaimStatus
from curation.errors import Conflict, InvalidInput, NotAllowed
from curation.models import Source, SourceClaim, User
from curation.services.audit import audit_record

TOKEN_PREFIX = "foam-curator-claim-"  # noqa: S105 - a public marker, not a secret


def source_claim_start(*, user: User, source: Source) -> SourceClaim:
    """Start (or return the pending) claim of `source` by `user`, with a token to place in the feed
    (e.g. in its description) or anywhere on the site's home page. Idempotent while pending. Raises
    NotAllowed for an anonymous or inactive user, Conflict when the user already owns the source."""
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed("Sign in to claim a source.")
    if source.owners.filter(pk=user.pk).exists():
        raise Conflict("You are already an owner of this source.")
    pending = SourceClaim.objects.filter(source=source, claimant=user, status=ClaimStatus.PENDING).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            claim = SourceClaim.objects.create(
                source=source, claimant=user, token=TOKEN_PREFIX + secrets.token_urlsafe(18)
            )
            audit_record(
                actor=user, action="claim.started", target=claim, after={"source": str(source.public_id)}
            )
    except IntegrityError:  # a concurrent start of the same claim
        return SourceClaim.objects.get(source=source, claimant=user, status=ClaimStatus.PENDING)
    return claim


def source_claim_record_check(*, claim_id: int, found: bool, detail: str) -> SourceClaim | None:
    """Record one worker check of a pending claim. Found: the claim is verified and the claimant
    becomes an owner (audited). Not found: the claim stays pending with what was checked."""
    with transaction.atomic():
        claim = (
            SourceClaim.objects.select_for_update()
            .select_related("source", "claimant")
            .filter(pk=claim_id)
            .first()
        )
        if claim is None or claim.status != ClaimStatus.PENDING:
            return claim
        claim.checked_at, claim.check_detail = timezone.now(), detail[:300]
        if found:
            _verify(claim, actor=None, reason=f"token found: {detail}"[:300])
        claim.save()
    return claim


def source_claim_decide(*, editor: User, claim: SourceClaim, approve: bool, reason: str) -> SourceClaim:
    """An editor verifies or rejects a pending claim (e.g. the author wrote in from the blog's address).
    Raises NotAllowed for a non-editor, InvalidInput without a reason, Conflict when already decided."""
    if not editor.is_editor:
        raise NotAllowed("Only editors decide claims.")
    if not reason.strip():
        raise InvalidInput("Record the reason for the decision.", field_errors={"reason": ["Required."]})
    with transaction.atomic():
        claim = SourceClaim.objects.select_for_update().select_related("source", "claimant").get(pk=claim.pk)
        if claim.status != ClaimStatus.PENDING:
            raise Conflict("This claim was already decided.")
        claim.decided_by, claim.decided_at, claim.decision_reason = editor, timezone.now(), reason.strip()
        if approve:
            _verify(claim, actor=editor, reason=reason.strip())
        else:
            claim.status = ClaimStatus.REJECTED
            audit_record(actor=editor, action="claim.rejected", target=claim, reason=reason.strip())
        claim.save()
    return claim


def _verify(claim: SourceClaim, *, actor: User | None, reason: str) -> None:
    claim.status = ClaimStatus.VERIFIED
    claim.source.owners.add(claim.claimant)
    audit_record(
        actor=actor,
        action="claim.verified",
        target=claim,
        reason=reason,
        after={"source": str(claim.source.public_id), "owner": str(claim.claimant.public_id)},
    )
