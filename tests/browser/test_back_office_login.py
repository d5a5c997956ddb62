"""The back-office login as a merchant meets it, on a laptop and on a phone."""
import pytest

from tests.browser.conftest import login, scrolls_sideways
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner():
    user = UserFactory(username="owner@shop.example", password="a-long-pass-123")
    MembershipFactory(user=user, business=BusinessFactory(name="Chai Corner"), role="owner")
    return user


def test_an_owner_logs_in_and_lands_on_the_back_office(page, owner):
    login(page, "owner@shop.example", "a-long-pass-123")
    assert "/admin/" in page.url and "login" not in page.url
    assert page.locator("body").inner_text()


def test_the_login_fits_a_phone_screen(phone, owner):
    phone.goto("/admin/login/")
    assert phone.locator("input[name=username]").is_visible()
    assert not scrolls_sideways(phone)
