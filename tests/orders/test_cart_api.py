"""The chat cart: /api/v1/customers/{wa_id}/cart/ and .../cart/items/{retailer_id}/."""
import pytest

from orders.models import CartItem
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CART = "/api/v1/customers/{}/cart/"
ITEM = "/api/v1/customers/{}/cart/items/{}/"


def test_putting_an_item_creates_the_customer_and_the_cart(api, business, product):
    response = api.put(ITEM.format("919811112222", "TEA"), {"quantity": 2}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["customer"] == "919811112222"
    assert body["items"] == [{"retailer_id": "TEA", "title": "Assam tea", "quantity": 2, "unit_price": "250.00",
                              "line_total": "500.00", "available": 20}]
    assert body["subtotal"] == "500.00" and body["currency"] == "INR" and body["item_count"] == 2


def test_putting_an_item_again_replaces_its_quantity(api, customer, product):
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 2}, format="json")
    body = api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 5}, format="json").json()
    assert [i["quantity"] for i in body["items"]] == [5]
    assert CartItem.objects.count() == 1


def test_cart_shows_current_prices(api, customer, product):
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 2}, format="json")
    product.sale_price_minor = 20000
    product.save()
    body = api.get(CART.format(customer.wa_id)).json()
    assert body["items"][0]["unit_price"] == "200.00" and body["subtotal"] == "400.00"


@pytest.mark.parametrize("quantity", [0, -1, 1000, "two", None])
def test_quantity_must_be_1_to_999(api, customer, product, quantity):
    response = api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": quantity}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]
    assert not CartItem.objects.exists()


def test_inactive_product_cannot_go_in_the_cart(api, customer, make_product):
    make_product("OLD", is_active=False)
    response = api.put(ITEM.format(customer.wa_id, "OLD"), {"quantity": 1}, format="json")
    assert response.status_code == 404
    assert not CartItem.objects.exists()


def test_tracked_product_cannot_go_above_available_stock(api, customer, make_product):
    make_product("FEW", stock=5, reserved_quantity=3)
    response = api.put(ITEM.format(customer.wa_id, "FEW"), {"quantity": 3}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_stock"
    assert error["items"] == [{"retailer_id": "FEW", "title": "Thing", "requested": 3, "available": 2}]
    assert api.put(ITEM.format(customer.wa_id, "FEW"), {"quantity": 2}, format="json").status_code == 200


def test_untracked_product_is_always_available(api, customer, make_product):
    make_product("ANY", stock=None)
    assert api.put(ITEM.format(customer.wa_id, "ANY"), {"quantity": 999}, format="json").status_code == 200


def test_removing_an_item(api, customer, product, make_product):
    make_product("RICE")
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 1}, format="json")
    api.put(ITEM.format(customer.wa_id, "RICE"), {"quantity": 1}, format="json")
    body = api.delete(ITEM.format(customer.wa_id, "TEA")).json()
    assert [i["retailer_id"] for i in body["items"]] == ["RICE"]


def test_clearing_the_cart(api, customer, product):
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 1}, format="json")
    assert api.delete(CART.format(customer.wa_id)).status_code == 204
    assert api.get(CART.format(customer.wa_id)).json()["items"] == []


def test_a_customer_without_a_cart_has_an_empty_one(api, customer):
    body = api.get(CART.format(customer.wa_id)).json()
    assert body["items"] == [] and body["subtotal"] == "0.00"


def test_invalid_wa_id_is_a_400_naming_it(api):
    response = api.get(CART.format("12ab"))
    assert response.status_code == 400
    assert "wa_id" in response.json()["error"]["fields"]


def test_another_business_cannot_see_or_clear_the_cart(api, other_api, customer, product):
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 1}, format="json")
    assert other_api.get(CART.format(customer.wa_id)).status_code == 404
    assert other_api.delete(CART.format(customer.wa_id)).status_code == 404
    assert CartItem.objects.count() == 1


def test_another_business_product_cannot_go_in_the_cart(api, customer, make_product, other_business):
    make_product("THEIRS", business=other_business)
    assert api.put(ITEM.format(customer.wa_id, "THEIRS"), {"quantity": 1}, format="json").status_code == 404


def test_same_number_at_another_business_is_another_customer(api, other_api, customer, product, other_business,
                                                            make_product):
    make_product("TEA", business=other_business)
    CustomerFactory(business=other_business, wa_id=customer.wa_id)
    api.put(ITEM.format(customer.wa_id, "TEA"), {"quantity": 3}, format="json")
    assert other_api.get(CART.format(customer.wa_id)).json()["items"] == []


def test_setting_an_item_again_answers_the_whole_cart_in_cart_order(api, make_product):
    make_product("A", price_minor=1000)
    make_product("B", price_minor=2000, stock=5)
    api.put("/api/v1/customers/919800000201/cart/items/A/", {"quantity": 1}, format="json")
    api.put("/api/v1/customers/919800000201/cart/items/B/", {"quantity": 2}, format="json")
    response = api.put("/api/v1/customers/919800000201/cart/items/A/", {"quantity": 3}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [(i["retailer_id"], i["quantity"], i["available"]) for i in body["items"]] == [("A", 3, None), ("B", 2, 5)]
    assert body["item_count"] == 5 and body["subtotal"] == "70.00"
