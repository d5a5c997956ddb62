"""Totals: exact minor units, half-up rounding, tax inclusive or exclusive, free shipping."""
from decimal import Decimal

import pytest

from orders import services
from orders.services import compute_totals

pytestmark = pytest.mark.django_db


def totals(business, items_minor, **settings):
    for name, value in settings.items():
        setattr(business, name, value)
    return compute_totals(business=business, items_minor=items_minor)


def adds_up(t):
    return t["total_minor"] == t["subtotal_minor"] + t["tax_minor"] + t["shipping_minor"] - t["discount_minor"]


def test_inclusive_tax_is_the_part_of_the_price_that_is_tax(business):
    t = totals(business, 105000, tax_rate_percent=Decimal("5"), prices_include_tax=True)
    assert (t["subtotal_minor"], t["tax_minor"], t["total_minor"]) == (100000, 5000, 105000)
    assert adds_up(t)


def test_exclusive_tax_is_added_on_top(business):
    t = totals(business, 100000, tax_rate_percent=Decimal("18"), prices_include_tax=False)
    assert (t["subtotal_minor"], t["tax_minor"], t["total_minor"]) == (100000, 18000, 118000)


def test_tax_rounds_half_up_to_the_minor_unit(business):
    # 5% of 1010 = 50.5 -> 51; inclusive 12% of 1000 = 1000 * 12 / 112 = 107.14 -> 107
    assert totals(business, 1010, tax_rate_percent=Decimal("5"), prices_include_tax=False)["tax_minor"] == 51
    t = totals(business, 1000, tax_rate_percent=Decimal("12"), prices_include_tax=True)
    assert (t["tax_minor"], t["subtotal_minor"], t["total_minor"]) == (107, 893, 1000)


def test_shipping_is_free_at_or_above_the_threshold(business):
    settings = {"shipping_fee_minor": 4000, "free_shipping_over_minor": 100000}
    assert totals(business, 99999, **settings)["shipping_minor"] == 4000
    assert totals(business, 100000, **settings)["shipping_minor"] == 0
    assert totals(business, 99999, **settings)["total_minor"] == 103999


def test_shipping_without_a_threshold_is_always_charged(business):
    assert totals(business, 10_000_000, shipping_fee_minor=500, free_shipping_over_minor=None)["shipping_minor"] == 500


@pytest.mark.parametrize("include", [True, False])
@pytest.mark.parametrize("rate", ["0", "5", "12.5", "18", "28"])
@pytest.mark.parametrize("amount", [1, 99, 1001, 12345, 999999])
def test_totals_always_add_up(business, include, rate, amount):
    t = totals(business, amount, tax_rate_percent=Decimal(rate), prices_include_tax=include, shipping_fee_minor=700)
    assert adds_up(t) and min(t.values()) >= 0


def test_placed_order_carries_inclusive_totals(business, customer, make_product):
    business.tax_rate_percent, business.prices_include_tax = Decimal("5"), True
    business.shipping_fee_minor, business.free_shipping_over_minor = 4000, 100000
    business.save()
    make_product("A", price_minor=24900)
    order = services.place_order(business=business, customer=customer, items=[{"retailer_id": "A", "quantity": 2}])
    # 498.00 incl. 5%: tax 23.71, net 474.29; below 1000.00, so 40.00 shipping
    assert (order.subtotal_minor, order.tax_minor, order.shipping_minor, order.discount_minor, order.total_minor) == \
        (47429, 2371, 4000, 0, 53800)


def test_placed_order_carries_exclusive_totals(business, customer, make_product):
    business.tax_rate_percent, business.prices_include_tax = Decimal("18"), False
    business.shipping_fee_minor, business.free_shipping_over_minor = 4000, 100000
    business.save()
    make_product("A", price_minor=60000)
    order = services.place_order(business=business, customer=customer, items=[{"retailer_id": "A", "quantity": 2}])
    totals = (order.subtotal_minor, order.tax_minor, order.shipping_minor, order.total_minor)
    assert totals == (120000, 21600, 0, 141600)


def test_api_shows_totals_as_decimal_strings(api, business, customer, make_product):
    business.tax_rate_percent, business.prices_include_tax = Decimal("18"), False
    business.save()
    make_product("A", price_minor=999)
    body = api.post("/api/v1/orders/", {"customer": customer.wa_id, "items": [{"retailer_id": "A", "quantity": 3}]},
                    format="json").json()
    assert (body["subtotal"], body["tax"], body["total"]) == ("29.97", "5.39", "35.36")
