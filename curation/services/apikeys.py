"""Issuing, checking and revoking API keys. Keys look like `fc_<prefix>_<secret>`; the prefix finds the
row, the secret is compared by hash in constant time."""

import hashlib
import hmac
import secrets

from django.utils import timezone

from curation.errors import InvalidInput, NotAllowed
from curation.models import ApiKey, ApiKeyScope, User

KEY_PREFIX = "fc"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_issue(
    *, owner: User, name: str, scope: str = ApiKeyScope.READ, requests_per_hour: int = 1000
) -> tuple[ApiKey, str]:
    """Create a key for `owner` (it acts as them). Returns the row and the key, shown only now."""
    if not owner.is_active:
        raise NotAllowed("Inactive accounts cannot have API keys.")
    if not name.strip():
        raise InvalidInput(
            "Name the key after the app that will use it.", field_errors={"name": ["Required."]}
        )
    if scope not in ApiKeyScope.values:
        raise InvalidInput(
            f"Scope must be one of {', '.join(ApiKeyScope.values)}.", field_errors={"scope": ["Unknown."]}
        )
    if not 1 <= requests_per_hour <= 100_000:
        raise InvalidInput("The quota must be between 1 and 100000 requests per hour.")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        owner=owner,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash(secret),
        scope=scope,
        requests_per_hour=requests_per_hour,
    )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def api_key_check(raw: str) -> ApiKey | None:
    """The active key matching `raw`, or None. Records when it was last used (at most once a minute)."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("owner").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(parts[2])) or not key.owner.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def api_key_revoke(*, owner: User, key: ApiKey) -> None:
    if key.owner_id != owner.pk and not owner.is_editor:
        raise NotAllowed("Only the key's owner or an editor revokes it.")
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
