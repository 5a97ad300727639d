"""Settings, read from the environment (see README.md for every variable)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from avasam.dev_secrets import development_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# `make run` writes var/dev.env (DEBUG=true), so manage.py commands in a demo checkout share its keys.
# Real environment variables always win over this file.
environ.Env.read_env(VAR_DIR / "dev.env")

DEBUG = env.bool("DEBUG", default=False)

# A production deployment must bring its own secrets and Amazon app credentials; only a development run may invent
# the secrets and fall back to the built-in simulator's credentials. Every process (web, worker, beat, manage.py)
# reads these settings, so each refuses to start, naming everything that is missing at once.
PRODUCTION_REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "AMAZON_LWA_CLIENT_ID",
    "AMAZON_LWA_CLIENT_SECRET",
    "AMAZON_SP_APP_ID",
)
if not DEBUG and (missing := [name for name in PRODUCTION_REQUIRED if not env.str(name, default="").strip()]):
    raise ImproperlyConfigured(
        f"With DEBUG off, set these environment variables: {', '.join(missing)} (see README.md, Settings)."
    )
SECRET_KEY = env("SECRET_KEY", default=None) or development_secret(VAR_DIR, "secret_key")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    development_secret(VAR_DIR, "field_encryption_key", fernet=True)
]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates: Jinja2's copies for our forms, the Django ones that admin's widgets include
    "crispy_forms",
    "crispy_bootstrap5",
    "ninja",  # the supplier API's docs page and its assets, served from our own static files
    "axes",
    "accounts",
    "channels",
    "channels.amazon",
    "orders",
    "stock",
    "activity",
    "fulfilment",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "avasam.middleware.RejectUnreadableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "avasam.middleware.PrivatePagesMiddleware",
    "accounts.middleware.SellerAccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "avasam.urls"
WSGI_APPLICATION = "avasam.wsgi.application"

TEMPLATES = [
    # First, so that forms' widgets are Jinja2's copies of Django's (`django/forms/jinja2/`), which render a select
    # and its every option in half the time; and long tables' rows (`<app>/jinja2/`, see accounts/jinja2_pages.py).
    # Pages are Django templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "accounts.jinja2_pages.environment"},
    },
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
            # `|when`: every date and time on a page in one format, in the seller's time zone, the zone shown.
            "builtins": ["accounts.templatetags.seller_time"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # var/ on a fresh clone
    # The demo runs web, worker and beat on one SQLite file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Our statements look rows up by key, in data held in memory or on SSD. PostgreSQL's default random_page_cost (4)
    # models spinning disks: on tables of a few thousand rows it read them whole instead of using their indexes (the
    # stock API's writes: three statements of 1 ms each that take 0.2-0.8 ms by index). 1.1 is the value PostgreSQL's
    # manual gives for SSDs; a DATABASE_URL that brings its own `options` keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# No page is translated: without the machinery, each value a template shows skips a per-request language lookup.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Form widgets are looked up in TEMPLATES (Jinja2 first). Crispy's field wrappers stay Django templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: strict unless DEBUG. A deployment behind a TLS-terminating proxy sets the header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_ENGINE = "accounts.sessions"  # Django's database sessions, read in SQL written once (accounts/sessions.py)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: scripts and styles come from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its icons (select arrows, switches) as data: SVGs
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Failed logins (django-axes): a (login name, address) pair is locked after LOGIN_FAILURE_LIMIT failures,
# an address after LOGIN_ADDRESS_FAILURE_LIMIT failures across login names; each lock lasts
# LOGIN_LOCKOUT_MINUTES from the last failure that counted. A successful login clears its pair only.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.SellerModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Behind reverse proxies that append the client's address to X-Forwarded-For, how many there are;
# 0 (the default) uses the address of the connection itself, since the header can be forged.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_HANDLER = "accounts.login_throttle.PairAndAddressHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# A lock lasts a fixed time that the locked-out page can state; attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.login_throttle.login_name"
AXES_CLIENT_IP_CALLABLE = "accounts.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.login_throttle.locked_out_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins need no row each; failures are what is counted

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Amazon SP-API. With DEBUG on the credentials default to the built-in simulator's (required with DEBUG off, see
# above); the endpoints default to Amazon's own, and `make run` points the three endpoint settings at the simulator.
AMAZON_LWA_CLIENT_ID = env("AMAZON_LWA_CLIENT_ID", default="amzn1.application-oa2-client.avasamsimulator")
AMAZON_LWA_CLIENT_SECRET = env("AMAZON_LWA_CLIENT_SECRET", default="avasam-simulator-secret")
AMAZON_SP_APP_ID = env("AMAZON_SP_APP_ID", default="amzn1.sp.solution.avasam-simulator")
AMAZON_SP_APP_DRAFT = env.bool("AMAZON_SP_APP_DRAFT", default=False)
AMAZON_SP_API_ENDPOINT = env("AMAZON_SP_API_ENDPOINT", default=None)
AMAZON_LWA_TOKEN_URL = env("AMAZON_LWA_TOKEN_URL", default="https://api.amazon.com/auth/o2/token")
AMAZON_SELLER_CENTRAL_URL = env("AMAZON_SELLER_CENTRAL_URL", default=None)

# Background work. Without Redis, Celery uses a broker that needs no server.
REDIS_URL = env("REDIS_URL", default=None)
# A queued per-integration task blocks duplicates until it starts, or at most this long (a lost message).
QUEUED_MARKER_SECONDS = env.int("QUEUED_MARKER_SECONDS", default=600)
# How long a process trusts its last look at the app-credentials pause (every Amazon call checks it).
AMAZON_APP_CREDENTIALS_PAUSE_CHECK_SECONDS = env.float("AMAZON_APP_CREDENTIALS_PAUSE_CHECK_SECONDS", default=10.0)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=None) or REDIS_URL or "filesystem://"
BROKER_DIR = VAR_DIR / "broker"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # httpx logs every request URL at INFO; keep call logs at our own gateway level.
        "httpx": {"level": "WARNING"},
    },
}

# Orders: the download schedule and window, and how long a non-Avasam order is kept.
ORDER_DOWNLOAD_INTERVAL_SECONDS = env.int("ORDER_DOWNLOAD_INTERVAL_SECONDS", default=300)
ORDER_FIRST_DOWNLOAD_DAYS = env.int("ORDER_FIRST_DOWNLOAD_DAYS", default=30)
# Each download re-reads this much before the previous one's end (Amazon shows orders up to 2 minutes late).
ORDER_DOWNLOAD_OVERLAP_MINUTES = max(5, env.int("ORDER_DOWNLOAD_OVERLAP_MINUTES", default=5))
ORDER_NON_AVASAM_RETENTION_DAYS = env.int("ORDER_NON_AVASAM_RETENTION_DAYS", default=3)
# How often beat hands work a dead worker left (no live process holds it) to a live worker.
SWEEP_SECONDS = env.float("SWEEP_SECONDS", default=15.0)
# sync_orders waits this long for another live download of the same integration to finish before skipping it.
ORDER_DOWNLOAD_COMMAND_WAIT_SECONDS = env.float("ORDER_DOWNLOAD_COMMAND_WAIT_SECONDS", default=600)

# Fulfilment: days after a dispatch is shipped or cancelled before its recipient's personal data is wiped, how
# often beat looks for parcels to confirm on Amazon, and how long an attempt may stay "sending" before it is
# taken for dead (and Amazon is asked whether the package arrived before any re-send).
FULFILMENT_PERSONAL_DATA_DAYS = env.int("FULFILMENT_PERSONAL_DATA_DAYS", default=30)
FULFILMENT_CONFIRM_INTERVAL_SECONDS = env.float("FULFILMENT_CONFIRM_INTERVAL_SECONDS", default=30.0)

# Stock and price push.
STOCK_PUSH_DRAIN_SECONDS = env.float("STOCK_PUSH_DRAIN_SECONDS", default=30.0)
STOCK_PUSH_FEED_MAX_MESSAGES = min(25_000, env.int("STOCK_PUSH_FEED_MAX_MESSAGES", default=25_000))
STOCK_PUSH_FEED_POLL_SECONDS = env.float("STOCK_PUSH_FEED_POLL_SECONDS", default=2.0)  # push_stock
STOCK_PUSH_FEED_TIMEOUT_SECONDS = env.int("STOCK_PUSH_FEED_TIMEOUT_SECONDS", default=2 * 60 * 60)
STOCK_PUSH_FAST_LANE_BATCH = env.int("STOCK_PUSH_FAST_LANE_BATCH", default=200)
STOCK_PUSH_MARK_BATCH_SIZE = env.int("STOCK_PUSH_MARK_BATCH_SIZE", default=2000)
# push_stock waits this long for another live sender of the same integration's feeds before going on.
STOCK_PUSH_COMMAND_WAIT_SECONDS = env.float("STOCK_PUSH_COMMAND_WAIT_SECONDS", default=600)
STOCK_PUSH_BACKOFF_SECONDS = env.int("STOCK_PUSH_BACKOFF_SECONDS", default=60)
STOCK_PUSH_BACKOFF_MAX_SECONDS = env.int("STOCK_PUSH_BACKOFF_MAX_SECONDS", default=6 * 60 * 60)
STOCK_PUSH_COMMAND_TIMEOUT_SECONDS = env.int("STOCK_PUSH_COMMAND_TIMEOUT_SECONDS", default=30 * 60)
# Orders per searchOrders page (Amazon allows 1 to 100).
ORDER_DOWNLOAD_PAGE_SIZE = env.int("ORDER_DOWNLOAD_PAGE_SIZE", default=100)
# Fetch a download's next page in a second thread while this one is stored.
ORDER_DOWNLOAD_PREFETCH = env.bool("ORDER_DOWNLOAD_PREFETCH", default=True)
# At most one stock feed per integration this often (Amazon allows 5 feeds per 5 minutes per region);
# changes collapse meanwhile, and drops to 0 go at once through patchListingsItem.
STOCK_PUSH_FEED_INTERVAL_SECONDS = env.float("STOCK_PUSH_FEED_INTERVAL_SECONDS", default=60.0)
# A feed waits until the changes have been quiet this long (or the interval has passed), so they collapse.
STOCK_PUSH_FEED_QUIET_SECONDS = env.float("STOCK_PUSH_FEED_QUIET_SECONDS", default=10.0)
STOCK_PUSH_FEED_HISTORY_DAYS = env.int("STOCK_PUSH_FEED_HISTORY_DAYS", default=7)

# Supplier API: request limits (answered 413) and requests per second per token (bursts of twice that; 0 = off).
SUPPLIER_API_MAX_BODY_BYTES = env.int("SUPPLIER_API_MAX_BODY_BYTES", default=2 * 1024 * 1024)
SUPPLIER_API_MAX_ITEMS = env.int("SUPPLIER_API_MAX_ITEMS", default=5_000)
SUPPLIER_API_RATE_LIMIT = env.float("SUPPLIER_API_RATE_LIMIT", default=10.0)
# Mappings CSV uploads: up to this many rows are applied within the request; a larger file is checked whole,
# then applied by a worker this many rows per transaction while the mappings page shows its progress.
MAPPING_UPLOAD_INLINE_ROWS = env.int("MAPPING_UPLOAD_INLINE_ROWS", default=2_000)
MAPPING_UPLOAD_CHUNK_ROWS = env.int("MAPPING_UPLOAD_CHUNK_ROWS", default=5_000)
