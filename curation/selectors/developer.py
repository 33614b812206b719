"""Reads for app developers: an API key's use in the last hour."""

import time

from django.core.cache import cache

from curation.models import ApiKey


def api_key_requests_last_hour(key: ApiKey) -> int:
    """How many requests the key made in the last hour, as its quota counts them."""
    history = cache.get(api_key_usage_cache_key(key.prefix)) or []
    cutoff = time.time() - 3600
    return sum(1 for moment in history if moment > cutoff)


def api_key_usage_cache_key(prefix: str) -> str:
    """Where the API's per-key throttle keeps the key's recent request times (one home for the name)."""
    return f"throttle_api_key_{prefix}"
