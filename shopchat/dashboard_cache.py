"""A short cache of the home page's heavy figures, per business, exact: a cached answer is used
only while no watched row of its businesses has been written since it was computed.

Each business has a version in the shared cache, bumped when a transaction that wrote one of the
watched models (`watch`, from the owning app's ready()) commits: by the unit of work's flush
(`written`) and by the ORM's save and delete of those models (signals). A reader takes the
versions before its queries, so figures computed from a snapshot that missed a write are filed
under a version that write's commit has already left behind. DASHBOARD_CACHE_SECONDS (0: off,
the default without Redis, where each process would have its own cache) bounds any write that
bypasses both paths; platform staff (every business) always get fresh figures."""
import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .tenancy import business_ids

T = TypeVar("T")
VERSION_KEY = "dashboard:version:{}"
_watched: set[type[Model]] = set()


def watch(*models: type[Model]) -> None:
    """Writes of `models` (rows with a `business_id`) make their business's cached figures stale."""
    for model in models:
        if model not in _watched:
            _watched.add(model)
            post_save.connect(_saved, sender=model, weak=False)
            post_delete.connect(_saved, sender=model, weak=False)


def _saved(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    written(getattr(instance, "business_id", None), [sender])


def written(business_id: int | None, models: Iterable[type[Model]]) -> None:
    """`models` were written for the business: its figures are stale once this transaction commits."""
    if business_id is None or not getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) or not _watched.intersection(models):
        return
    transaction.on_commit(lambda: _bump(business_id))


def _bump(business_id: int) -> None:
    key = VERSION_KEY.format(business_id)
    try:
        cache.incr(key)
    except ValueError:  # never set, or evicted: a value no cached answer was filed under
        cache.set(key, time.time_ns(), timeout=None)


def _versions(ids: list[int]) -> list[int]:
    keys = [VERSION_KEY.format(pk) for pk in ids]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def cached(user: Any, area: str, name: str, parts: Iterable[Any], compute: Callable[[], T]) -> T:
    """`compute()` (figures over the businesses `user` sees in `area`), or its answer cached for
    the same businesses, `parts` (what else it depends on: the day, the time zone) and versions."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 0)
    if not seconds or user.is_superuser:
        return compute()
    ids = sorted(business_ids(user, area))
    digest = hashlib.sha256(repr((name, ids, _versions(ids), list(parts))).encode()).hexdigest()
    key = f"dashboard:figures:{digest}"
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, answer, timeout=seconds)
    return answer
