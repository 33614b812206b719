"""Suite-wide fixtures: personas, the local feed server, the corpus, and the rule for tests that need
a real service (PostgreSQL, Redis, Chromium): skip with a reason, or fail when REQUIRE_SERVICES=1."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from curation.enums import Role, VerificationStatus
from tests.factories import ExpertProfileFactory, UserFactory
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in ("1", "true", "yes")


def need_service(available: bool, reason: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) a test whose service is not configured."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def uses_redis_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


@pytest.fixture
def postgres() -> None:
    need_service(uses_postgres(), "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def redis_broker() -> None:
    need_service(uses_redis_broker(), "CELERY_BROKER_URL does not point at Redis")


@pytest.fixture
def corpus() -> Path:
    need_service(CORPUS.is_dir(), f"the shared feed corpus is absent ({CORPUS.name}/ beside the repository)")
    return CORPUS


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def learner(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="learner", role=Role.LEARNER)


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="outsider", role=Role.LEARNER)


@pytest.fixture
def editor(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="editor", role=Role.EDITOR, is_staff=True)


@pytest.fixture
def expert(db, editor):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    profile = ExpertProfileFactory(
        user=UserFactory(username="expert", role=Role.EXPERT),
        verification_status=VerificationStatus.APPROVED,
        decided_by=editor,
        decided_at=timezone.now(),
        decision_reason="Registration checked.",
    )
    return profile.user


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Throttle counters and host slots live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
