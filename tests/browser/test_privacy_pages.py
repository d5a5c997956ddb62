"""The erasure confirmation page as an owner meets it: select the customer, choose the action,
read what will happen, give a reason and confirm; on a laptop and on a 390 px phone."""
import pytest

from shopchat.models import Customer
from tests.browser.conftest import login, screenshot, scrolls_sideways
from tests.factories import BusinessFactory, CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer():
    user = UserFactory(username="owner@shop.example", password="a-long-pass-123")
    business = BusinessFactory(name="Chai Corner")
    MembershipFactory(user=user, business=business, role="owner")
    return CustomerFactory(business=business, wa_id="4915112345678", name="Ottilie Brandhuber")


def open_confirmation(page, customer):
    login(page, "owner@shop.example", "a-long-pass-123")
    page.goto("/admin/shopchat/customer/")
    page.check(f"input[name=_selected_action][value='{customer.pk}']")
    page.select_option("select[name=action]", "erase_data")
    page.click("button[name=index]")
    page.wait_for_load_state("networkidle")


def test_an_owner_erases_a_customer_after_the_confirmation_page(page, customer):
    open_confirmation(page, customer)
    assert "cannot be undone" in page.locator("#content").inner_text()
    screenshot(page, "erase-confirmation")
    page.fill("#id_reason", "asked by e-mail")
    page.click("input[type=submit][value='Yes, erase']")
    page.wait_for_load_state("networkidle")
    # the back office's message, whatever the theme's markup around it
    assert page.get_by_text("Personal data of 1 customer(s) erased.").is_visible()
    assert Customer.objects.get(pk=customer.pk).erased_at is not None


def test_the_confirmation_page_fits_a_phone_screen(phone, customer):
    open_confirmation(phone, customer)
    assert phone.locator("input[type=submit][value='Yes, erase']").is_visible()
    assert not scrolls_sideways(phone)
    screenshot(phone, "erase-confirmation-phone")
