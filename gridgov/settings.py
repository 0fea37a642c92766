"""GridGov settings: everything comes from the environment (see docs/configuration.md)."""

from pathlib import Path

import dj_database_url

from gridgov.lib.env import env_bool, env_int, env_list, env_str
from gridgov.lib.secrets import load_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GRIDGOV_VAR_DIR", str(BASE_DIR / "var")))

DEMO = env_bool("GRIDGOV_DEMO", False)
_secrets = load_secrets(demo=DEMO, path=VAR_DIR / "secrets.env")
SECRET_KEY = _secrets["GRIDGOV_SECRET_KEY"]
GRIDGOV_DATA_KEY = _secrets["GRIDGOV_DATA_KEY"]

DEBUG = env_bool("GRIDGOV_DEBUG", False)
ALLOWED_HOSTS = env_list("GRIDGOV_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("GRIDGOV_CSRF_TRUSTED_ORIGINS", [])
GRIDGOV_TRUSTED_PROXIES = env_list("GRIDGOV_TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "gridgov.core",
    "gridgov.accounts",
    "gridgov.territory",
    "gridgov.people",
    "gridgov.notify",
    "gridgov.cases",
    "gridgov.sensors",
    "gridgov.open311",
    "gridgov.hotline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridgov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.core.context.site",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("GRIDGOV_DB_CONN_MAX_AGE", 60, minimum=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work beside one writer; FULL makes an acknowledged report survive a power cut.
        # Kept open like PostgreSQL's (GRIDGOV_DB_CONN_MAX_AGE): opening one per request and running these
        # PRAGMAs again cost more than a whole health check.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASE_URL = env_str("GRIDGOV_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GRIDGOV_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "gridgov" / "static",
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("GRIDGOV_MEDIA_DIR", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# The territory map: an intranet tile server, or none (polygons on a plain background).
GRIDGOV_TILE_URL = env_str("GRIDGOV_TILE_URL", "")
GRIDGOV_TILE_ATTRIBUTION = env_str("GRIDGOV_TILE_ATTRIBUTION", "")
GRIDGOV_SITE_NAME = env_str("GRIDGOV_SITE_NAME", "基层智治平台")
GRIDGOV_WORKER_INTERVAL = env_int("GRIDGOV_WORKER_INTERVAL", 30, minimum=1)
GRIDGOV_UNVERIFIED_DAYS = env_int("GRIDGOV_UNVERIFIED_DAYS", 90, minimum=1)
# Cases and notifications (docs/cases.md): office hours for deadlines; optional SMS gateway and WeCom robot.
GRIDGOV_OFFICE_HOURS = env_str("GRIDGOV_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
GRIDGOV_SMS_URL = env_str("GRIDGOV_SMS_URL", "")
GRIDGOV_WECOM_WEBHOOK = env_str("GRIDGOV_WECOM_WEBHOOK", "")
GRIDGOV_NOTIFY_MAX_ATTEMPTS = env_int("GRIDGOV_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
# 12345 hotline (docs/hotline.md): where status changes are pushed (off when empty), and how often to retry.
GRIDGOV_HOTLINE_WEBHOOK = env_str("GRIDGOV_HOTLINE_WEBHOOK", "")
GRIDGOV_HOTLINE_MAX_ATTEMPTS = env_int("GRIDGOV_HOTLINE_MAX_ATTEMPTS", 8, minimum=1)
# Minutes a care alert may stay unacknowledged before it becomes a care case for the grid worker.
GRIDGOV_CARE_ACK_MINUTES = env_int("GRIDGOV_CARE_ACK_MINUTES", 30, minimum=1)
GRIDGOV_MQTT_HOST = env_str("GRIDGOV_MQTT_HOST", "127.0.0.1")
GRIDGOV_MQTT_PORT = env_int("GRIDGOV_MQTT_PORT", 1883, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("GRIDGOV_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
