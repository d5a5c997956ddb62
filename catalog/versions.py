"""The catalog's cache version per business: public pages built from the catalog are cached
under it, and every catalog service that changes what a shopper sees bumps it once its
transaction commits (no signals: the service that writes says so).

The version is a fresh token rather than a counter, so a version lost from the cache (an
eviction, a Redis restart) never comes back as an old number that still has pages cached."""
import time

from django.core.cache import cache
from django.db import transaction

KEY = "catalog:version:{}"


def catalog_version(business_id: int) -> str:
    """The current version of the business's catalog (created on first use)."""
    key = KEY.format(business_id)
    version = cache.get(key)
    if version is None:
        version = str(time.time_ns())
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return str(version)


def bump_catalog_version(business_id: int) -> None:
    """Start a new version once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.set(KEY.format(business_id), str(time.time_ns()), timeout=None))
