"""Settings for every deployment, read from the environment.

Two shapes:
- embedded default (no DATABASE_URL, no broker): SQLite, in-process background jobs, local-memory cache, DEBUG on;
  what `make run` gives a newcomer;
- production (DJANGO_ENV=production): refuses to start without a real SECRET_KEY and PERSONAL_DATA_KEY.
Every variable is listed in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"

DEV_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production-0000"  # noqa: S105 - refused in production below
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "Production needs a real SECRET_KEY (at least 50 random characters), "
        'e.g. python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )

# Key for resident ID numbers: encrypts them at rest and keys the lookup digest (subjects/personal_data.py); also keys
# the digests of the public's query codes (repair/query_codes.py).
PERSONAL_DATA_KEY = env_str("PERSONAL_DATA_KEY", "" if PRODUCTION else "development-only-personal-data-key")
if PRODUCTION and len(PERSONAL_DATA_KEY) < 32:
    raise ImproperlyConfigured("Production needs PERSONAL_DATA_KEY (at least 32 random characters).")

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "accounts.apps.SignInThrottlingConfig",  # django-axes, named for the admin console
    "accounts",
    "outbox",
    "subjects",
    "notices",
    "records",
    "workcalendar",
    "commitments",
    "evaluation",
    "sectors",
    "repair",
    "supervision",
    "disclosure",
    "delivery",
    "dashboard",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Under /api/ every 404 is JSON in the error shape, unknown paths too (accounts/middleware.py).
    "accounts.middleware.ApiNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # One row per request an API client makes, written after the response (accounts.ApiClientUse).
    "accounts.middleware.ApiClientUseMiddleware",
    # Axes last: it answers locked-out logins before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, or SQLite under var/ for the embedded default.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
            # After a PostgreSQL restart, persistent connections fail their first request without this.
            conn_health_checks=True,
        )
    }
else:
    if PRODUCTION:
        raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves pages and delivers from one process: readers never wait for the writer (WAL),
    # a writer takes its lock when its transaction starts instead of failing on an upgrade, and waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Chinese trigram search needs a UTF-8 ctype; template0 lets the test database choose it.
    DATABASES["default"].setdefault("TEST", {}).update({"TEMPLATE": "template0", "CHARSET": "UTF8"})
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Redis: cache, throttling counters and the Celery broker. Without it, everything stays in-process.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that fails open: with Redis away, throttles let requests through and pages are
            # rendered without it, logged (config/cache.py). Short timeouts: a hung Redis must not hang requests.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "govcredit"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks are short and idempotent; a lost worker's tasks come back after this. The socket timeouts keep a hung Redis
# from hanging the web process that queues a task (config/queueing.py never lets that fail a request).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# Queueing gives up quickly when the broker is away: every job is in the database and has a sweeper or a fallback.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Public pages already hide a record the day its window closes; this writes the expiry event and closes measures.
    "expire-due-records": {"task": "records.tasks.expire_due_records", "schedule": crontab(minute=5)},
    # Import jobs whose task was lost are queued again; those whose worker died are failed (nothing was written).
    "sweep-import-jobs": {
        "task": "records.tasks.sweep_import_jobs",
        "schedule": timedelta(seconds=env_int("RECORD_IMPORT_SWEEP_SECONDS", 30)),
    },
    # Years a newly deployed holiday library covers are configured; their provisional deadlines are recounted.
    "refresh-calendar": {"task": "workcalendar.tasks.refresh_calendar", "schedule": crontab(hour=3, minute=17)},
    # Commitments due soon, overdue or without progress: warnings once each, and the candidate record of a long
    # overdue one (idempotent: a second run the same day changes nothing).
    "commitment-warnings": {"task": "commitments.tasks.raise_warnings", "schedule": crontab(hour=6, minute=30)},
    # Investment obligations due soon, overdue (reminded once) or broken after the reminder (idempotent).
    "investment-obligations": {
        "task": "sectors.tasks.watch_investment_obligations",
        "schedule": crontab(hour=6, minute=40),
    },
    # PPP payment obligations: late ones flagged with one UPDATE, reminders once, breaches proposed once (idempotent).
    "ppp-payments-watch": {"task": "sectors.tasks.ppp_payments_watch", "schedule": crontab(hour=6, minute=40)},
    # SME payments: overdue status, days and interest recomputed, reminders, breach candidates (idempotent).
    "procurement-overdue": {"task": "sectors.tasks.procurement_overdue", "schedule": crontab(hour=1, minute=40)},
    # Honest streets and towns: notices ended are named, namings hit by a later veto revoked (idempotent).
    "creation-watch": {"task": "sectors.tasks.creation_watch", "schedule": crontab(hour=2, minute=10)},
    # Bond repayments: late ones marked with one UPDATE, defaults and long overdue ones proposed once (idempotent).
    "debt-repayments-watch": {"task": "sectors.tasks.debt_repayments_watch", "schedule": crontab(hour=6, minute=50)},
    "tendering-daily": {"task": "sectors.tasks.tendering_daily", "schedule": crontab(hour=1, minute=50)},
    # Court judgments not performed by their deadline: the candidate record proposed once (idempotent).
    "court-judgments-watch": {"task": "supervision.tasks.court_judgments_watch", "schedule": crontab(hour=7, minute=5)},
    # Inspection rectifications past their deadline (one notice each) and ledger tasks not done by theirs (overdue).
    "supervision-deadlines": {
        "task": "supervision.tasks_ledger.supervision_deadlines",
        "schedule": crontab(hour=2, minute=20),
    },
    # Open data (reports/opendata.py): everything the public may see, as CSV and JSON with a manifest, nightly.
    "open-data-extract": {"task": "reports.tasks.open_data_extract", "schedule": crontab(hour=2, minute=40)},
    # Early warnings: the unit and its credit office are notified once per warning and level (idempotent).
    "warning-notices": {"task": "dashboard.tasks.send_warning_notices", "schedule": crontab(hour=7, minute=10)},
    # Evaluation: the units marked dirty recomputed every 5 minutes; nightly, a fresh full computation checks them.
    "evaluation-recompute-dirty": {"task": "evaluation.tasks.recompute_dirty", "schedule": timedelta(minutes=5)},
    "evaluation-full-check": {"task": "evaluation.tasks.recompute_full_check", "schedule": crontab(hour=3, minute=40)},
}

# Delivery to the municipal public credit platform (delivery/; README "Delivery to the platform").
# Empty PLATFORM_URL: nothing is sent, changes wait in the outbox (the operations page says so).
PLATFORM_URL = env_str("PLATFORM_URL", "").rstrip("/")
PLATFORM_SECRET = env_str("PLATFORM_SECRET", "")
if PLATFORM_URL and len(PLATFORM_SECRET) < (32 if PRODUCTION else 1):
    raise ImproperlyConfigured("PLATFORM_URL is set: PLATFORM_SECRET must be set too (at least 32 characters).")
PLATFORM_BATCH_SIZE = env_int("PLATFORM_BATCH_SIZE", 200)
# A batch's body stays under this (bytes): large records make smaller batches. A 413 splits a batch in two anyway.
PLATFORM_BATCH_MAX_BYTES = env_int("PLATFORM_BATCH_MAX_BYTES", 1024 * 1024)
PLATFORM_TIMEOUT_SECONDS = env_int("PLATFORM_TIMEOUT_SECONDS", 10)
# After the platform refuses a change's content this many times it is parked as failed (operations page: replay).
# An unreachable, failing or throttling platform never parks anything: changes wait for as long as it lasts.
PLATFORM_MAX_ATTEMPTS = env_int("PLATFORM_MAX_ATTEMPTS", 10)
PLATFORM_RETRY_BASE_SECONDS = env_int("PLATFORM_RETRY_BASE_SECONDS", 2)
PLATFORM_RETRY_MAX_SECONDS = env_int("PLATFORM_RETRY_MAX_SECONDS", 600)
# While the platform fails, it is probed at a growing interval capped here; with the sweep interval this bounds how
# long delivery takes to resume once it answers again (15 + 30 s: within a minute).
PLATFORM_PROBE_MAX_SECONDS = env_int("PLATFORM_PROBE_MAX_SECONDS", 30)
# A claimed batch is another worker's to retry after this (a killed worker never acknowledges).
PLATFORM_LEASE_SECONDS = env_int("PLATFORM_LEASE_SECONDS", 60)
PLATFORM_SWEEP_SECONDS = env_int("PLATFORM_SWEEP_SECONDS", 15)
PLATFORM_RECONCILE_SECONDS = env_int("PLATFORM_RECONCILE_SECONDS", 3600)
PLATFORM_LAG_WARNING_SECONDS = env_int("PLATFORM_LAG_WARNING_SECONDS", 600)
CELERY_BEAT_SCHEDULE["platform-sweep"] = {
    "task": "delivery.tasks.sweep",
    "schedule": timedelta(seconds=PLATFORM_SWEEP_SECONDS),
}
CELERY_BEAT_SCHEDULE["platform-reconcile"] = {
    "task": "delivery.tasks.reconcile",
    "schedule": timedelta(seconds=PLATFORM_RECONCILE_SECONDS),
}

# Passwords: Argon2 first (OWASP's recommendation), PBKDF2 accepted for imported hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: a username+address pair is locked after AXES_FAILURE_LIMIT failures for the cool-off time.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind the reverse proxy of docker-compose, the client address is the last hop the proxy appends.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# django-ipware is not installed: without this, axes would count every login behind the proxy against the proxy.
AXES_CLIENT_IP_CALLABLE = "accounts.network.login_client_address"

# Sessions expire after SESSION_IDLE_MINUTES without a request, and at browser close.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Deliberate: an intranet host name is never submitted to the browsers' HSTS preload list; preload is opt-in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # The TLS-terminating proxy in front of gunicorn sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence lives outside the web root and is served only through views that check permissions.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govcredit@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        # `Bearer gck_…`: API clients issued by an administrator (accounts.ApiClient).
        "accounts.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # An API client reaches a view only through the scopes the view accepts (accounts/permissions.py).
        "accounts.permissions.ClientScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "accounts.api_support.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "accounts.api_support.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "token": env_str("API_THROTTLE_TOKEN", "10/min"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)

SPECTACULAR_SETTINGS = {
    "TITLE": "政务诚信管理系统 API",
    "DESCRIPTION": (
        "Government integrity credit records. Authenticate with a session, with "
        "`Authorization: Bearer <token>` from `POST /api/v1/auth/token/`, or as another system with an API client "
        "key issued by an administrator (`Authorization: Bearer gck_<key>`). Errors always have the shape "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from drf-spectacular-sidecar: government intranets are often offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online spec validator: Swagger UI would otherwise call validator.swagger.io from the browser.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "subjects.models.AgencyKind",
        # The evaluation's periods and the inspections share one choice set: mid-year check, year-end assessment.
        "HalfEnum": "evaluation.models.periods.Half",
        "LedgerRoleEnum": "supervision.models.ledger.AssignmentRole",
        "AssessmentResultEnum": "subjects.models.AssessmentResult",
        "ChangeGroundEnum": "commitments.models.ChangeGround",
        "CommitmentEventKindEnum": "commitments.models.CommitmentEventKind",
        "CommitmentKindEnum": "commitments.models.CommitmentKind",
        "CommitmentStatusEnum": "commitments.models.CommitmentStatus",
        "ServiceAreaEnum": "commitments.models.ServiceArea",
        "MeasureStateEnum": "records.models.MeasureState",
        "CreationStatusEnum": "sectors.models.streets.CreationStatus",
        "PppPaymentKindEnum": "sectors.models.ppp.PppPaymentKind",
        "PppStageEnum": "sectors.models.ppp.PppStage",
        "DebtKindEnum": "sectors.models.debt.DebtKind",
        "DebtRepaymentKindEnum": "sectors.models.debt.RepaymentKind",
        "ObligationStatusEnum": "sectors.models.procurement.ObligationStatus",
        "EnterpriseSizeEnum": "sectors.models.procurement.EnterpriseSize",
        "TenderPartyKindEnum": "sectors.models.tendering.PartyKind",
        "TenderSanctionKindEnum": "sectors.models.tendering.SanctionKind",
        "TenderSanctionStatusEnum": "sectors.models.tendering.SanctionStatus",
        "TenderBreachKindEnum": "sectors.models.tendering.BreachKind",
        "TenderCycleEnum": "sectors.models.tendering.CycleKind",
        "TenderThresholdBasisEnum": "sectors.models.tendering.ThresholdBasis",
        "SuggestionKindEnum": "supervision.models.suggestions.SuggestionKind",
        "SuggestionStatusEnum": "supervision.models.suggestions.SuggestionStatus",
        "SuggestionReplyClassEnum": "supervision.models.suggestions.ReplyClass",
        "SuggestionSatisfactionEnum": "supervision.models.suggestions.Satisfaction",
        "SuggestionEventKindEnum": "supervision.models.suggestions.SuggestionEventKind",
        "CourtCaseKindEnum": "supervision.models.courts.CaseKind",
        "CourtCaseStatusEnum": "supervision.models.courts.CaseStatus",
        "CourtPartyRoleEnum": "supervision.models.courts.PartyRole",
        "CourtJudgmentResultEnum": "supervision.models.courts.JudgmentResult",
        "CourtEventKindEnum": "supervision.models.courts.CourtEventKind",
        "RectificationStatusEnum": "supervision.models.inspections.RectificationStatus",
        "LedgerStatusEnum": "supervision.models.ledger.LedgerStatus",
        "RecordEventKindEnum": "records.models.RecordEventKind",
        "RecordSourceEnum": "records.models.RecordSource",
        "RecordStatusEnum": "records.models.RecordStatus",
        "ResponsibilityKindEnum": "records.models.ResponsibilityKind",
        "RoleEnum": "accounts.models.Role",
        "SectorEnum": "accounts.models.Sector",
        "SeverityEnum": "records.models.Severity",
        "SpecialFieldEnum": "records.models.SpecialField",
        "BreachComplaintStatusEnum": "supervision.models.complaints.BreachComplaintStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Documents the one error shape on every operation (accounts/api_support.py).
        "accounts.api_support.schema_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "subjects.personal_data.MaskIdNumbersFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}

# Four eyes on publishing: whoever submitted a record may not publish it. A credit office of one person turns this on.
RECORD_ALLOW_SELF_PUBLISH = env_bool("RECORD_ALLOW_SELF_PUBLISH", False)

# Unified Social Credit Code prefixes (registration authority + entity type) this deployment accepts.
# GB 32100 table plus what grassroots committees are issued locally; a table, not a hard rule (docs/domain.md §2).
USCC_PREFIXES = env_list(
    "USCC_PREFIXES",
    [
        "11",
        "12",
        "13",
        "19",  # 机构编制: organs, public institutions, …
        "21",
        "29",
        "31",
        "32",
        "33",
        "34",
        "35",
        "39",
        "41",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "59",  # 民政 (54: grassroots committees as often seen)
        "61",
        "62",
        "69",
        "71",
        "72",
        "79",
        "81",
        "89",
        "91",
        "92",
        "93",
        "A1",
        "A9",
        "N1",
        "N2",
        "N3",
        "N9",  # 农业: 村集体经济组织 …
        "Y1",
    ],
)

# Excel imports of records: refused before any parsing beyond these (records/excel/reader.py). The reverse proxy's
# upload limit must allow RECORD_IMPORT_MAX_FILE_BYTES.
RECORD_IMPORT_MAX_ROWS = env_int("RECORD_IMPORT_MAX_ROWS", 200_000)
RECORD_IMPORT_MAX_FILE_BYTES = env_int("RECORD_IMPORT_MAX_FILE_BYTES", 50 * 1024 * 1024)
RECORD_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("RECORD_IMPORT_MAX_UNCOMPRESSED_BYTES", 512 * 1024 * 1024)
RECORD_IMPORT_MAX_COMPRESSION_RATIO = env_int("RECORD_IMPORT_MAX_COMPRESSION_RATIO", 100)
# A running import renews its lease every RECORD_IMPORT_HEARTBEAT_SECONDS; one without a sign of life for
# RECORD_IMPORT_LEASE_SECONDS lost its worker, and the sweeper (every RECORD_IMPORT_SWEEP_SECONDS) fails it: within
# two minutes of the worker's death, nothing written, the clerk told to upload again.
RECORD_IMPORT_HEARTBEAT_SECONDS = env_int("RECORD_IMPORT_HEARTBEAT_SECONDS", 15)
RECORD_IMPORT_LEASE_SECONDS = env_int("RECORD_IMPORT_LEASE_SECONDS", 90)
RECORD_EVIDENCE_MAX_BYTES = env_int("RECORD_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)

# Public commitments' warnings (docs/domain.md §6): calendar days before the due date, days without a progress report
# before "stalled" is suggested, and working days an overdue commitment waits after its overdue warning before the
# candidate record of its breach is proposed.
COMMITMENT_WARN_DAYS_EARLY = env_int("COMMITMENT_WARN_DAYS_EARLY", 30)
COMMITMENT_WARN_DAYS_SOON = env_int("COMMITMENT_WARN_DAYS_SOON", 7)
COMMITMENT_NO_PROGRESS_DAYS = env_int("COMMITMENT_NO_PROGRESS_DAYS", 90)
COMMITMENT_BREACH_AFTER_WORKING_DAYS = env_int("COMMITMENT_BREACH_AFTER_WORKING_DAYS", 20)
# PPP (docs/sectors.md § PPP): a government payment still unpaid this many working days after its due date proposes a
# candidate record; agencies are reminded of payments due within PPP_PAYMENT_REMIND_DAYS.
PPP_BREACH_AFTER_WORKING_DAYS = env_int("PPP_BREACH_AFTER_WORKING_DAYS", 20)
PPP_PAYMENT_REMIND_DAYS = env_int("PPP_PAYMENT_REMIND_DAYS", 30)
PPP_IMPORT_MAX_ROWS = env_int("PPP_IMPORT_MAX_ROWS", 1000)
# Rows of one Excel import of commitments, checked and written in the request (commitments/excel.py); the file
# limits are the records' import's (RECORD_IMPORT_MAX_FILE_BYTES and the rest).
COMMITMENT_IMPORT_MAX_ROWS = env_int("COMMITMENT_IMPORT_MAX_ROWS", 1000)
# Investment promotion (docs/sectors.md): the agency hears of an obligation this many days before it falls due; one
# still owed this many working days after its overdue reminder is declared broken (a candidate record).
INVESTMENT_DUE_NOTICE_DAYS = env_int("INVESTMENT_DUE_NOTICE_DAYS", 30)
INVESTMENT_BREACH_AFTER_WORKING_DAYS = env_int("INVESTMENT_BREACH_AFTER_WORKING_DAYS", 20)
INVESTMENT_IMPORT_MAX_ROWS = env_int("INVESTMENT_IMPORT_MAX_ROWS", 1000)
# Honest streets and towns (docs/sectors.md): the public notice after the city's review, in working days.
CREATION_NOTICE_DAYS = env_int("CREATION_NOTICE_DAYS", 5)

# Procurement and the SME payment clock (docs/sectors.md#procurement). The statutory overdue interest where the contract
# agreed none: 万分之五 a day, 《保障中小企业款项支付条例》 art. 17 of the 2025 text (国务院令第802号; art. 15 of the
# 2020 text, 国务院令第728号). A fraction a day, as text so no float rounding creeps in.
SME_PAYMENT_DEFAULT_DAILY_RATE = env_str("SME_PAYMENT_DEFAULT_DAILY_RATE", "0.0005")
# Calendar days an overdue payment waits after the agency's reminder before its breach record is proposed.
SME_ARREARS_BREACH_AFTER_DAYS = env_int("SME_ARREARS_BREACH_AFTER_DAYS", 30)
PROCUREMENT_IMPORT_MAX_ROWS = env_int("PROCUREMENT_IMPORT_MAX_ROWS", 5000)
# Tendering (docs/sectors.md#tendering): a bad behaviour is published within this many working days of its decision
# and stays on the public site this many months, then is archived (staff still query it); rows of one Excel import.
TENDERING_PUBLISH_WITHIN_WORKING_DAYS = env_int("TENDERING_PUBLISH_WITHIN_WORKING_DAYS", 20)
TENDERING_PUBLIC_MONTHS = env_int("TENDERING_PUBLIC_MONTHS", 6)
TENDERING_IMPORT_MAX_ROWS = env_int("TENDERING_IMPORT_MAX_ROWS", 2000)

# Working-day time limits of the subject's rights (docs/domain.md §5): Guangzhou practice and provisional national
# figures.
OBJECTION_ACCEPT_WORKING_DAYS = env_int("OBJECTION_ACCEPT_WORKING_DAYS", 2)
OBJECTION_CHECK_WORKING_DAYS = env_int("OBJECTION_CHECK_WORKING_DAYS", 2)
OBJECTION_VERIFY_WORKING_DAYS = env_int("OBJECTION_VERIFY_WORKING_DAYS", 10)
COMPLAINT_ACCEPT_WORKING_DAYS = env_int("COMPLAINT_ACCEPT_WORKING_DAYS", 2)
COMPLAINT_HANDLE_WORKING_DAYS = env_int("COMPLAINT_HANDLE_WORKING_DAYS", 10)
REPAIR_ACCEPT_WORKING_DAYS = env_int("REPAIR_ACCEPT_WORKING_DAYS", 3)
REPAIR_DECIDE_WORKING_DAYS = env_int("REPAIR_DECIDE_WORKING_DAYS", 10)
REPAIR_MATERIAL_WORKING_DAYS = env_int("REPAIR_MATERIAL_WORKING_DAYS", 5)

# Public filing, pages and API alike (repair/throttle.py): only cases actually filed count, per client address (sized
# for a service hall's shared terminal) and per contact given (one filer cannot flood the office); every form post,
# good or bad, counts against a wide guard that only a script reaches. Counts per window in seconds.
REPAIR_FILING_LIMIT = env_int("REPAIR_FILING_LIMIT", 60)
REPAIR_FILING_WINDOW = env_int("REPAIR_FILING_WINDOW", 3600)
REPAIR_FILER_LIMIT = env_int("REPAIR_FILER_LIMIT", 10)
REPAIR_FILER_WINDOW = env_int("REPAIR_FILER_WINDOW", 86400)
REPAIR_ATTEMPT_LIMIT = env_int("REPAIR_ATTEMPT_LIMIT", 300)
REPAIR_ATTEMPT_WINDOW = env_int("REPAIR_ATTEMPT_WINDOW", 3600)
# Query-code look-ups per client address: on the pages (count per window) and on the API (a DRF rate).
# docs/query-codes.md turns both into guessing odds.
REPAIR_LOOKUP_LIMIT = env_int("REPAIR_LOOKUP_LIMIT", 10)
REPAIR_LOOKUP_WINDOW = env_int("REPAIR_LOOKUP_WINDOW", 600)
PUBLIC_TRACK_RATE = env_str("PUBLIC_TRACK_RATE", "10/hour")
# How a refused filer (and anyone else) reaches the credit office: shown on the refusal page of the public forms.
# The defaults are the demo city's (12345 is every city's government service hotline); a deployment sets its own.
CREDIT_OFFICE_PHONE = env_str("CREDIT_OFFICE_PHONE", "12345")
CREDIT_OFFICE_ADDRESS = env_str("CREDIT_OFFICE_ADDRESS", "临江市政务服务中心二楼 信用服务窗口（演示地址）")
# The query code is sent to the filer's e-mail address, or by text message to a mobile number through this class
# (repair/sms.py); the default only logs that a message would have gone out.
SMS_SENDER = env_str("SMS_SENDER", "repair.sms.LoggingSmsSender")
# Lifetimes of the signed links the tracking page hands out (supply material, open the repair decision).
REPAIR_SUPPLY_FORM_SECONDS = env_int("REPAIR_SUPPLY_FORM_SECONDS", 3600)
REPAIR_DECISION_LINK_SECONDS = env_int("REPAIR_DECISION_LINK_SECONDS", 600)

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "")
# The public site's name: "信用" + the city, e.g. 信用临江.
DISCLOSURE_SITE_NAME = env_str("DISCLOSURE_SITE_NAME", "")
# Credit reports (reports/): the site address the reports' QR codes point to (empty: the address a request came to),
# and the public downloads per client address per window (seconds).
REPORTS_SITE_URL = env_str("REPORTS_SITE_URL", "")
REPORT_DOWNLOAD_LIMIT = env_int("REPORT_DOWNLOAD_LIMIT", 30)
REPORT_DOWNLOAD_WINDOW = env_int("REPORT_DOWNLOAD_WINDOW", 3600)
# How long browsers and proxies may reuse a public page (seconds); they revalidate with ETag / Last-Modified.
DISCLOSURE_CACHE_SECONDS = env_int("DISCLOSURE_CACHE_SECONDS", 60)
# How long the server keeps a whole public page in its cache (seconds; 0: off). Every change that can alter a public
# page makes the kept pages stale at once (disclosure/cache.py); this bounds only an entry that outlives a lost bump.
DISCLOSURE_RESPONSE_CACHE_SECONDS = env_int("DISCLOSURE_RESPONSE_CACHE_SECONDS", 300)

ADMIN_SITE_HEADER = _("Government integrity credit system")
# Local government debt (docs/sectors.md § Local government debt): a bond repayment still unpaid this many calendar
# days after its due date (or a recorded default) proposes a SERIOUS candidate record against the region's government.
DEBT_OVERDUE_BREACH_DAYS = env_int("DEBT_OVERDUE_BREACH_DAYS", 30)
DEBT_IMPORT_MAX_ROWS = env_int("DEBT_IMPORT_MAX_ROWS", 1000)

# NPC suggestions and CPPCC proposals (docs/supervision.md): the reply is due this many calendar months after the
# assignment, or the extended number with the approval of the assigning office; a re-handling after an unsatisfied
# answer takes 1 to the max months; the warnings start this many days before a due date.
SUPERVISION_SUGGESTION_DUE_MONTHS = env_int("SUPERVISION_SUGGESTION_DUE_MONTHS", 3)
SUPERVISION_SUGGESTION_EXTENDED_MONTHS = env_int("SUPERVISION_SUGGESTION_EXTENDED_MONTHS", 6)
SUPERVISION_SUGGESTION_REHANDLE_MAX_MONTHS = env_int("SUPERVISION_SUGGESTION_REHANDLE_MAX_MONTHS", 3)
SUPERVISION_SUGGESTION_WARN_DAYS = env_int("SUPERVISION_SUGGESTION_WARN_DAYS", 15)
SUPERVISION_SUGGESTION_IMPORT_MAX_ROWS = env_int("SUPERVISION_SUGGESTION_IMPORT_MAX_ROWS", 1000)
# Breach complaints (docs/supervision.md § 违约失信投诉): working days to accept or refuse, to transfer to the credit
# office over the respondent, and for that office to verify (DOMAIN-ROUND2 §5, P). The daily job announces late stages.
SUPERVISION_COMPLAINT_ACCEPT_WORKING_DAYS = env_int("SUPERVISION_COMPLAINT_ACCEPT_WORKING_DAYS", 3)
SUPERVISION_COMPLAINT_TRANSFER_WORKING_DAYS = env_int("SUPERVISION_COMPLAINT_TRANSFER_WORKING_DAYS", 1)
SUPERVISION_COMPLAINT_VERIFY_WORKING_DAYS = env_int("SUPERVISION_COMPLAINT_VERIFY_WORKING_DAYS", 15)
CELERY_BEAT_SCHEDULE["supervision-complaints-overdue"] = {
    "task": "supervision.tasks.complaints_overdue",
    "schedule": crontab(hour=6, minute=55),
}
HOTLINE_IMPORT_MAX_ROWS = env_int("HOTLINE_IMPORT_MAX_ROWS", 5000)
# How long the supervisors' dashboards keep their aggregates, per scope and node (seconds; 0: off; docs/dashboards.md).
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 60)
# Early warning when a unit's evaluation score falls by at least this many points from the period before (evaluation/
# warning_sources.py; twice as many: red).
EVALUATION_DROP_WARNING = env_int("EVALUATION_DROP_WARNING", 5)
