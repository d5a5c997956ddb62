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
