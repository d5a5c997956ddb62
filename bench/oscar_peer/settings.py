"""Settings of the oscar peer: django-oscar's documented set-up plus django-oscar-api, anonymous
checkout allowed, DEBUG off, on PostgreSQL (OSCAR_DATABASE_URL), served by the same gunicorn
configuration as shopchat. Only the bench's CPU-time header is added to oscar's middleware."""
import os
from urllib.parse import urlparse

from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F403 - oscar's documented way to take its defaults

_db = urlparse(os.environ["OSCAR_DATABASE_URL"])

SECRET_KEY = "bench-oscar-secret-key-not-for-production-0123456789abcdefghijklmnop"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SITE_ID = 1
ROOT_URLCONF = "bench.oscar_peer.urls"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-gb"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
STATIC_URL = "/static/"

INSTALLED_APPS = [*OSCAR_APPS, "rest_framework", "oscarapi"]

MIDDLEWARE = [
    "bench.cpu.CpuTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "oscar.apps.search.context_processors.search_form",
        "oscar.apps.checkout.context_processors.checkout",
        "oscar.apps.communication.notifications.context_processors.notifications",
        "oscar.core.context_processors.metadata",
    ]},
}]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": _db.path.lstrip("/"),
    "USER": _db.username or "postgres",
    "PASSWORD": _db.password or "",
    "HOST": _db.hostname or "127.0.0.1",
    "PORT": _db.port or 5432,
    "CONN_MAX_AGE": 600,
    "ATOMIC_REQUESTS": False,
}}

AUTHENTICATION_BACKENDS = ["oscar.apps.customer.auth_backends.EmailBackend",
                           "django.contrib.auth.backends.ModelBackend"]
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"  # no index to keep in step

OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_DEFAULT_CURRENCY = "INR"
REST_FRAMEWORK = {
    # The product list paged by 20, as shopchat's; oscar-api's own default is the whole table.
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # the order confirmation is rendered, not sent
