"""A rating given in the chat waits a while for its comment (`comment_until`); the comment is
taken only in that window, and only for a rating that asked for one."""
from datetime import timedelta

import pytest
from django.utils import timezone

from shopchat.errors import DomainError
from support import services
from support.models import SatisfactionRating

pytestmark = pytest.mark.django_db


@pytest.fixture
def solved(ticket):
    return services.change_status(ticket=ticket, status="solved")


def test_a_rating_with_a_comment_window_takes_the_comment_once(solved):
    services.rate_ticket(ticket=solved, rating="good", comment_window=timedelta(minutes=30))
    services.add_rating_comment(ticket=solved, comment="  Very helpful  ")
    rating = SatisfactionRating.objects.get(ticket=solved)
    assert rating.comment == "Very helpful" and rating.comment_until is None
    with pytest.raises(DomainError) as err:
        services.add_rating_comment(ticket=solved, comment="And another thing")
    assert err.value.code == "no_comment_asked"


def test_a_comment_after_the_window_is_refused(solved):
    services.rate_ticket(ticket=solved, rating="bad", comment_window=timedelta(minutes=30))
    with pytest.raises(DomainError) as err:
        services.add_rating_comment(ticket=solved, comment="Late", now=timezone.now() + timedelta(minutes=31))
    assert err.value.code == "no_comment_asked"
    assert SatisfactionRating.objects.get(ticket=solved).comment == ""


def test_a_rating_without_a_window_takes_no_later_comment(solved):
    services.rate_ticket(ticket=solved, rating="good")
    with pytest.raises(DomainError):
        services.add_rating_comment(ticket=solved, comment="Hello")


def test_a_rating_given_with_its_comment_waits_for_none(solved):
    rating = services.rate_ticket(ticket=solved, rating="good", comment="Great", comment_window=timedelta(minutes=30))
    assert rating.comment_until is None
