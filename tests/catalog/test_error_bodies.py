"""The catalog's error answers, byte for byte: status, code, message and fields as gateways and
ERPs have always received them, whichever layer (view, service) refuses the call."""
import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


def test_an_unknown_product_answers_404_naming_its_id(integration_api):
    patched = integration_api.patch(f"{PRODUCTS}NOPE-1/", {"price": "1.00"}, format="json")
    deleted = integration_api.delete(f"{PRODUCTS}NOPE-1/")
    expected = b'{"error":{"code":"not_found","message":"No product with id \'NOPE-1\'.","fields":{}}}'
    assert (patched.status_code, patched.content) == (404, expected)
    assert (deleted.status_code, deleted.content) == (404, expected)


def test_stock_below_what_orders_hold_answers_409_with_the_stock_field(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1", stock_quantity=10, reserved_quantity=4)
    put = integration_api.put(f"{PRODUCTS}SKU-1/", {"title": "X", "price": "1.00", "stock_quantity": 3},
                              format="json")
    patched = integration_api.patch(f"{PRODUCTS}SKU-1/", {"stock_quantity": 2}, format="json")
    assert (put.status_code, put.content) == (409, (
        b'{"error":{"code":"stock_below_reserved","message":"Stock 3 of \'SKU-1\' is below the 4 units held by '
        b'open orders.","fields":{"stock_quantity":["must be at least 4, the units held by open orders"]}}}'))
    assert (patched.status_code, patched.content) == (409, (
        b'{"error":{"code":"stock_below_reserved","message":"Stock 2 of \'SKU-1\' is below the 4 units held by '
        b'open orders.","fields":{"stock_quantity":["must be at least 4, the units held by open orders"]}}}'))


def test_a_price_below_the_sale_price_answers_400_naming_sale_price(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1", price_minor=1000, sale_price_minor=800)
    response = integration_api.patch(f"{PRODUCTS}SKU-1/", {"price": "7.00"}, format="json")
    assert (response.status_code, response.content) == (400, (
        b'{"error":{"code":"validation_error","message":"Some fields are invalid: sale_price.",'
        b'"fields":{"sale_price":["sale_price must be below price"]}}}'))


def test_a_malformed_retailer_id_in_the_path_answers_400_naming_retailer_id(integration_api):
    response = integration_api.put(f"{PRODUCTS}{'x' * 101}/", {"title": "X", "price": "1.00"}, format="json")
    reason = b"id must be 1 to 100 characters of letters, digits, '_', '.', '-'"
    assert (response.status_code, response.content) == (
        400, b'{"error":{"code":"validation_error","message":"' + reason + b'","fields":{"retailer_id":["'
        + reason + b'"]}}}')


def test_a_batch_of_more_than_5000_items_is_refused_by_the_service_with_the_requests_field(business):
    from rest_framework.renderers import JSONRenderer

    from catalog import services
    from shopchat.api.errors import error_response_for

    items = [{"method": "DELETE", "retailer_id": f"SKU-{n}"} for n in range(5001)]
    with pytest.raises(Exception) as refused:
        services.apply_product_batch(business=business, items=items)
    response = error_response_for(refused.value)
    assert (response.status_code, JSONRenderer().render(response.data)) == (400, (
        b'{"error":{"code":"validation_error","message":"Some fields are invalid: requests.",'
        b'"fields":{"requests":["at most 5000 items per call"]}}}'))
