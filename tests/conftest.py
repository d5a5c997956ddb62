"""Fixtures shared by every app's tests: businesses, staff, API clients, and the PostgreSQL
and Redis switches."""
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from shopchat.services import create_api_key
from tests.factories import BusinessFactory, MembershipFactory

requires_postgres = pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (set DATABASE_URL)")
requires_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")


@pytest.fixture
def business(db):
    return BusinessFactory()


@pytest.fixture
def other_business(db):
    return BusinessFactory()


def api_client_for(business, scopes=("gateway",)):
    _, key = create_api_key(business=business, name="test", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.raw_key = key
    return client


@pytest.fixture
def api(business):
    """An API client with a gateway key of `business`."""
    return api_client_for(business)


@pytest.fixture
def integration_api(business):
    """An API client with a gateway + integration key of `business`."""
    return api_client_for(business, scopes=("gateway", "integration"))


@pytest.fixture
def other_api(other_business):
    return api_client_for(other_business, scopes=("gateway", "integration"))


def staff_client(business, role):
    from django.test import Client

    membership = MembershipFactory(business=business, role=role)
    client = Client()
    client.force_login(membership.user)
    client.user = membership.user
    return client


@pytest.fixture
def owner_client(business):
    return staff_client(business, "owner")


@pytest.fixture
def manager_client(business):
    return staff_client(business, "manager")


@pytest.fixture
def agent_client(business):
    return staff_client(business, "agent")


@pytest.fixture
def receiver():
    """An HTTP receiver on 127.0.0.1 answering 200."""
    from tests.receiver import Receiver

    with Receiver() as r:
        yield r


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached state never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def start_celery_worker(log_name: str, *extra: str, **popen):
    """A Celery worker process (all queues, on Redis) against the test database: the command
    and environment every integration test's worker shares. `extra`: more worker options."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopchat.settings",
        "DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "OUTBOX_BASE_BACKOFF_SECONDS": "0.5",
        "OUTBOX_LEASE_SECONDS": "15",  # a killed worker's sends are taken again soon
        "OUTBOUND_ALLOW_PRIVATE": "True",  # the test receivers listen on 127.0.0.1
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "LOG_LEVEL": "WARNING",
    }
    root = Path(__file__).resolve().parent.parent
    log = open(root / "var" / log_name, "w")  # noqa: SIM115 (the worker writes it until it ends)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "shopchat", "worker",
         "-Q", "default,payments,notifications", "--loglevel", "WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle", *extra],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, **popen,
    )


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker):
    """A real Celery worker (all queues, on Redis) against the test database, for the
    integration tests of the PostgreSQL + Redis run. Tests using it need committed data
    (`django_db(transaction=True)`) and must not run tasks eagerly (see `real_celery`)."""
    import subprocess
    import time

    if not (settings.IS_POSTGRES and settings.REDIS_URL):
        pytest.skip("needs PostgreSQL and Redis")
    proc = start_celery_worker("test-worker.log", "--concurrency", "2", "--pool", "threads")
    time.sleep(3)
    if proc.poll() is not None:
        pytest.fail("the Celery worker did not start; see var/test-worker.log")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _forget_cached_keys(redis_url: str) -> None:
    """Delete Django's cache keys (`:<version>:<key>`) from the Redis database the worker caches
    in, leaving Celery's queues and bindings (same database) alone."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=":*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def real_celery(live_worker):
    """Send tasks to the live worker through Redis instead of running them eagerly. The test
    process caches in the worker's Redis meanwhile, as a web process does in production: what
    it invalidates (a discount saved, a catalog bumped) is invalidated for the worker too, and
    nothing the worker cached for an earlier test (or an earlier run, whose ids a new test
    database reuses) is read for this one."""
    from django.test import override_settings

    from shopchat.celery import app

    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}}
    _forget_cached_keys(settings.REDIS_URL)
    app.conf.task_always_eager = False
    with override_settings(CACHES=shared):
        yield live_worker
    app.conf.task_always_eager = True
    _forget_cached_keys(settings.REDIS_URL)


def pytest_sessionstart(session):
    """Build the translation catalogs that changed (a fresh clone has only the .po files), so a
    plain `pytest` speaks every language as `make test` does."""
    from shopchat.management.commands.compile_translations import compile_stale

    compile_stale()
