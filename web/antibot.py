"""Bot protection of the public forms without a third-party service: a fixed-window rate limit
per client IP (or per browser-chat visitor) in the shared cache, a honeypot field people never
see, and a signed time stamp (a form sent faster than a person can type is a bot's)."""
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

TIME_SALT = "web.form-time"
MAX_FORM_AGE = 24 * 3600


def client_ip(request: HttpRequest) -> str:
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR") or "")[:64]


def allow(bucket: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of `key` in `bucket`; False once the window already holds `limit` hits."""
    window = int(time.time() // window_seconds)
    cache_key = f"web:rate:{bucket}:{window}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit


def form_stamp() -> str:
    return signing.dumps(time.time(), salt=TIME_SALT)


def stamp_ok(stamp: str, *, min_seconds: float) -> bool:
    """The form was rendered by us between `min_seconds` and a day ago."""
    try:
        rendered = float(signing.loads(stamp or "", salt=TIME_SALT, max_age=MAX_FORM_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return False
    return time.time() - rendered >= min_seconds
