"""Pure formulas for when to poll a source next (no database, no clock: callers pass `now`)."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from curation.enums import SourceKind

HOUR = 3600
DAY = 24 * HOUR
INTERVAL_BOUNDS = {
    SourceKind.BLOG: (HOUR, DAY),
    SourceKind.VIDEO: (HOUR, DAY),
    SourceKind.PODCAST: (HOUR, 3 * DAY),
}
MAX_BACKOFF = 7 * DAY
FREQUENCY_WINDOW = timedelta(days=30)
# A source is paused (and shown to editors) only after this many consecutive failures spanning at
# least PAUSE_AFTER_DAYS days: a site down for a weekend is not abandoned.
PAUSE_AFTER_ERRORS = 10
PAUSE_AFTER_DAYS = 3


def interval_from_frequency(kind: str, published: Sequence[datetime], now: datetime) -> int:
    """Seconds between polls from the posting frequency of the last 30 days: the average gap between
    entries, clamped to the kind's bounds. No recent entries: the upper bound."""
    low, high = INTERVAL_BOUNDS.get(SourceKind(kind), INTERVAL_BOUNDS[SourceKind.BLOG])
    recent = [moment for moment in published if now - FREQUENCY_WINDOW <= moment <= now]
    if not recent:
        return high
    average_gap = FREQUENCY_WINDOW.total_seconds() / len(recent)
    return int(min(max(average_gap, low), high))


def interval_with_hints(kind: str, base: int, *, ttl_minutes: int | None, max_age_seconds: int | None) -> int:
    """Honour the publisher's `<ttl>` and Cache-Control max-age: never poll more often than asked,
    but never less often than the kind's upper bound."""
    _, high = INTERVAL_BOUNDS.get(SourceKind(kind), INTERVAL_BOUNDS[SourceKind.BLOG])
    wanted = base
    if ttl_minutes:
        wanted = max(wanted, ttl_minutes * 60)
    if max_age_seconds:
        wanted = max(wanted, max_age_seconds)
    return min(wanted, high)


def error_backoff(base: int, consecutive_errors: int) -> int:
    """Back off linearly with consecutive errors, capped at seven days."""
    return min(base * max(consecutive_errors, 1), MAX_BACKOFF)


def with_jitter(seconds: int, rng: random.Random | None = None) -> int:
    """Spread polls: add up to 10 % so sources imported together do not stay in lockstep."""
    rng = rng or random.Random()
    return seconds + int(seconds * 0.1 * rng.random())


def should_pause(consecutive_errors: int, first_error_at: datetime | None, now: datetime) -> bool:
    if consecutive_errors < PAUSE_AFTER_ERRORS or first_error_at is None:
        return False
    return now - first_error_at >= timedelta(days=PAUSE_AFTER_DAYS)
