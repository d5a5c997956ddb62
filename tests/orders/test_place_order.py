"""POST /api/v1/orders/: from the cart or from a WhatsApp order's items; prices are checked,
stock reserved, nothing written when it fails."""
import pytest

from catalog.models import Product
from orders.models import CartItem, Order, OrderCounter, OrderLine, OrderTransition
from shopchat.api.errors import status_of
from shopchat.errors import BusinessSuspended
from shopchat.models import IdempotencyRecord, OutboxEvent

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def place(api, customer, items=None, **body):
    payload = {"customer": customer.wa_id, **body}
    if items is not None:
        payload["items"] = items
    return api.post(ORDERS, payload, format="json")


def nothing_written():
    return not (Order.objects.exists() or OrderLine.objects.exists() or OrderTransition.objects.exists()
                or OutboxEvent.objects.filter(event_type__startswith="order.").exists()
                or Product.objects.filter(reserved_quantity__gt=0).exists())


def test_placing_from_items_answers_201_with_lines_and_totals(api, business, customer, product):
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 2, "item_price": "250.00", "currency": "INR"}],
                     address="12 MG Road", note="ring twice")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == f"{business.order_prefix}-1001"
    assert body["status"] == "pending_payment"
    assert body["lines"] == [{"retailer_id": "TEA", "title": "Assam tea", "quantity": 2, "unit_price": "250.00",
                              "line_total": "500.00"}]
    assert (body["subtotal"], body["tax"], body["shipping"], body["discount"], body["total"]) == \
        ("500.00", "0.00", "0.00", "0.00", "500.00")
    assert body["currency"] == "INR" and body["address"] == "12 MG Road" and body["note"] == "ring twice"


def test_placing_reserves_tracked_stock(api, customer, product):
    place(api, customer, [{"retailer_id": "TEA", "quantity": 3}])
    product.refresh_from_db()
    assert (product.stock_quantity, product.reserved_quantity, product.available_quantity) == (20, 3, 17)


def test_untracked_stock_is_not_reserved(api, customer, make_product):
    product = make_product("ANY", stock=None)
    assert place(api, customer, [{"retailer_id": "ANY", "quantity": 999}]).status_code == 201
    product.refresh_from_db()
    assert product.reserved_quantity == 0
    assert OrderLine.objects.get().stock_reserved is False


def test_lines_snapshot_title_and_price(api, customer, product):
    number = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}]).json()["number"]
    Product.objects.filter(pk=product.pk).update(title="Renamed", price_minor=99900)
    body = api.get(f"{ORDERS}{number}/").json()
    assert body["lines"][0]["title"] == "Assam tea" and body["lines"][0]["unit_price"] == "250.00"


def test_placing_from_the_cart_orders_it_and_empties_it(api, customer, product, make_product):
    make_product("RICE", price_minor=5000)
    api.put(f"/api/v1/customers/{customer.wa_id}/cart/items/TEA/", {"quantity": 2}, format="json")
    api.put(f"/api/v1/customers/{customer.wa_id}/cart/items/RICE/", {"quantity": 1}, format="json")
    response = place(api, customer, from_cart=True)
    assert response.status_code == 201
    assert [(line["retailer_id"], line["quantity"]) for line in response.json()["lines"]] == [("TEA", 2), ("RICE", 1)]
    assert response.json()["total"] == "550.00"
    assert not CartItem.objects.exists()


def test_placing_an_empty_cart_is_a_409(api, customer):
    response = place(api, customer, from_cart=True)
    assert response.status_code == 409 and response.json()["error"]["code"] == "empty_cart"


def test_stale_price_is_a_409_with_current_prices_and_nothing_written(api, customer, product, make_product):
    make_product("RICE", price_minor=5000)
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 1, "item_price": "240.00"},
                                     {"retailer_id": "RICE", "quantity": 1, "item_price": "50.00"}])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "price_changed"
    assert error["items"] == [{"retailer_id": "TEA", "title": "Assam tea", "item_price": "240.00", "price": "250.00",
                               "currency": "INR"}]
    assert nothing_written()
    assert not OrderCounter.objects.filter(last_sequence__gt=1000).exists()


def test_a_product_withdrawn_after_it_went_in_the_cart_stops_the_order_and_keeps_the_cart(api, customer, product):
    api.put(f"/api/v1/customers/{customer.wa_id}/cart/items/TEA/", {"quantity": 2}, format="json")
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = place(api, customer, from_cart=True)
    assert response.status_code == 409 and response.json()["error"]["items"] == ["TEA"]
    assert CartItem.objects.count() == 1
    assert nothing_written()


def test_item_price_may_be_a_json_number_as_whatsapp_sends_it(api, customer, make_product):
    make_product("HALF", price_minor=24950)
    response = place(api, customer, [{"retailer_id": "HALF", "quantity": 1, "item_price": 249.5}])
    assert response.status_code == 201
    assert place(api, customer, [{"retailer_id": "HALF", "quantity": 1, "item_price": 249.49}]).status_code == 409


def test_a_sale_price_is_the_current_price(api, customer, make_product):
    make_product("SALE", price_minor=10000, sale_price_minor=8000)
    response = place(api, customer, [{"retailer_id": "SALE", "quantity": 1, "item_price": "80.00"}])
    assert response.status_code == 201 and response.json()["total"] == "80.00"


def test_unknown_products_are_a_409_listing_them_and_nothing_placed(api, customer, product, make_product):
    make_product("GONE", is_active=False)
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}, {"retailer_id": "NOPE", "quantity": 1},
                                     {"retailer_id": "GONE", "quantity": 1}])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unknown_products"
    assert response.json()["error"]["items"] == ["GONE", "NOPE"]
    assert nothing_written()


def test_another_business_products_are_unknown(api, customer, make_product, other_business):
    make_product("THEIRS", business=other_business)
    response = place(api, customer, [{"retailer_id": "THEIRS", "quantity": 1}])
    assert response.status_code == 409 and response.json()["error"]["items"] == ["THEIRS"]


def test_out_of_stock_is_a_409_naming_the_items_and_nothing_written(api, customer, product, make_product):
    make_product("FEW", stock=2, title="Rare spice")
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}, {"retailer_id": "FEW", "quantity": 3}])
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_stock"
    assert error["items"] == [{"retailer_id": "FEW", "title": "Rare spice", "requested": 3, "available": 2}]
    assert "FEW" in error["message"]
    assert nothing_written()


def test_repeated_items_add_up(api, customer, product):
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}, {"retailer_id": "TEA", "quantity": 2}])
    assert [line["quantity"] for line in response.json()["lines"]] == [3]


@pytest.mark.parametrize("body, field", [
    ({"items": [{"retailer_id": "TEA", "quantity": 1}]}, "customer"),
    ({"customer": "123"}, "customer"),
    ({"customer": "919800000001"}, "items"),
    ({"customer": "919800000001", "items": []}, "items"),
    ({"customer": "919800000001", "items": [{"retailer_id": "TEA", "quantity": 0}]}, "items"),
    ({"customer": "919800000001", "items": [{"retailer_id": "TEA", "quantity": 1, "item_price": "abc"}]}, "items"),
    ({"customer": "919800000001", "items": [{"retailer_id": "TEA", "quantity": 1}], "from_cart": True}, "items"),
])
def test_bad_input_is_a_400_naming_the_field(api, product, body, field):
    response = api.post(ORDERS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert nothing_written()


def test_another_currency_is_refused(api, customer, product):
    response = place(api, customer, [{"retailer_id": "TEA", "quantity": 1, "item_price": "3.00", "currency": "USD"}])
    assert response.status_code == 409 and response.json()["error"]["code"] == "currency_mismatch"
    assert not Order.objects.exists()


def test_order_numbers_follow_the_business_prefix_and_are_never_reused(api, business, customer, product):
    first = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}]).json()["number"]
    api.post(f"{ORDERS}{first}/cancel/", {}, format="json")
    place(api, customer, [{"retailer_id": "TEA", "quantity": 99}])  # refused: a gap at most, never a reuse
    second = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}]).json()["number"]
    assert first == f"{business.order_prefix}-1001"
    assert second != first and int(second.split("-")[1]) > 1001


def test_each_business_numbers_its_own_orders(api, other_api, customer, product, other_business, make_product):
    make_product("TEA", business=other_business)
    ours = place(api, customer, [{"retailer_id": "TEA", "quantity": 1}]).json()["number"]
    theirs = other_api.post(ORDERS, {"customer": customer.wa_id, "items": [{"retailer_id": "TEA", "quantity": 1}]},
                            format="json").json()["number"]
    assert ours.endswith("-1001") and theirs.endswith("-1001") and ours != theirs


def test_placing_stores_the_customer_name_given(api, business, product):
    api.post(ORDERS, {"customer": "+91 98111 22233", "name": "Ravi", "items": [{"retailer_id": "TEA", "quantity": 1}]},
             format="json")
    order = Order.objects.get()
    assert (order.customer.wa_id, order.customer.name, order.customer.business) == ("919811122233", "Ravi", business)


# --- idempotency ----------------------------------------------------------------------

def test_retry_with_the_same_key_and_body_returns_the_same_order(api, customer, product):
    body = {"customer": customer.wa_id, "items": [{"retailer_id": "TEA", "quantity": 2}]}
    first = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="wamid.ABC")
    again = api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="wamid.ABC")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert OutboxEvent.objects.filter(event_type="order.placed").count() == 1
    product.refresh_from_db()
    assert product.reserved_quantity == 2


def test_same_key_with_another_body_is_a_422(api, customer, product):
    api.post(ORDERS, {"customer": customer.wa_id, "items": [{"retailer_id": "TEA", "quantity": 2}]}, format="json",
             HTTP_IDEMPOTENCY_KEY="k1")
    response = api.post(ORDERS, {"customer": customer.wa_id, "items": [{"retailer_id": "TEA", "quantity": 3}]},
                        format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422
    assert Order.objects.count() == 1


def test_without_a_key_each_call_places_an_order(api, customer, product):
    body = {"customer": customer.wa_id, "items": [{"retailer_id": "TEA", "quantity": 1}]}
    api.post(ORDERS, body, format="json")
    api.post(ORDERS, body, format="json")
    assert Order.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_numbering_starts_above_orders_that_were_already_there(business, customer, product):
    from orders import services

    Order.objects.create(business=business, customer=customer, number=f"{business.order_prefix}-5000", sequence=5000,
                         currency="INR")
    order = services.place_order(business=business, customer=customer, items=[{"retailer_id": "TEA", "quantity": 1}])
    assert order.number == f"{business.order_prefix}-5001"


def test_a_suspended_business_takes_no_orders_from_the_chat_engine_either(business, customer, product):
    from orders import services

    business.status = "suspended"
    business.save()
    with pytest.raises(BusinessSuspended) as raised:
        services.place_order(business=business, customer=customer, items=[{"retailer_id": "TEA", "quantity": 1}])
    assert status_of(raised.value) == 403 and not Order.objects.exists()
