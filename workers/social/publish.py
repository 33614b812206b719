"""Posting published designations to the platform's own Mastodon and Bluesky accounts (off unless
SOCIAL_PUBLISH_PLATFORMS names them). Each post goes out once: Mastodon gets an Idempotency-Key, and
Bluesky a record key derived from the publication, so a retried request cannot post twice."""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from curation.enums import SocialPlatform
from curation.models import SocialPublication
from curation.services.social import social_publication_record
from workers.social.common import post_json
from workers.social.pipeline import bluesky_session

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def record_key(moment: datetime, clock_id: int) -> str:
    """An atproto TID (13 base32-sortable characters: microseconds since 1970 and a 10-bit clock id),
    fixed for a publication so that a repeated createRecord is refused instead of posting twice."""
    value = (int(moment.timestamp() * 1_000_000) << 10) | (clock_id & 0x3FF)
    characters = []
    for _ in range(13):
        characters.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(characters))


def post_text(publication: SocialPublication) -> tuple[str, str]:
    """The post's text and the resource page it links to."""
    designation = publication.designation
    resource = designation.resource
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('frontend:resource-detail', kwargs={'public_id': resource.public_id})}"
    instrument = designation.instrument_version.instrument.name
    title = resource.title if len(resource.title) <= 180 else f"{resource.title[:177]}…"
    return (
        f"{designation.label} ({instrument}, {designation.review_count} expert reviews): {title} {url} #FOAMed",
        url,
    )


def publish(publication_id: int) -> str:
    publication = (
        SocialPublication.objects.select_related(
            "designation__resource", "designation__instrument_version__instrument"
        )
        .filter(pk=publication_id, status="pending")
        .first()
    )
    if publication is None:
        return "skipped"
    text, url = post_text(publication)
    if publication.platform == SocialPlatform.MASTODON:
        status, body, error = _mastodon(publication, text)
    else:
        status, body, error = _bluesky(publication, text, url)
    if error:
        social_publication_record(
            publication_id=publication_id, error=error, retry=status == 0 or status >= 500 or status == 429
        )
        return "failed"
    social_publication_record(publication_id=publication_id, post_uri=body)
    return "posted"


def _mastodon(publication: SocialPublication, text: str) -> tuple[int, str, str]:
    instance, token = settings.MASTODON_PUBLISH_INSTANCE.rstrip("/"), settings.MASTODON_PUBLISH_TOKEN
    if not instance or not token:
        return 400, "", "MASTODON_PUBLISH_INSTANCE and MASTODON_PUBLISH_TOKEN are not set"
    status, body = post_json(
        f"{instance}/api/v1/statuses",
        {"status": text, "visibility": "public", "language": "en"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(publication.public_id)},
    )
    if status == 200 and isinstance(body, dict) and isinstance(body.get("uri"), str):
        return status, body["uri"], ""
    return status, "", f"Mastodon answered {status or 'nothing'}"


def _bluesky(publication: SocialPublication, text: str, url: str) -> tuple[int, str, str]:
    session = bluesky_session()
    if not session:
        return 400, "", "no Bluesky session (BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD)"
    start = text.encode().find(url.encode())
    rkey = record_key(publication.designation.published_at or publication.created_at, publication.pk)
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "facets": [
            {
                "index": {"byteStart": start, "byteEnd": start + len(url.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        ],
        "embed": {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": url,
                "title": publication.designation.resource.title[:300],
                "description": "",
            },
        },
    }
    status, body = post_json(
        f"{settings.BLUESKY_PDS_URL.rstrip('/')}/xrpc/com.atproto.repo.createRecord",
        {
            "repo": session.get("did") or settings.BLUESKY_IDENTIFIER,
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": record,
        },
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
    )
    if status == 200 and isinstance(body, dict) and isinstance(body.get("uri"), str):
        return status, body["uri"], ""
    if status == 400 and isinstance(body, dict) and "already exists" in str(body.get("message", "")):
        did = session.get("did") or settings.BLUESKY_IDENTIFIER
        return status, f"at://{did}/app.bsky.feed.post/{rkey}", ""  # an earlier try posted it
    return status, "", f"Bluesky answered {status or 'nothing'}"
