"""Settings for the test suite: the same as production's, with Celery tasks run eagerly
(integration tests switch a real worker on), fast password hashing and in-memory e-mail."""
from .settings import *  # noqa: F401,F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min"}}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
OUTBOX_TIMEOUT_SECONDS = 2.0
OUTBOX_PUBLISH_IN_BACKGROUND = False  # eager Celery: deliveries happen at commit, in the test's thread
BENCH_ENDPOINTS = True
API_KEY_CACHE_SECONDS = 0  # tests change keys and businesses between requests
THROTTLE_REDIS_URL = ""  # counters in the per-test local-memory cache (tests/core tests the Redis path)
OUTBOUND_ALLOW_PRIVATE = True  # receivers and the fake Cloud API listen on 127.0.0.1 (test_outbound turns it off)
WHATSAPP_WEBHOOK_MAX_AGE_SECONDS = None  # the recorded payloads are from 2025 (test_webhook_hardening turns it on)
WHATSAPP_PACING = False  # tests/chat/test_pacing.py turns it on; elsewhere one test's sends would pace the next's
