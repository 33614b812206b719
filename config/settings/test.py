"""The test suite. Same databases and broker as configured in the environment (defaults: SQLite and
the embedded broker); fast hashing; e-mail kept in memory."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HARVEST_ALLOWED_PRIVATE_HOSTS = env.list("HARVEST_ALLOWED_PRIVATE_HOSTS", default=["127.0.0.1", "localhost"])
LOGGING = {"version": 1, "disable_existing_loggers": False}
