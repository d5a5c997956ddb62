"""The back office's shipping options and discounts: amounts typed and shown in major units of
the shop's currency (kept in minor units), the bands of an option in its shop's currency."""
from decimal import Decimal

import pytest

from orders.models import Discount, ShippingOption, ShippingZone

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(business):
    return ShippingZone.objects.create(business=business, name="India", country="IN")


def test_an_option_is_entered_in_major_units_with_its_bands(owner_client, business, zone):
    response = owner_client.post("/admin/orders/shippingoption/add/", {
        "business": business.pk, "code": "express", "name": "Express", "description": "", "kind": "delivery",
        "zone": zone.pk, "price_minor": "150.00", "free_over_minor": "1000", "position": "1", "is_active": "on",
        "bands-TOTAL_FORMS": "1", "bands-INITIAL_FORMS": "0", "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000", "bands-0-from_minor": "500.00", "bands-0-price_minor": "100.50",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    option = ShippingOption.objects.get(business=business, code="express")
    assert (option.price_minor, option.free_over_minor) == (15000, 100_000)
    assert list(option.bands.values_list("from_minor", "price_minor")) == [(50_000, 10_050)]


def test_the_option_page_shows_amounts_in_major_units(owner_client, business, zone):
    option = ShippingOption.objects.create(business=business, code="std", name="Standard", zone=zone,
                                           price_minor=4000)
    option.bands.create(from_minor=50_000, price_minor=2500)
    page = owner_client.get(f"/admin/orders/shippingoption/{option.pk}/change/").content.decode()
    assert 'value="40.00"' in page and 'value="500.00"' in page and 'value="25.00"' in page


def test_a_fixed_discount_is_entered_in_major_units(owner_client, business):
    response = owner_client.post("/admin/orders/discount/add/", {
        "business": business.pk, "code": "flat50", "name": "50 off", "kind": "fixed", "percent": "",
        "amount_minor": "50.00", "min_subtotal_minor": "500.00", "is_active": "on",
        "redemptions-TOTAL_FORMS": "0", "redemptions-INITIAL_FORMS": "0", "redemptions-MIN_NUM_FORMS": "0",
        "redemptions-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    discount = Discount.objects.get(business=business, code="FLAT50")
    assert (discount.amount_minor, discount.min_subtotal_minor, discount.percent) == (5000, 50_000, None)


def test_the_discount_list_shows_amounts_in_the_shop_currency(owner_client, business):
    Discount.objects.create(business=business, code="SAVE10", name="10% off", kind="percent", percent=Decimal("10"),
                            min_subtotal_minor=50_000)
    page = owner_client.get("/admin/orders/discount/").content.decode()
    assert "SAVE10" in page and "500.00" in page
