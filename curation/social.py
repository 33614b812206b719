"""Pure formulas of the social signal (no database, no clock: callers pass `now`).

The open social impact index, version social/1, from stored mentions only:

    resource: ln(1 + unique accounts) + 0.5 * ln(1 + engagement) + 2 * ln(1 + expert mentions)
    source:   ln(1 + unique accounts, 90 days) + 0.5 * ln(1 + engagement, 90 days)
              + 2 * ln(1 + expert mentions, 90 days) + 0.25 * ln(1 + followers)

Unique accounts (not posts) so one enthusiast cannot inflate a resource; engagement (likes + reposts +
replies + quotes as last read) is damped because it is cheap; expert mentions weigh most (the seed's
"peer review through social media"). Every snapshot stores these inputs, so anyone can recompute it."""

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

SOCIAL_FORMULA_VERSION = "social/1"
SOURCE_WINDOW = timedelta(days=90)
# Engagement is read again this long after the post was published, then never: counts settle within a
# week, and a post's first days are when they move.
REFRESH_AFTER = (timedelta(hours=6), timedelta(days=1), timedelta(days=3), timedelta(days=7))


def resource_social_index(inputs: Mapping[str, int]) -> float:
    return round(
        math.log1p(inputs["unique_accounts"])
        + 0.5 * math.log1p(inputs["engagement"])
        + 2 * math.log1p(inputs["expert_mentions"]),
        4,
    )


def source_social_index(inputs: Mapping[str, int | None]) -> float:
    return round(
        math.log1p(inputs["unique_accounts_90d"] or 0)
        + 0.5 * math.log1p(inputs["engagement_90d"] or 0)
        + 2 * math.log1p(inputs["expert_mentions_90d"] or 0)
        + 0.25 * math.log1p(inputs["followers"] or 0),
        4,
    )


def next_refresh_at(posted_at: datetime, refresh_count: int, now: datetime) -> datetime | None:
    """When a post's engagement is read next: the first planned moment after `now` among those not yet
    used, or None when the week is over."""
    for step in REFRESH_AFTER[refresh_count:]:
        moment = posted_at + step
        if moment > now:
            return moment
    return None


def normalise_hashtag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()[:100]


def normalise_handle(handle: str) -> str:
    """Handles compare without a leading @ and without case."""
    return handle.strip().lstrip("@").lower()[:300]
