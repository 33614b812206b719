"""Suite-wide fixtures: personas, the local feed server, the corpus, and the rule for tests that need
a real service (PostgreSQL, Redis, Chromium): skip with a reason, or fail when REQUIRE_SERVICES=1."""

import os
import shutil
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
# Playwright's sync API keeps an event loop in the test thread; Django would refuse ORM calls there
# although they run synchronously. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
def empty_cache() -> Iterator[None]:
    """Throttle counters, cached pages and rate limits start (and end) empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgres() -> None:
    need_service(uses_postgres(), "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def redis_broker() -> None:
    need_service(uses_redis_broker(), "CELERY_BROKER_URL does not point at Redis")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian Chromium driven by Playwright (never a browser Playwright downloads)."""
    need_service(CHROMIUM is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, django_db_serialized_rollback, live_server):  # type: ignore[no-untyped-def]
    """A fresh page that records console errors and CSP violations in `page.problems`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda message: tab.problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def corpus() -> Path:
    need_service(CORPUS.is_dir(), f"the shared feed corpus is absent ({CORPUS.name}/ beside the repository)")
    return CORPUS


@pytest.fixture
def feed_server(settings) -> Iterator[FeedServer]:  # type: ignore[no-untyped-def]
    """A local server standing in for the internet, reached as localhost:<its port>: only that endpoint
    is allowlisted for the SSRF guard (and only during the test)."""
    server = FeedServer()
    settings.HARVEST_ALLOWED_PRIVATE_HOSTS = [
        *settings.HARVEST_ALLOWED_PRIVATE_HOSTS,
        f"localhost:{server.port}",
    ]
    yield server
    server.close()


@pytest.fixture
def learner(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="learner", role=Role.LEARNER)


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="outsider", role=Role.LEARNER)


def give_authenticator(user):  # type: ignore[no-untyped-def]
    """Activate an authenticator app (TOTP) for `user`, as editors must have; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_totp_code(user) -> str:  # type: ignore[no-untyped-def]
    """The code the user's authenticator app shows now. Forgets that it was used, so a test may sign the
    same person in twice within one 30-second window."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counters[len(counters) // 2]))
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


@pytest.fixture
def editor(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="editor", role=Role.EDITOR, is_staff=True)
    give_authenticator(user)
    return user


def make_verified_expert(editor, username: str):  # type: ignore[no-untyped-def]
    """A verified expert (the decision recorded by `editor`)."""
    from django.utils import timezone

    return ExpertProfileFactory(
        user=UserFactory(username=username, role=Role.EXPERT, email=f"{username}@example.org"),
        verification_status=VerificationStatus.APPROVED,
        decided_by=editor,
        decided_at=timezone.now(),
        decision_reason="Registration checked.",
    ).user


@pytest.fixture
def panel(db, editor, expert):  # type: ignore[no-untyped-def]
    """Three verified experts (the `expert` persona first): the default minimum panel."""
    return [expert, make_verified_expert(editor, "expert2"), make_verified_expert(editor, "expert3")]


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


@pytest.fixture(autouse=True)
def _no_queued_fetch_attempts():  # type: ignore[no-untyped-def]
    """A 304's FetchAttempt waits in the process for a batched insert: no test inherits another's."""
    from curation.services import harvest

    harvest._attempts.take()
    yield
    harvest._attempts.take()


@pytest.fixture(autouse=True)
def _reference_data(request):  # type: ignore[no-untyped-def]
    """The taxonomy and instruments come from data migrations. Transactional tests (and the live
    server) flush every table, so restore them, idempotently, for any database test that follows."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from importlib import import_module

    from django.apps import apps

    from curation.models import Instrument, Topic

    if not Topic.objects.exists():
        import_module("curation.migrations.0002_seed_topic_taxonomy").seed(apps, None)
    if not Instrument.objects.exists():
        import_module("curation.migrations.0006_seed_instruments").seed(apps, None)
    yield
