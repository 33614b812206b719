"""The test suite. Same databases and broker as configured in the environment (defaults: SQLite and
the embedded broker); fast hashing; e-mail kept in memory; runtime files in a private temp folder."""

import os
import tempfile

# Before base settings read it: each test run gets its own broker folder and SQLite files.
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="foam-curator-test-"))

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Local endpoints (host:port) harvesting may reach. Each test's feed server adds its own
# "localhost:<port>" (tests/conftest.py); 127.0.0.1 and every other port stay blocked, so the SSRF
# tests can prove a redirect there is refused.
HARVEST_ALLOWED_PRIVATE_HOSTS = env.list("HARVEST_ALLOWED_PRIVATE_HOSTS", default=[])
LOGGING = {"version": 1, "disable_existing_loggers": False}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/hour", "user": "100000/hour"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real Celery worker in a subprocess sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# Deferred side work (e-mail, metric refreshes) runs at once in tests, so a test can assert the result
# right after the service call; tests/curation/test_deferred.py covers the on-commit hand-over.
CURATION_DEFER_INLINE = True
