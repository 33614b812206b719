"""At most HARVEST_PER_HOST_IN_FLIGHT fetches to one host at a time, across all workers.

Counters live in Django's cache: Redis in production (shared by every worker), in-process memory on
the embedded default (where the worker's concurrency of 2 already caps requests per host). A counter
expires, so a worker killed while holding a slot cannot block a host for longer than SLOT_TTL."""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

SLOT_TTL = 120  # seconds; above the 20 s fetch deadline with a wide margin


def _key(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return f"harvest:in-flight:{host}"


@contextmanager
def host_slot(url: str) -> Iterator[bool]:
    """Yields True when a slot for the URL's host was taken (and releases it afterwards), False when
    the host already has the maximum number of fetches in flight."""
    key = _key(url)
    cache.add(key, 0, timeout=SLOT_TTL)
    try:
        in_flight = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=SLOT_TTL)
        in_flight = 1
    if in_flight > settings.HARVEST_PER_HOST_IN_FLIGHT:
        _release(key)
        yield False
        return
    try:
        yield True
    finally:
        _release(key)


def _release(key: str) -> None:
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0, timeout=SLOT_TTL)
    except ValueError:
        pass  # expired meanwhile: nothing to release
