"""Adding reviews to experts' ORCID records through ORCID's member API v3.0 (only with
ORCID_PUSH_ENABLED): POST /v3.0/{orcid}/peer-review with the expert's own token, through the guarded
client. 201 gives the activity's put-code (the Location header); 409 means ORCID already holds this
review (its source-work-id), which is success too; 401/403 means the expert must connect ORCID again."""

import httpx
from django.conf import settings

from curation.certificates import orcid_peer_review
from curation.enums import PublicationStatus
from curation.models import OrcidPush
from curation.selectors.credit import orcid_link, reviews_for_credit
from curation.services.credit import orcid_push_record
from workers.harvest.fetch import BlockedAddressError, shared_client

ORCID_JSON = "application/vnd.orcid+json"


def push(push_id: int) -> str:
    """Send one claimed push. Returns "posted", "failed" or "skipped" (no longer pending)."""
    row = (
        OrcidPush.objects.select_related("review__resource__source", "review__reviewer")
        .filter(pk=push_id, status=PublicationStatus.PENDING)
        .first()
    )
    if row is None:
        return "skipped"
    if not reviews_for_credit(reviewer=row.review.reviewer).filter(pk=row.review_id).exists():
        # queued while public; an editor has since removed the resource (ORCID records are public)
        orcid_push_record(push_id=push_id, error="This review is no longer public, so it is not sent.")
        return "failed"
    link = orcid_link(row.review.reviewer)
    if link is None:
        orcid_push_record(push_id=push_id, error="No ORCID iD connected with permission to add activities.")
        return "failed"
    orcid, token = link
    try:
        response = shared_client().post(
            f"{settings.ORCID_API_URL.rstrip('/')}/{orcid}/peer-review",
            json=orcid_peer_review(row.review),
            headers={"Accept": ORCID_JSON, "Content-Type": ORCID_JSON, "Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(settings.HARVEST_TOTAL_TIMEOUT, connect=settings.HARVEST_CONNECT_TIMEOUT),
        )
    except (httpx.HTTPError, BlockedAddressError) as error:
        orcid_push_record(
            push_id=push_id, error=f"ORCID could not be reached ({type(error).__name__}).", retry=True
        )
        return "failed"
    status = response.status_code
    if status in (200, 201):
        put_code = response.headers.get("location", "").rstrip("/").rsplit("/", 1)[-1] or "added"
        orcid_push_record(push_id=push_id, put_code=put_code)
        return "posted"
    if status == 409:  # ORCID already has this review from us: an earlier try went through
        orcid_push_record(push_id=push_id, put_code="existing")
        return "posted"
    if status in (401, 403):
        message = "ORCID refused the token: connect your ORCID iD again."
    else:
        message = f"ORCID answered {status}."
    orcid_push_record(push_id=push_id, error=message, retry=status >= 500 or status == 429)
    return "failed"
