"""Order endpoints: status, cancel, the customer's orders, and the integration calls (list with
cursor, ship, deliver). Another business's order or customer is a 404."""
from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from orders.models import Order
from shopchat.api.errors import status_of
from tests.conftest import api_client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_order_status_with_lines_totals_and_history(api, order_in):
    order = order_in("paid")
    body = api.get(f"/api/v1/orders/{order.number}/").json()
    assert body["number"] == order.number and body["status"] == "paid"
    assert body["customer"] == {"wa_id": order.customer.wa_id, "name": order.customer.name}
    assert body["total"] == "500.00" and body["lines"][0]["quantity"] == 2
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [("", "pending_payment"),
                                                                           ("pending_payment", "paid")]


def test_another_business_order_number_is_a_404(other_api, order_in):
    order = order_in("pending_payment")
    assert other_api.get(f"/api/v1/orders/{order.number}/").status_code == 404
    assert other_api.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json").status_code == 404
    assert other_api.post(f"/api/v1/orders/{order.number}/ship/", {}, format="json").status_code == 404
    assert other_api.post(f"/api/v1/orders/{order.number}/deliver/", {}, format="json").status_code == 404
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_unknown_order_is_a_404(api):
    response = api.get("/api/v1/orders/XX-1/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_cancel_from_the_chat(api, order_in, product):
    order = order_in("pending_payment")
    response = api.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "ordered twice"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["history"][-1]["note"] == "ordered twice"
    product.refresh_from_db()
    assert product.reserved_quantity == 0


def test_ship_and_deliver_from_the_merchant_erp(integration_api, order_in, product):
    order = order_in("paid")
    response = integration_api.post(f"/api/v1/orders/{order.number}/ship/",
                                    {"tracking_number": "AWB42", "carrier": "Delhivery"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["tracking_number"], response.json()["carrier"]) == \
        ("shipped", "AWB42", "Delhivery")
    response = integration_api.post(f"/api/v1/orders/{order.number}/deliver/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "delivered"


def test_ship_deliver_and_list_need_the_integration_scope(api, order_in):
    order = order_in("paid")
    assert api.post(f"/api/v1/orders/{order.number}/ship/", {}, format="json").status_code == 403
    assert api.post(f"/api/v1/orders/{order.number}/deliver/", {}, format="json").status_code == 403
    assert api.get("/api/v1/orders/").status_code == 403


def test_integration_list_filters_by_status_and_updated_since(integration_api, order_in, business, customer, product):
    paid = order_in("paid")
    pending = order_in("pending_payment")
    body = integration_api.get("/api/v1/orders/?status=paid").json()
    assert [o["number"] for o in body["results"]] == [paid.number]
    Order.objects.filter(pk=paid.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    body = integration_api.get("/api/v1/orders/", {"updated_since": since}).json()
    assert [o["number"] for o in body["results"]] == [pending.number]


def test_integration_list_follows_a_cursor_oldest_change_first(integration_api, order_in):
    numbers = [order_in("pending_payment").number for _ in range(5)]
    seen, url = [], "/api/v1/orders/?page_size=2"
    while url:
        body = integration_api.get(url).json()
        seen += [o["number"] for o in body["results"]]
        url = body["next"]
    assert seen == numbers


def test_integration_list_shows_only_the_business_orders(other_api, order_in):
    order_in("paid")
    assert other_api.get("/api/v1/orders/").json()["results"] == []


def test_bad_list_filters_are_a_400_naming_them(integration_api):
    response = integration_api.get("/api/v1/orders/?status=lost&updated_since=yesterday")
    assert response.status_code == 400
    assert {"status", "updated_since"} <= set(response.json()["error"]["fields"])


def test_list_query_count_does_not_grow_with_orders(integration_api, order_in, django_assert_max_num_queries):
    for _ in range(3):
        order_in("paid", quantity=1)
    with django_assert_max_num_queries(8) as few:
        integration_api.get("/api/v1/orders/")
    for _ in range(10):
        order_in("paid", quantity=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        integration_api.get("/api/v1/orders/")


def test_customer_orders_newest_first(api, order_in, customer):
    first, second = order_in("pending_payment"), order_in("paid")
    body = api.get(f"/api/v1/customers/{customer.wa_id}/orders/").json()
    assert [o["number"] for o in body["results"]] == [second.number, first.number]


def test_customer_orders_of_another_business_customer_is_a_404(other_api, order_in, customer):
    order_in("paid")
    assert other_api.get(f"/api/v1/customers/{customer.wa_id}/orders/").status_code == 404


def test_same_number_at_another_business_sees_only_its_own_orders(other_api, other_business, order_in, customer):
    order_in("paid")
    CustomerFactory(business=other_business, wa_id=customer.wa_id)
    assert other_api.get(f"/api/v1/customers/{customer.wa_id}/orders/").json()["results"] == []


def test_a_suspended_business_cannot_place_orders(business, customer, product):
    client = api_client_for(business)
    business.status = "suspended"
    business.save()
    response = client.post("/api/v1/orders/", {"customer": customer.wa_id,
                                               "items": [{"retailer_id": "TEA", "quantity": 1}]}, format="json")
    assert response.status_code == 403 and not Order.objects.exists()


def test_schema_describes_the_order_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ["/api/v1/orders/", "/api/v1/orders/{number}/", "/api/v1/orders/{number}/cancel/",
                 "/api/v1/orders/{number}/ship/", "/api/v1/orders/{number}/deliver/",
                 "/api/v1/customers/{wa_id}/cart/", "/api/v1/customers/{wa_id}/cart/items/{retailer_id}/",
                 "/api/v1/customers/{wa_id}/orders/"]:
        assert path in paths, path


def test_services_refuse_rows_of_another_business(business, other_business, customer, product):
    stranger = CustomerFactory(business=other_business)
    with pytest.raises(Exception) as raised:
        services.place_order(business=business, customer=stranger, items=[{"retailer_id": "TEA", "quantity": 1}])
    assert status_of(raised.value) == 404
@pytest.mark.parametrize("value", ["3290-09-25T13:38:37+16:40", "2026-01-01T00:00:00-15:30", "2026-01-01T00:00:00"])
def test_updated_since_accepts_any_valid_offset(integration_api, value):
    assert integration_api.get("/api/v1/orders/", {"updated_since": value}).status_code == 200


def test_updated_since_out_of_range_is_400_naming_it(integration_api):
    response = integration_api.get("/api/v1/orders/", {"updated_since": "9999-12-31T23:00:00-05:00"})
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]
