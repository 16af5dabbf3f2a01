"""Settings for the daily briefing, read from the environment.

Unset variables give a safe local setup: DEBUG on, an embedded SQLite database and an
in-process cache. Production sets DJANGO_DEBUG=0 and the variables documented in
docs/deploy.md; a bad value stops the process with ImproperlyConfigured.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A variable's value, or the contents of the file named by NAME_FILE (Docker secrets).

    NAME_FILE wins over NAME, so a secret mounted as a file cannot be shadowed by a
    stale plain variable left in the environment.
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name).strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}"
    )


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env(name).strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envtime(name: str, default: str) -> datetime.time:
    value = env(name).strip() or default
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time of day (HH:MM), not {value!r}") from None


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env(name).strip() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def web_workers() -> int:
    """gunicorn's worker processes per instance (gunicorn.conf.py): WEB_CONCURRENCY, else the
    usual rule for synchronous workers on the CPUs this process may use (cpusets, inside a
    container), not the host's."""
    if hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
    else:
        cpus = os.cpu_count() or 1
    return envint("WEB_CONCURRENCY", 2 * cpus + 1, minimum=1)


DEBUG = envbool("DJANGO_DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = envlist(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

if not DEBUG:
    if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that its admin classes patch the forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    # django-axes (login throttling, config/security.py), named in the admin's language.
    "editorial.apps.LoginAttemptsConfig",
    # Two-factor login for staff: TOTP devices (editorial/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "reversion",
    "reversion_compare",
    # Deep dives with their takeaways nested on the issue's page (editorial/inlines.py).
    "nested_admin",
    "briefing",
    "editorial",
    "newsletter",
]
# Benchmark tools (bench/: generate_archive, the baseline page): in debug mode, or when asked
# for by DJANGO_BENCH_TOOLS=1 (make bench, make loadtest); never in production.
BENCH_TOOLS = DEBUG or envbool("DJANGO_BENCH_TOOLS", False)
if BENCH_TOOLS:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # First: probes answer before the host check and the HTTPS redirect (see config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the request body.
    "config.errors.RequestSizeLimitMiddleware",
    # Before the page cache: a NUL in the URL is refused, never redirected or stored.
    "config.errors.NulCharacterMiddleware",
    # Cached public pages are served from here, before the session, CSRF, auth and messages.
    "briefing.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's login was completed with a one-time code (user.is_verified()),
    # then what a staff member must do about it (editorial/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "editorial.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a lockout during login into the lockout page.
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
            ],
        },
    },
]

# DATABASE_URL selects PostgreSQL in production (postgres://user:pass@host:5432/name);
# unset, the site runs on an embedded SQLite file so that `make run` needs no server.
# Persistent connections with health checks: a connection broken by a database restart is
# noticed at the start of the next request and replaced, so the site recovers by itself.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DJANGO_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# During a request a query that waits longer than this is abandoned, and the process answers 503
# without trying the database until it answers again (config/database.py).
DATABASE_QUERY_TIMEOUT = envint("DJANGO_DB_QUERY_TIMEOUT", 3, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, failing fast when PostgreSQL stops answering (config/postgresql/).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Fail fast when PostgreSQL is unreachable, so readers get the 503 page in seconds
    # rather than a gunicorn worker timeout (libpq's minimum is 2 s).
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options.setdefault(
        "connect_timeout", envint("DJANGO_DB_CONNECT_TIMEOUT", 2, minimum=2)
    )
    if envbool("DJANGO_DB_PREPARED_STATEMENTS", True):
        # A query run five times on a connection is prepared: PostgreSQL plans it once per
        # connection instead of on every request, and planning was most of its time for the
        # pages' primary-key and index queries. Needs parameters sent apart from the SQL
        # (server-side binding). Off for a pooler in transaction mode that cannot keep
        # prepared statements (docs/deploy.md).
        database_options.setdefault("server_side_binding", True)
        database_options.setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "config.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Japanese is the default language: the URL prefix chooses, Accept-Language only
# redirects the bare root.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ja"
MODELTRANSLATION_LANGUAGES = ("ja", "en")
# Fallback is shown explicitly by the templates (with a "not yet translated" marker), so
# modeltranslation must not silently substitute the other language.
MODELTRANSLATION_ENABLE_FALLBACKS = False
TIME_ZONE = env("DJANGO_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise from STATIC_ROOT (filled by collectstatic). In
# production the names carry a content hash, so WhiteNoise sends them with a ten-year
# "immutable" Cache-Control that a CDN in front may keep; compressed copies (gzip, brotli)
# are made at collectstatic time.
STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


def redis_cache(location: str, key_prefix: str, timeout_seconds: float = 0.25) -> dict:
    """The Redis cache: shared by every gunicorn worker and instance, so that an invalidation is
    seen everywhere, and optional at run time. A cache call that fails or takes longer than the
    timeout is a miss (the page is rendered from the database), and after a failure the process
    leaves Redis alone for a few seconds (config/redis_cache.py)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": timeout_seconds,
            "SOCKET_TIMEOUT": timeout_seconds,
            "IGNORE_EXCEPTIONS": True,
            "CONNECTION_POOL_CLASS": "config.redis_cache.GuardedConnectionPool",
        },
    }


REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": redis_cache(
            REDIS_URL,
            env("DJANGO_CACHE_KEY_PREFIX", "briefing"),
            envint("DJANGO_CACHE_TIMEOUT_MS", 250, minimum=10) / 1000,
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that depend only on the language, such as the site's header (base.html),
# rendered once per process: kept in its memory, never shared, gone when it restarts.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
}
# After a Redis call fails, each process leaves Redis alone for this long (every cache call a
# miss at once), then tries again (config/redis_cache.py).
CACHE_BREAKER_SECONDS = envint("DJANGO_CACHE_BREAKER_SECONDS", 5, minimum=1)

# The public address: every link sent elsewhere (feeds, sitemap, canonical, API) is made from it,
# never from the request's Host. `check --deploy` requires https (briefing/checks.py).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Processes serving the site here; a per-process cache is only safe with one (briefing/checks.py).
WEB_CONCURRENCY = web_workers()

LOGIN_URL = "admin:login"

# --- Public reading site -------------------------------------------------------------------
# Issue dates read "2026年5月19日 (火)" / "Tuesday, May 19, 2026" (config/formats/<lang>/).
FORMAT_MODULE_PATH = ["config.formats"]
# When an issue comes out, in TIME_ZONE: an issue published after its own date (a backfill)
# is stamped with its date at this time, not with the moment someone imported it.
EDITION_TIME = envtime("DJANGO_EDITION_TIME", "07:00")
# Rendered public pages are cached in the `default` cache (above) and keyed by a content
# generation that every content change replaces: see briefing/cache.py.

# --- Email and the email edition (newsletter/) --------------------------------------------
# EMAIL_URL: smtp://user:pass@host:port, smtp+tls://… (STARTTLS), smtp+ssl://… (implicit TLS)
# or console:// (messages printed to stderr). Unset: the console in debug mode, else the
# SMTP server on localhost:25.
from config.email import email_settings  # noqa: E402

globals().update(
    email_settings(env("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25"))
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "Daily Briefing <briefing@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The envelope sender of editions, where bounces (DSNs) arrive; the From address by default.
NEWSLETTER_RETURN_PATH = env("NEWSLETTER_RETURN_PATH")
# Shared secret a bounce webhook must send (header X-Newsletter-Secret); unset: no webhook.
NEWSLETTER_WEBHOOK_SECRET = env("NEWSLETTER_WEBHOOK_SECRET")
# DKIM signing of every message sent over SMTP, when all three are set.
DKIM_DOMAIN = env("DKIM_DOMAIN")
DKIM_SELECTOR = env("DKIM_SELECTOR")
DKIM_PRIVATE_KEY_FILE = env("DKIM_PRIVATE_KEY_FILE")
if DKIM_PRIVATE_KEY_FILE and not Path(DKIM_PRIVATE_KEY_FILE).is_file():
    raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE: no such file {DKIM_PRIVATE_KEY_FILE}")
# A sender that has not heard back for this long (killed worker) is taken over by the next one.
NEWSLETTER_LEASE_SECONDS = envint("NEWSLETTER_LEASE_SECONDS", 120, minimum=1)
# The first retry after a temporary SMTP failure; each next one waits twice as long (7 tries).
NEWSLETTER_RETRY_SECONDS = envint("NEWSLETTER_RETRY_SECONDS", 60, minimum=1)
# Subscribe requests: per address (further ones send no email) and per client (429 page).
NEWSLETTER_RATE_PER_ADDRESS = envint("NEWSLETTER_RATE_PER_ADDRESS", 3, minimum=1)
NEWSLETTER_RATE_PER_CLIENT = envint("NEWSLETTER_RATE_PER_CLIENT", 20, minimum=1)
NEWSLETTER_RATE_WINDOW_SECONDS = 3600

# Celery sends the editions. With no broker the tasks run in-process (`make run` needs no
# worker); production uses RabbitMQ (docker-compose.yml), any broker URL works.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Scheduled issues become public without a request: this finds them (and resumes sends).
    "send-due-editions": {"task": "newsletter.tasks.send_due_editions", "schedule": 60.0},
    # And the keyword names written for them wait until then (editorial/keywords.py).
    "apply-due-keyword-names": {
        "task": "editorial.tasks.apply_due_keyword_names",
        "schedule": 60.0,
    },
}

# --- Security -----------------------------------------------------------------------------
# Production defaults are the strict ones; each can be relaxed by its variable (documented
# in docs/deploy.md). TLS is expected to end at a proxy or load balancer in front of gunicorn.
HTTPS = envbool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
if envbool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that always sets (and never passes through) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"

# No inline script or style anywhere, the admin included (its templates load every
# script and stylesheet from files). A template that really needs an inline element
# marks it with nonce="{{ request.csp_nonce }}"; the nonce is only sent when used.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "upgrade-insecure-requests": HTTPS,
        "report-uri": envlist("DJANGO_CSP_REPORT_URI", []) or None,
    },
}

# Repeated failed logins (the admin's login form) lock that username from that address
# for a while; every instance sees the same attempts because they are kept in the database.
AXES_FAILURE_LIMIT = envint("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# And an address that fails this often, whatever the usernames, is locked out altogether.
LOGIN_ADDRESS_FAILURE_LIMIT = envint("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=envint("DJANGO_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.security.login_locked_out"
# The proxies in front of gunicorn that append to X-Forwarded-For (0: none, the header is
# ignored). The client's address is the one the outermost of them saw (config/security.py).
TRUSTED_PROXY_COUNT = envint("DJANGO_TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "config.security.client_address"
# A one-time code is not kept in the record of a failed login, like the password.
AXES_SENSITIVE_PARAMETERS = ["otp_token"]

# Two-factor login (TOTP, editorial/two_factor.py): any staff member may turn it on; a
# superuser must, in production (`check --deploy` warns when it is off there). A wrong or
# missing code is a failed login for the throttling above.
OTP_REQUIRED_FOR_SUPERUSERS = envbool("DJANGO_OTP_REQUIRED_FOR_SUPERUSERS", not DEBUG)
# The name authenticator apps show beside the username.
OTP_TOTP_ISSUER = env("DJANGO_OTP_ISSUER", "Daily Briefing")
# Nobody but the device's owner sees its secret, and only while setting it up.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Pasted text and form fields (the issue's plain text runs to tens of kilobytes) and,
# separately, whole request bodies including uploaded files. Larger requests get the 413
# page (config/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DJANGO_MAX_TEXT_SIZE", 2 * 1024 * 1024, minimum=1024)
MAX_REQUEST_SIZE = envint("DJANGO_MAX_UPLOAD_SIZE", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = min(MAX_REQUEST_SIZE, 2 * 1024 * 1024)

# --- Logging ------------------------------------------------------------------------------
# Everything goes to stderr (read by `docker compose logs`); gunicorn writes the one line
# per request (its access log). Errors carry the request path and, for crashes, the
# traceback; nothing is mailed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(name)s] %(process)d %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {
        "handlers": ["stderr"],
        "level": envchoice(
            "DJANGO_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        ),
    },
    "loggers": {
        # Replaces Django's default handlers (console in DEBUG only, mail to ADMINS).
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # 4xx lines would repeat gunicorn's access log; 5xx keep their traceback.
        "django.request": {"level": "ERROR"},
        # Lockouts and repeated failures are warnings; each single attempt is not news.
        "axes": {"level": "WARNING"},
    },
}

# `make bench` only: routes the constant baseline page of bench/baseline.py (with BENCH_TOOLS).
BENCHMARK_BASELINE = envbool("BENCHMARK_BASELINE", False)
