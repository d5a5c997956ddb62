"""API-key authentication, scopes and per-key throttling for the gateway API.

`Authorization: Api-Key sc_<prefix>_<secret>`. Missing, unknown or revoked key: 401. Key of a
suspended business: 403. A call outside the key's scopes: 403. Too many calls: 429.
A view names its scope with `required_scope`: a string, or a dict from HTTP method (or
viewset action) to scope; the default is `gateway`.
"""
import copy
import hashlib
import hmac
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from .. import channels
from ..models import ApiKey, Business

KEYWORD = "Api-Key"
LAST_USED_GRANULARITY = timedelta(minutes=1)
log = logging.getLogger(__name__)

# prefix -> (expires at, ApiKey with its business). Every request otherwise pays for the
# key-and-business lookup; a few seconds of caching per web process removes it from the hot
# path. Revoking a key or suspending a business reaches every process within
# API_KEY_CACHE_SECONDS (the process that revokes forgets the key at once).
_key_cache: dict = {}


def forget_cached_key(prefix: str) -> None:
    _key_cache.pop(prefix, None)


def _load_key(prefix: str):
    ttl = settings.API_KEY_CACHE_SECONDS
    now = time.monotonic()
    if ttl > 0:
        hit = _key_cache.get(prefix)
        if hit and hit[0] > now:
            key = copy.copy(hit[1])
            key.business = copy.copy(hit[1].business)
            return key
    # with what the channels' copy rules read, so emitting events asks the database nothing more
    related = ("business", *(f"business__{name}" for name in channels.business_relations()))
    key = ApiKey.objects.select_related(*related).filter(prefix=prefix).first()
    if ttl > 0 and key is not None:
        if len(_key_cache) > 10_000:
            _key_cache.clear()
        _key_cache[prefix] = (now + ttl, key)
        key = copy.copy(key)
        key.business = copy.copy(key.business)
    return key


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str):
    """'sc_<prefix>_<secret>' -> (prefix, secret), or None."""
    parts = raw.split("_")
    if len(parts) != 3 or parts[0] != "sc" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class GatewayClient:
    """request.user for API calls: the business's integration, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.pk = None

    def __str__(self):
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme != KEYWORD or not raw.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Api-Key <key>'.", code="not_authenticated")
        parts = split_key(raw.strip())
        if parts is None:
            raise exceptions.AuthenticationFailed("Unknown API key.", code="not_authenticated")
        prefix, secret = parts
        key = _load_key(prefix)
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise exceptions.AuthenticationFailed("Unknown API key.", code="not_authenticated")
        if key.is_revoked:
            raise exceptions.AuthenticationFailed("This API key was revoked.", code="not_authenticated")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            cached = _key_cache.get(prefix)
            if cached:
                cached[1].last_used_at = now
        request.business = key.business
        return GatewayClient(key), key

    def authenticate_header(self, request):
        return KEYWORD


class HasGatewayScope(permissions.BasePermission):
    """The key's business is active and the key carries the scope the view requires."""

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            raise exceptions.NotAuthenticated("Send 'Authorization: Api-Key <key>'.")
        if key.business.status != Business.Status.ACTIVE:
            raise exceptions.PermissionDenied("This business is suspended.", code="business_suspended")
        scope = required_scope(request, view)
        if scope not in (key.scopes or []):
            raise exceptions.PermissionDenied(
                f"This API key lacks the '{scope}' scope needed for this call.", code="scope_missing"
            )
        return True


def required_scope(request, view) -> str:
    wanted = getattr(view, "required_scope", ApiKey.Scope.GATEWAY)
    if isinstance(wanted, dict):
        action = getattr(view, "action", None)
        return wanted.get(action) or wanted.get(request.method) or wanted.get("*", ApiKey.Scope.GATEWAY)
    return wanted


_redis = None
_counters: dict = {}  # counter -> [calls not yet sent, last total from Redis, when last sent]
_counters_lock = threading.Lock()


def count_call(counter: str, ttl: int) -> int:
    """Add one to `counter` (created with `ttl` seconds to live) and return its value.

    With Redis the count is shared by every web process, but sent at most every
    THROTTLE_SYNC_SECONDS per counter (one INCRBY): between syncs a process adds its own
    calls to the last total it saw. A key may therefore overshoot its limit by what it can
    send in that fraction of a second, in exchange for no Redis round trip on most calls.
    Without Redis: the configured cache (local memory in the embedded default)."""
    global _redis
    if not settings.THROTTLE_REDIS_URL:
        try:
            return cache.incr(counter)
        except ValueError:  # first call of this window
            if cache.add(counter, 1, timeout=ttl):
                return 1
            return cache.incr(counter)
    now = time.monotonic()
    with _counters_lock:
        entry = _counters.get(counter)
        if entry is None:
            if len(_counters) > 50_000:  # old windows' counters
                _counters.clear()
            entry = _counters[counter] = [0, 0, float("-inf")]
        entry[0] += 1
        if now - entry[2] < settings.THROTTLE_SYNC_SECONDS:
            return entry[1] + entry[0]
        delta, entry[0], entry[2] = entry[0], 0, now
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.THROTTLE_REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        total = _redis.incrby(counter, delta)
        if total == delta:
            _redis.expire(counter, ttl)
    except redis_errors() as exc:  # a throttle must not take the API down with Redis
        log.warning("throttle: Redis unavailable (%s); not counting", exc)
        return 0
    with _counters_lock:
        entry[1] = total
    return total


def redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ApiKeyRateThrottle(throttling.BaseThrottle):
    """Per-key rate limit as a fixed-window counter: one atomic cache increment per call
    (Redis INCR in production). DRF's SimpleRateThrottle stores and re-pickles every request's
    timestamp, which grows with the rate; a counter costs the same at 10 or 10,000 calls a minute.
    The rate comes from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"], e.g. "6000/min"."""

    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def __init__(self):
        count, period = self.THROTTLE_RATES["api_key"].split("/")
        self.limit = int(count)
        self.period = self.PERIODS[period[0]]
        self.wait_seconds = None

    def allow_request(self, request, view):
        key = request.auth
        ident = f"key:{key.pk}" if isinstance(key, ApiKey) else f"ip:{self.get_ident(request)}"
        now = time.time()
        window = int(now // self.period)
        count = count_call(f"throttle:{ident}:{window}", self.period + 1)
        if count <= self.limit:
            return True
        self.wait_seconds = (window + 1) * self.period - now
        return False

    def wait(self):
        return self.wait_seconds
