"""Shipping options per business: zones by country and postcode prefix, flat / banded / free-over
prices, pickup in store; offered through the API for an address and taken at placement."""
import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import ShippingBand, ShippingOption, ShippingZone
from orders.services.addresses import Address
from orders.services.shipping import quotes_for

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "17 MG Road", "city": "Bengaluru", "postcode": "560001", "region": "Karnataka", "country": "IN"}


@pytest.fixture
def options(business):
    city = ShippingZone.objects.create(business=business, name="Bengaluru", country="IN", postcode_prefixes="560,561")
    india = ShippingZone.objects.create(business=business, name="India", country="IN")
    standard = ShippingOption.objects.create(business=business, code="standard", name="Standard", zone=city,
                                             price_minor=4000, free_over_minor=100_000, position=1)
    express = ShippingOption.objects.create(business=business, code="express", name="Express", zone=city,
                                            price_minor=15000, position=2)
    ShippingBand.objects.create(option=express, from_minor=50_000, price_minor=10000)
    ShippingBand.objects.create(option=express, from_minor=200_000, price_minor=0)
    ShippingOption.objects.create(business=business, code="india", name="India", zone=india, price_minor=8000)
    ShippingOption.objects.create(business=business, code="pickup", name="Pickup", kind="pickup", position=9)
    return {"standard": standard, "express": express}


def priced(business, postcode, items_minor, country="IN"):
    address = Address(name="A", line1="x", city="y", country=country, postcode=postcode)
    return [(q.option.code, q.price_minor) for q in quotes_for(business=business, address=address,
                                                               items_minor=items_minor)]


def test_the_most_specific_zone_prices_an_address(business, options):
    assert priced(business, "560001", 10_000) == [("standard", 4000), ("express", 15000), ("pickup", 0)]
    assert priced(business, "110001", 10_000) == [("india", 8000), ("pickup", 0)]


def test_an_address_in_no_zone_gets_only_pickup(business, options):
    assert priced(business, "10117", 10_000, country="DE") == [("pickup", 0)]


@pytest.mark.parametrize("items_minor, standard, express", [
    (49_999, 4000, 15000), (50_000, 4000, 10000), (99_999, 4000, 10000), (100_000, 0, 10000), (200_000, 0, 0)])
def test_prices_follow_bands_and_free_over(business, options, items_minor, standard, express):
    assert dict(priced(business, "560001", items_minor))["standard"] == standard
    assert dict(priced(business, "560001", items_minor))["express"] == express


def test_a_negative_price_is_refused_by_the_database(business, options):
    with pytest.raises(IntegrityError):
        ShippingOption.objects.filter(pk=options["standard"].pk).update(price_minor=-1)


def test_a_delivery_option_needs_a_zone_in_the_database(business):
    with pytest.raises(IntegrityError):
        ShippingOption.objects.create(business=business, code="x", name="X", kind="delivery")


def test_the_api_offers_the_options_serving_an_address_with_their_price(api, options):
    body = api.get("/api/v1/shipping/options/?country=IN&postcode=560001&order_value=624.50").json()
    assert [(o["code"], o["price"]) for o in body] == [("standard", "40.00"), ("express", "100.00"),
                                                      ("pickup", "0.00")]


def test_the_api_refuses_a_bad_order_value_naming_it(api, options):
    response = api.get("/api/v1/shipping/options/?order_value=lots")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["order_value"]


def test_another_business_options_are_not_offered(other_api, options):
    assert other_api.get("/api/v1/shipping/options/?country=IN&postcode=560001").json() == []


def test_placement_with_a_shipping_option_prices_it(api, customer, product, options):
    response = api.post("/api/v1/orders/", {"customer": customer.wa_id, "address": ADDRESS,
                                            "shipping_option": "express",
                                            "items": [{"retailer_id": product.retailer_id, "quantity": 2}]},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["subtotal"], body["shipping"], body["total"]) == ("500.00", "100.00", "600.00")
    assert body["shipping_method"] == "Express" and body["fulfilment"] == "delivery"


def test_placement_with_an_option_not_serving_the_address_writes_nothing(api, customer, product, options):
    delhi = {**ADDRESS, "postcode": "110001", "city": "New Delhi", "region": "Delhi"}
    response = api.post("/api/v1/orders/", {"customer": customer.wa_id, "address": delhi, "shipping_option": "express",
                                            "items": [{"retailer_id": product.retailer_id, "quantity": 1}]},
                        format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["shipping_option"]
    assert not customer.orders.exists()


def test_placement_with_the_pickup_option_needs_no_address(api, customer, product, options):
    body = api.post("/api/v1/orders/", {"customer": customer.wa_id, "shipping_option": "pickup",
                                        "items": [{"retailer_id": product.retailer_id, "quantity": 1}]},
                    format="json").json()
    assert body["fulfilment"] == "pickup" and body["shipping"] == "0.00"


def test_a_delivery_option_without_an_address_is_refused(api, customer, product, options):
    response = api.post("/api/v1/orders/", {"customer": customer.wa_id, "shipping_option": "standard",
                                            "items": [{"retailer_id": product.retailer_id, "quantity": 1}]},
                        format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["address"]


@pytest.mark.django_db(transaction=True)
def test_a_shipping_option_costs_the_same_queries_however_many_options_and_bands(business, customer, make_product):
    make_product("P", stock=100)
    items = [{"retailer_id": "P", "quantity": 1}]
    services.place_order(business=business, customer=customer, items=items)  # numbering set up
    zone = ShippingZone.objects.create(business=business, name="All", country="IN")

    def count():
        with CaptureQueriesContext(connection) as queries:
            services.place_order(business=business, customer=customer, items=items, address=ADDRESS,
                                 shipping_option="opt0")
        return len(queries.captured_queries)

    def add_options(start, n):
        for i in range(start, start + n):
            option = ShippingOption.objects.create(business=business, code=f"opt{i}", name=f"O{i}", zone=zone)
            ShippingBand.objects.bulk_create([ShippingBand(option=option, from_minor=b * 100, price_minor=b)
                                              for b in range(5)])

    add_options(0, 1)
    one = count()
    add_options(1, 9)
    assert count() == one
