"""Settings for shopchat, read from the environment (or `.env`) with django-environ.

With nothing set the project runs on the embedded default: SQLite under `var/` and
Celery on kombu's filesystem transport (a real worker and beat, no server). Setting
`DATABASE_URL` and `REDIS_URL` switches to PostgreSQL and Redis.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The key signs sessions and pay links. The development key is public (it is in this file): with
# DEBUG off a missing, development or short key refuses to start rather than run with it.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env("SECRET_KEY", default="") or (DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to 50 or more random characters when DEBUG is off (it signs sessions and "
        "pay links; the development key is public). Generate one with: python -c \"import secrets; "
        "print(secrets.token_urlsafe(50))\""
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public base URL of this deployment, used for links sent into chats and callback URLs.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The back office's theme (django-unfold): before django.contrib.admin so its templates win.
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shopchat",
    "catalog",
    "orders",
    "payments",
    "support",
    "chat",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shopchat.backoffice.language.StaffLanguageMiddleware",  # a staff user's saved language on /admin/
    "django_otp.middleware.OTPMiddleware",
    "shopchat.twofactor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "shopchat.security_headers.SiteCSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers the lockout page
]

ROOT_URLCONF = "shopchat.urls"
WSGI_APPLICATION = "shopchat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'shopchat.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A Celery worker's connections live this long (seconds; shopchat.celery), web requests' CONN_MAX_AGE.
WORKER_CONN_MAX_AGE = env.int("WORKER_CONN_MAX_AGE", default=300)
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Behind PgBouncer in transaction mode (docs/SCALING.md): each transaction may run on another
# server connection, so nothing may live in the session between transactions. Django's
# server-side cursors (`.iterator()`) are such state; prepared statements are too before
# PgBouncer 1.21 (set DATABASE_PREPARED_STATEMENTS=True there with max_prepared_statements).
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if IS_POSTGRES and DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if IS_POSTGRES and env.bool("DATABASE_PREPARED_STATEMENTS", default=not DATABASE_TRANSACTION_POOLING):
    # Parameters bound by the server, and a statement run a few times on a connection prepared
    # there: PostgreSQL parses and plans each hot statement (placing and paying orders, moving
    # money) once per connection instead of on every call. Turn off behind a pooler in
    # transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if IS_SQLITE:
    # The web process, the worker and beat share one file: wait for locks instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- staff logins: brute-force lockout (django-axes) and two-factor (django-otp) ---------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user+IP before checking
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a user from one address: no lock-out of a victim
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The address is REMOTE_ADDR (django-ipware is not installed): behind a proxy, have it pass the
# client's address on (gunicorn's forwarded_allow_ips and a proxy-protocol aware front end).
# Platform staff (superusers) must pass a TOTP code after their password when this is on; other
# staff may turn two-factor on for themselves at /admin/2fa/setup/.
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="shopchat")

LANGUAGE_CODE = "en"
# The chat speaks all six; the back office offers English, German and Italian (shopchat.languages).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("it", "Italiano"), ("es", "Español"),
             ("pt-br", "Português (Brasil)"), ("hi", "हिन्दी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The back office (django-unfold): title, favicon, the sidebar grouped by what a merchant does
# (shopchat/backoffice/navigation.py) and the sales dashboard (shopchat/backoffice/dashboard.py).
UNFOLD = {
    "SITE_TITLE": "shopchat",
    "SITE_HEADER": "shopchat.backoffice.navigation.site_header",
    "SITE_SYMBOL": "storefront",
    "SITE_URL": "/admin/",
    "SITE_FAVICONS": [{"rel": "icon", "sizes": "any", "type": "image/svg+xml",
                       "href": "shopchat.backoffice.navigation.favicon_url"}],
    "SHOW_HISTORY": False,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "shopchat.backoffice.dashboard.dashboard_callback",
    "STYLES": ["shopchat.backoffice.navigation.styles_url"],
    "SCRIPTS": ["shopchat.backoffice.navigation.scripts_url"],
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": "shopchat.backoffice.navigation.show_all_applications",
        "navigation": "shopchat.backoffice.navigation.sidebar",
    },
    "LOGIN": {"form": "shopchat.backoffice.forms.EmailLoginForm"},
    # the header's language menu: English, German, Italian, saved per staff user
    "SHOW_LANGUAGES": True,
    "LANGUAGES": {"navigation": "shopchat.backoffice.language.language_menu",
                  "action": "shopchat.backoffice.language.language_action"},
}

MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- cache (throttling, short-lived state) ---------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- e-mail ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG.get("EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend":
    # the embedded default writes who got what, never the body (customers' names and addresses)
    EMAIL_CONFIG["EMAIL_BACKEND"] = "shopchat.privacy.mail.SummaryConsoleBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shopchat <noreply@shopchat.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Unfold's login page sends no `next` field: after logging in, staff land on the back office
# (not on Django's default /accounts/profile/, which does not exist here).
LOGIN_REDIRECT_URL = "admin:index"

# --- public web (sign-up, shop page, browser chat) --------------------------------------
SIGNUP_AUTO_APPROVE = env.bool("SIGNUP_AUTO_APPROVE", default=False)  # else platform staff approve each sign-up
SIGNUP_RATE_PER_HOUR = env.int("SIGNUP_RATE_PER_HOUR", default=5)  # sign-up attempts per client IP
SIGNUP_MIN_SECONDS = env.float("SIGNUP_MIN_SECONDS", default=3.0)  # a form sent faster than this is a bot's
WEB_CHAT_RATE_PER_MINUTE = env.int("WEB_CHAT_RATE_PER_MINUTE", default=30)  # messages per browser-chat visitor
# Trust X-Forwarded-For for the client IP (rate limits) only behind a proxy that sets it.
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)

# --- security in production ------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- browser security headers (every response) ------------------------------------------
# Content-Security-Policy (django-csp): scripts and styles from our own origin only (no page has an
# inline script; the back office adds 'unsafe-eval' for its Alpine.js theme, see
# shopchat.security_headers); images also from https: (merchants' product images live on their
# own hosts) and data: URIs; no plugins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],  # the theme's style= attributes
        "img-src": [csp_constants.SELF, "data:", "https:"],
        "font-src": [csp_constants.SELF, "data:"],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page of ours uses these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "serial", "hid", "xr-spatial-tracking",
    )
}

# --- REST framework --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["shopchat.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["shopchat.api.auth.HasGatewayScope"],
    "DEFAULT_THROTTLE_CLASSES": ["shopchat.api.auth.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_KEY_RATE", default="6000/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shopchat.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shopchat gateway API",
    "DESCRIPTION": (
        "Chat-commerce API for chat gateways and merchant integrations. Authenticate with "
        "`Authorization: Api-Key <key>`. Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`. "
        "Amounts are decimal strings in the currency's major unit, beside an ISO 4217 code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "support.models.Ticket.Status",
        "TicketPriorityEnum": "support.models.Ticket.Priority",
        "TicketChannelEnum": "support.models.Ticket.Channel",
        "TicketRatingEnum": "support.models.SatisfactionRating.Rating",
        "OrderStatusEnum": "orders.models.Order.Status",
    },
}

THROTTLE_REDIS_URL = env("THROTTLE_REDIS_URL", default=REDIS_URL)  # per-key call counters
# WhatsApp send pacing (chat.pacing): each number's and each recipient's turn, shared through Redis.
WHATSAPP_PACING = env.bool("WHATSAPP_PACING", default=True)
WHATSAPP_PACING_REDIS_URL = env("WHATSAPP_PACING_REDIS_URL", default=REDIS_URL)
THROTTLE_SYNC_SECONDS = env.float("THROTTLE_SYNC_SECONDS", default=0.2)
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=5.0)

# --- Celery ----------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, a real worker and beat with no server.
# With REDIS_URL: Redis as broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "payments.tasks.*": {"queue": "payments"},
    "shopchat.tasks.deliver_event": {"queue": "notifications"},
    "shopchat.tasks.deliver_events": {"queue": "notifications"},
    "chat.tasks.confirm_whatsapp_payment": {"queue": "payments"},  # money: never behind a flood of messages
    "chat.tasks.reconcile_whatsapp_payments": {"queue": "payments"},
    "chat.tasks.*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "shopchat.tasks.sweep_outbox", "schedule": 60.0},
    "idempotency-purge": {"task": "shopchat.tasks.purge_idempotency_records", "schedule": crontab(minute=17)},
    "privacy-retention": {"task": "shopchat.tasks.purge_expired_data", "schedule": crontab(hour=4, minute=11)},
    "support-sla-breaches": {"task": "support.tasks.flag_breaching_tickets", "schedule": 60.0},
    "support-auto-close": {"task": "support.tasks.close_solved_tickets", "schedule": crontab(minute=23)},
    "whatsapp-inbound-sweep": {"task": "chat.tasks.sweep_inbound", "schedule": 60.0},
    "orders-expire-unpaid": {"task": "orders.tasks.expire_unpaid_orders", "schedule": 60.0},
    "settle-businesses": {"task": "payments.tasks.settle_all", "schedule": crontab(hour=2, minute=30)},
    "payments-repair-pending": {"task": "payments.tasks.repair_pending_payments", "schedule": 120.0},
    "whatsapp-pay-reconcile": {"task": "chat.tasks.reconcile_whatsapp_payments", "schedule": crontab(hour=4, minute=7)},
    "catalog-purge-import-files": {"task": "catalog.tasks.purge_import_files", "schedule": crontab(hour=3, minute=41)},
}

# --- outbound calls to addresses a merchant chose (shopchat/outbound.py) ----------------
# True lets webhooks and provider URLs point at loopback/private addresses: tests and the local
# demo only (their receivers listen on 127.0.0.1). Never in production.
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=False)

# --- outbox delivery -------------------------------------------------------------------
OUTBOX_TIMEOUT_SECONDS = env.float("OUTBOX_TIMEOUT_SECONDS", default=5.0)
# How long a delivery holds its event: a worker that dies mid-send leaves it to the sweep after
# this (longer than the slowest delivery: its timeouts and the send pacing's waits).
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=60.0)
# Publish committed events to Celery from a background thread (batched across requests)
# instead of in the request after commit.
OUTBOX_PUBLISH_IN_BACKGROUND = env.bool("OUTBOX_PUBLISH_IN_BACKGROUND", default=True)
OUTBOX_PUBLISH_LINGER_MS = env.int("OUTBOX_PUBLISH_LINGER_MS", default=50)
OUTBOX_GIVE_UP_AFTER_SECONDS = env.int("OUTBOX_GIVE_UP_AFTER_SECONDS", default=24 * 3600)
OUTBOX_BASE_BACKOFF_SECONDS = env.float("OUTBOX_BASE_BACKOFF_SECONDS", default=10.0)
OUTBOX_MAX_BACKOFF_SECONDS = env.float("OUTBOX_MAX_BACKOFF_SECONDS", default=3600.0)
IDEMPOTENCY_KEEP_HOURS = env.int("IDEMPOTENCY_KEEP_HOURS", default=48)

# --- WhatsApp webhooks -------------------------------------------------------------------
# Messages and statuses timestamped longer ago than this are dead letters, not processed (a
# replayed old body). Meta retries an undelivered webhook for up to 7 days: one day beyond.
WHATSAPP_WEBHOOK_MAX_AGE_SECONDS = env.int("WHATSAPP_WEBHOOK_MAX_AGE_SECONDS", default=8 * 24 * 3600)

# --- media customers send (chat/media.py) ---------------------------------------------
# Photos, voice notes, videos, documents and stickers are downloaded from the Cloud API after
# the message is answered, into the default storage. Larger files are refused (by the size Meta
# reports, and again while streaming); Meta's own limits are 5 MB for images, 16 MB for audio
# and video, 100 MB for documents.
WHATSAPP_MEDIA_MAX_BYTES = env.int("WHATSAPP_MEDIA_MAX_BYTES", default=16 * 1024 * 1024)
# Only these types are kept (Meta's supported media types; no SVG, no HTML, no executables).
WHATSAPP_MEDIA_MIME_TYPES = env.list("WHATSAPP_MEDIA_MIME_TYPES", default=[
    "image/jpeg", "image/png", "image/webp",
    "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg",
    "video/mp4", "video/3gpp",
    "application/pdf", "text/plain", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
])
# A download that keeps failing (Meta down, a broken transfer) is tried this many times, with the
# outbox's back-off in between, then marked failed.
WHATSAPP_MEDIA_MAX_ATTEMPTS = env.int("WHATSAPP_MEDIA_MAX_ATTEMPTS", default=6)
# Seconds to wait for each read of a download (the outbox timeout is for small JSON answers).
WHATSAPP_MEDIA_TIMEOUT_SECONDS = env.float("WHATSAPP_MEDIA_TIMEOUT_SECONDS", default=30.0)

# --- demo data -------------------------------------------------------------------------
# Each app adds what it shows in the demo; seed_demo calls these in order.
DEMO_SEEDERS = [
    "catalog.demo.seed",
    "orders.demo.seed",
    "payments.demo.seed",
    "support.demo.seed",
    "chat.demo.seed",
]

# --- bench -----------------------------------------------------------------------------
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
if BENCH_ENDPOINTS:
    # The bench reads each request's CPU time in the worker from a Server-Timing header.
    MIDDLEWARE.insert(0, "bench.cpu.CpuTimeMiddleware")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # personal data masked at INFO and above (shopchat.privacy.logs; every record is masked when
    # it is made, the filter covers a handler that sees a record made before Django started)
    "filters": {"personal_data": {"()": "shopchat.privacy.logs.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "kombu.connection": {"level": "ERROR"}},
}

# --- payments --------------------------------------------------------------------------
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox")
PAYMENT_PROVIDERS = {
    "sandbox": "payments.providers.sandbox.SandboxProvider",
    "stripe": "payments.providers.stripe_provider.StripeProvider",
    "razorpay": "payments.providers.razorpay_provider.RazorpayProvider",
}
SANDBOX_WEBHOOK_SECRET = env("SANDBOX_WEBHOOK_SECRET", default="whsec_sandbox_dev_only")
SANDBOX_CALLBACK_DELAY_SECONDS = env.float("SANDBOX_CALLBACK_DELAY_SECONDS", default=3.0)
# A card payment still pending this long is asked about at its provider by the repair job (beat).
PAYMENT_REPAIR_AFTER_SECONDS = env.int("PAYMENT_REPAIR_AFTER_SECONDS", default=120)

