"""Settings shared by every environment. Every value a deployment may change is read from the
environment (django-environ); `.env.example` documents each one."""

from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
import structlog
from csp.constants import NONE, SELF

# Lets generic classes (ModelAdmin[Model], QuerySet[Model]) be subscripted at run time, as the type
# checker wants them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# Runtime data of the embedded default (SQLite file, filesystem broker, logs, beat schedule).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.humanize",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "corsheaders",
    "oauth2_provider",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "allauth.mfa",
    "health_check",
    "django_structlog",
    "curation",
    "workers",
    "api",
    "frontend",
    "research",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "config.security.RequireSecondFactorForEditors",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "curation.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # First, so our layouts override third-party ones (allauth's account pages use the site layout).
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing halfway.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # The planner's cost of a random page read. PostgreSQL's default (4) assumes spinning disks and
    # makes it scan the whole resource table rather than look up a few thousand search matches by
    # index; on SSD or cloud storage 1.1 is the usual setting.
    random_page_cost = env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)
    # JIT compilation pays off for long analytical queries; for a page's facet counts it added 60 ms of
    # compiling to a 200 ms statement (its cost estimate crossed jit_above_cost). Off for the site.
    jit = "on" if env.bool("DATABASE_JIT", default=False) else "off"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={random_page_cost} -c jit={jit}"
    )

# The site's public address, for links in e-mails sent without a request (the weekly digest).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Learning credit. A TrueType font with wide Unicode coverage for certificates (empty: the system's
# DejaVu Sans when present, else the PDF core font with names folded to Latin-1).
CERTIFICATE_FONT = env.str("CERTIFICATE_FONT", default="")
# The convening organisation and group id ORCID peer-review activities name.
ORCID_ORGANIZATION_NAME = env.str("ORCID_ORGANIZATION_NAME", default="FOAM Curator")
ORCID_ORGANIZATION_CITY = env.str("ORCID_ORGANIZATION_CITY", default="London")
ORCID_ORGANIZATION_COUNTRY = env.str("ORCID_ORGANIZATION_COUNTRY", default="GB")
ORCID_REVIEW_GROUP_ID = env.str("ORCID_REVIEW_GROUP_ID", default="orcid-generated:foam-curator")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve app static files straight from their folders when nothing was collected (make run).
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FOAM Curator <noreply@localhost>")

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# Mandatory: nobody signs in on an address they do not control, and sign-up cannot tell whether an
# address is registered (allauth prevents enumeration only with mandatory verification).
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
# Second factor (allauth MFA): an authenticator app, with recovery codes; required for editors and staff
# (config.security), available to everyone on /accounts/2fa/.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "FOAM Curator"
# Throttles on every credential endpoint (allauth counts them in the cache: Redis in production).
# "login_failed": 10 a minute per address, and 5 per 5 minutes per account, after which even the right
# password is refused until the window passes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "confirm_email": "1/3m/key",
}
# "Sign in with ORCID" appears once an ORCID app is registered (https://orcid.org/developer-tools,
# redirect URI <site>/accounts/orcid/login/callback/); without credentials the button is not shown.
ORCID_CLIENT_ID = env.str("ORCID_CLIENT_ID", default="")
# Adding reviews to experts' ORCID records (off by default) needs an ORCID member API client: experts
# then connect their ORCID iD with the /activities/update scope and the token is kept for the pushes.
ORCID_PUSH_ENABLED = env.bool("ORCID_PUSH_ENABLED", default=False)
ORCID_API_URL = env.str("ORCID_API_URL", default="https://api.orcid.org/v3.0")  # api.sandbox.orcid.org
SOCIALACCOUNT_STORE_TOKENS = ORCID_PUSH_ENABLED
SOCIALACCOUNT_PROVIDERS = {
    "orcid": {
        "BASE_DOMAIN": env.str("ORCID_BASE_DOMAIN", default="orcid.org"),  # sandbox.orcid.org to try it
        "MEMBER_API": ORCID_PUSH_ENABLED,
        "SCOPE": ["/authenticate", "/activities/update"] if ORCID_PUSH_ENABLED else ["/authenticate"],
        "APPS": [{"client_id": ORCID_CLIENT_ID, "secret": env.str("ORCID_SECRET", default=""), "key": ""}]
        if ORCID_CLIENT_ID
        else [],
    }
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never merge accounts on an unverified e-mail address

# Content-Security-Policy: no inline script, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "media-src": [SELF, "https:", "http:"],
        "connect-src": [SELF],
        # The video facade loads YouTube's privacy-enhanced player only after a click: no other frames.
        "frame-src": ["https://www.youtube-nocookie.com"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiKeyAuthentication",
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.ReadOrAuthenticatedWrite", "api.auth.ScopedAccess"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "api.auth.ApiKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="600/hour"),
        "user": env.str("API_THROTTLE_USER", default="5000/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.DefaultCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FOAM Curator API",
    "DESCRIPTION": (
        "Vetted free open-access medical education resources, reviews and metrics.\n\n"
        "**Credentials.** Sign in and open [/developer/](/developer/) to create, scope and revoke API keys "
        "(send `X-API-Key: fc_…`; each key has an hourly quota, and the page shows its use) or to register "
        "an OAuth 2 application (authorisation code + PKCE at `/o/authorize/` and `/o/token/`, scopes "
        "`read` and `write`). Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "curation.enums.SourceKind",
        "TopicKindEnum": "curation.enums.TopicKind",
        "SourceStatusEnum": "curation.enums.SourceStatus",
        "FetchOutcomeEnum": "curation.enums.FetchOutcome",
    },
}

# Cross-origin reads of the public API from any web app; writes are not offered cross-origin.
CORS_URLS_REGEX = r"^/(api/v1|feeds)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-none-match", "x-api-key"]
CORS_EXPOSE_HEADERS = ["etag"]

OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read vetted resources and your own data",
        "write": "Endorse and review on your behalf",
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # RFC 9700 (OAuth 2.0 Security BCP), all of it: no implicit or password grants, S256 PKCE only,
    # tokens never in URLs, `iss` in responses, tokens hashed at rest, refresh-token replay detection.
    **{
        f"COMPLIANT_BCP_RFC9700_{gate}": True
        for gate in (
            "IMPLICIT_GRANT",
            "PASSWORD_GRANT",
            "PKCE_METHOD",
            "ACCESS_TOKEN_TRANSPORT",
            "AUTHZ_RESPONSE_ISS",
            "TOKEN_STORAGE",
            "REFRESH_TOKEN",
            "REDIRECT_URI_SCHEME",
            "REDIRECT_URI_MATCHING",
            "PKCE_REQUIRED",
        )
    },
}

# --- Celery -------------------------------------------------------------------------------------
# Default: kombu's filesystem transport under VAR_DIR, so a fresh machine needs no broker server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Tasks are acknowledged late: a message a dead worker held is redelivered after this many seconds,
    # so it must stay well above CELERY_TASK_TIME_LIMIT.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
        # Notice a dead connection (a restarted Redis) within seconds, and retry commands across it.
        "health_check_interval": 10,
        "socket_keepalive": True,
        "retry_on_timeout": True,
    }
# A worker, beat or web process keeps reconnecting to a broker that restarts, for as long as it takes
# (tests/workers/test_broker_restart.py restarts Redis under two workers mid-harvest).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_HEARTBEAT = 0
# On a lost connection, running tasks are cancelled and redelivered (Celery 6's default; every task is
# idempotent and acknowledged late), rather than finishing with acknowledgements that cannot be sent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = (
    True  # Redis has no AMQP heartbeats; health_check_interval does that job
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_DEFAULT_QUEUE = "default"
# E-mail and metric refreshes run on a worker after commit (curation.deferred); True runs them at once
# in the caller's transaction (the test settings).
CURATION_DEFER_INLINE = env.bool("CURATION_DEFER_INLINE", default=False)
CELERY_TASK_ROUTES = {
    "workers.tasks.harvest_*": {"queue": "harvest"},
    "research.tasks.*": {"queue": "research"},  # the statistics stack stays in its own worker
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Harvesting ---------------------------------------------------------------------------------
# Hosts (names or IPs) that may resolve to non-global addresses. Empty in production: only tests and
# the offline demo (which serves feeds from 127.0.0.1) set it.
HARVEST_ALLOWED_PRIVATE_HOSTS = env.list("HARVEST_ALLOWED_PRIVATE_HOSTS", default=[])
HARVEST_USER_AGENT = env.str(
    "HARVEST_USER_AGENT",
    default="Mozilla/5.0 (compatible; FOAMCurator/0.1; +https://github.com/foam-curator) feed harvester",
)
HARVEST_CONNECT_TIMEOUT = env.float("HARVEST_CONNECT_TIMEOUT", default=10.0)
HARVEST_TOTAL_TIMEOUT = env.float("HARVEST_TOTAL_TIMEOUT", default=20.0)
HARVEST_MAX_BYTES = env.int("HARVEST_MAX_BYTES", default=15 * 1024 * 1024)
# Podcast transcripts: the largest file read, episodes claimed per beat tick (every 2 minutes), and
# each worker process's fetch rate (Celery rate_limit syntax).
TRANSCRIPT_MAX_BYTES = env.int("TRANSCRIPT_MAX_BYTES", default=2 * 1024 * 1024)
TRANSCRIPT_DISPATCH_BATCH = env.int("TRANSCRIPT_DISPATCH_BATCH", default=30)
TRANSCRIPT_RATE_LIMIT = env.str("TRANSCRIPT_RATE_LIMIT", default="20/m")
HARVEST_MAX_REDIRECTS = env.int("HARVEST_MAX_REDIRECTS", default=5)
HARVEST_MAX_ENTRIES = env.int("HARVEST_MAX_ENTRIES", default=200)
HARVEST_DISPATCH_BATCH = env.int("HARVEST_DISPATCH_BATCH", default=100)
HARVEST_DISPATCH_MAX_PER_TICK = env.int("HARVEST_DISPATCH_MAX_PER_TICK", default=10_000)
# A 304's FetchAttempt row waits in the worker for a batched INSERT: at most this many rows or seconds.
HARVEST_ATTEMPT_BATCH = env.int("HARVEST_ATTEMPT_BATCH", default=100)
HARVEST_ATTEMPT_FLUSH_SECONDS = env.float("HARVEST_ATTEMPT_FLUSH_SECONDS", default=10.0)
HARVEST_PER_HOST_IN_FLIGHT = env.int("HARVEST_PER_HOST_IN_FLIGHT", default=2)

# --- Social media (Mastodon, Bluesky) -----------------------------------------------------------
# Pages read per social source and harvest, the largest JSON page, and how many links are expanded
# per harvest (shorteners, and links on catalogued hosts that did not match a resource at once).
SOCIAL_MAX_PAGES = env.int("SOCIAL_MAX_PAGES", default=5)
SOCIAL_MAX_BYTES = env.int("SOCIAL_MAX_BYTES", default=2 * 1024 * 1024)
SOCIAL_MAX_EXPANSIONS = env.int("SOCIAL_MAX_EXPANSIONS", default=200)
# Known link shorteners (added to the built-in list): their links are always expanded.
SOCIAL_SHORTENERS = env.list("SOCIAL_SHORTENERS", default=[])
# How an expert's Mastodon instance is reached to check their identity (https; http only for the local
# test servers and the offline demo).
SOCIAL_IDENTITY_SCHEME = env.str("SOCIAL_IDENTITY_SCHEME", default="https")
# Where Bluesky is read without a session (the public AppView) and where a session is opened when a
# public endpoint refuses (BLUESKY_IDENTIFIER + BLUESKY_APP_PASSWORD, an app password, never the
# account password). Empty credentials: public reads only.
BLUESKY_APPVIEW_URL = env.str("BLUESKY_APPVIEW_URL", default="https://public.api.bsky.app")
BLUESKY_PDS_URL = env.str("BLUESKY_PDS_URL", default="https://bsky.social")
BLUESKY_IDENTIFIER = env.str("BLUESKY_IDENTIFIER", default="")
BLUESKY_APP_PASSWORD = env.str("BLUESKY_APP_PASSWORD", default="")
# Publishing designations (off by default): a Mastodon instance + access token (write:statuses), and/or
# the Bluesky account above. SOCIAL_PUBLISH_PLATFORMS lists which are on ("mastodon", "bluesky").
SOCIAL_PUBLISH_PLATFORMS = env.list("SOCIAL_PUBLISH_PLATFORMS", default=[])
MASTODON_PUBLISH_INSTANCE = env.str("MASTODON_PUBLISH_INSTANCE", default="")
MASTODON_PUBLISH_TOKEN = env.str("MASTODON_PUBLISH_TOKEN", default="")

# Where the client's address is in request.META: REMOTE_ADDR when the web process faces clients, the
# proxy's header (e.g. HTTP_X_FORWARDED_FOR, first address taken) behind one. Used to count a view or
# click once per visitor per day and to throttle the outbound redirect (django-ratelimit).
CLIENT_IP_META_KEY = env.str("CLIENT_IP_META_KEY", default="REMOTE_ADDR")
RATELIMIT_IP_META_KEY = None if CLIENT_IP_META_KEY == "REMOTE_ADDR" else CLIENT_IP_META_KEY

# Key of the HMAC that turns people into pseudonyms in research exports. Keep it secret and stable:
# changing it changes every pseudonym. Defaults to a value derived from SECRET_KEY.
RESEARCH_PSEUDONYM_KEY = env.str("RESEARCH_PSEUDONYM_KEY", default=f"research:{SECRET_KEY}")

# Logs: one JSON object per line (LOG_FORMAT=json, the default) with the request id of the web request
# that wrote it (django-structlog binds it; an upstream X-Request-ID is trusted only when
# LOG_TRUST_REQUEST_ID is set); LOG_FORMAT=console for people reading a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
_LOG_PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        *_LOG_PRE_CHAIN[1:],
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("LOG_TRUST_REQUEST_ID", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(),
            "foreign_pre_chain": _LOG_PRE_CHAIN,
        },
        "console": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": _LOG_PRE_CHAIN,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "console",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Error reports to Sentry when SENTRY_DSN is set (web and workers); no personal data is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
