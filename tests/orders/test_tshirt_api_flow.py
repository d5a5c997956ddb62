"""The T-shirt bought through the API, as a chat gateway does it (#18), in each currency of the
demo: the group read, size M chosen, the address saved, the coupon and the item put on the cart,
the shipping options for the address asked, the cart placed with express shipping, paid from the
wallet, shipped with a tracking number by the merchant's ERP. The totals add up to the minor unit every time."""
from decimal import Decimal

import pytest

from catalog.models import Product
from orders.models import Discount, ShippingOption, ShippingZone
from shopchat.money import format_major
from tests.conftest import api_client_for
from tests.factories import BusinessFactory, CustomerFactory, fund_wallet

pytestmark = pytest.mark.django_db

# currency, country, address, T-shirt price, express price (minor units)
CASES = [
    ("INR", "IN", {"line1": "17 MG Road", "city": "Bengaluru", "postcode": "560001", "region": "Karnataka"},
     49900, 15000),
    ("EUR", "DE", {"line1": "Unter den Linden 5", "city": "Berlin", "postcode": "10117"}, 1999, 690),
    ("JPY", "JP", {"line1": "1-1 Chiyoda", "city": "Tokyo", "postcode": "100-0001", "region": "Tokyo"}, 2990, 800),
]


@pytest.mark.parametrize(("currency", "country", "address", "price", "express"), CASES,
                         ids=[case[0] for case in CASES])
def test_a_gateway_sells_a_t_shirt_in_size_m_end_to_end(currency, country, address, price, express):
    business = BusinessFactory(currency=currency, tax_rate_percent=Decimal("0"), shipping_fee_minor=0)
    for size in ("S", "M", "L"):
        Product.objects.create(business=business, retailer_id=f"TEE-{size}", title="Classic T-shirt",
                               item_group_id="TEE", size=size, color="Navy", price_minor=price, stock_quantity=5)
    Discount.objects.create(business=business, code="SAVE10", name="SAVE10", kind="percent", percent=Decimal("10"))
    zone = ShippingZone.objects.create(business=business, name=country, country=country)
    ShippingOption.objects.create(business=business, code="standard", name="Standard", zone=zone,
                                  price_minor=express // 2, position=1)
    ShippingOption.objects.create(business=business, code="express", name="Express", zone=zone,
                                  price_minor=express, position=2)
    customer = CustomerFactory(business=business, wa_id="15550001111", name="Asha")
    fund_wallet(customer, price * 10)
    api = api_client_for(business)
    base = f"/api/v1/customers/{customer.wa_id}"

    group = api.get("/api/v1/catalog/product-groups/TEE/").json()
    size_m = next(v["retailer_id"] for v in group["variants"] if v["size"] == "M")
    assert api.put(f"{base}/addresses/home/", {**address, "country": country}, format="json").status_code == 200
    assert api.put(f"{base}/cart/items/{size_m}/", {"quantity": 1}, format="json").status_code == 200
    assert api.put(f"{base}/cart/coupon/", {"code": "SAVE10"}, format="json").status_code == 200
    offered = api.get(f"/api/v1/shipping/options/?country={country}&postcode={address['postcode']}").json()
    assert [o["code"] for o in offered][:2] == ["standard", "express"]

    placed = api.post("/api/v1/orders/", {"customer": customer.wa_id, "from_cart": True, "address_label": "home",
                                          "shipping_option": "express"}, format="json")
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    discount = price // 10 if currency == "JPY" else round(price / 10)
    expected = {"subtotal": price, "discount": discount, "shipping": express, "total": price - discount + express}
    assert {k: order[k] for k in expected} == {k: format_major(v, currency) for k, v in expected.items()}
    assert order["lines"][0]["retailer_id"] == "TEE-M" and order["shipping_method"] == "Express"
    assert order["delivery_address"]["postcode"] == address["postcode"]

    paid = api.post(f"/api/v1/orders/{order['number']}/payments/", {"method": "wallet"}, format="json",
                    HTTP_IDEMPOTENCY_KEY=f"pay-{order['number']}")
    assert paid.status_code == 201, paid.json()
    assert paid.json()["amount"] == order["total"]
    erp = api_client_for(business, scopes=("gateway", "integration"))  # the merchant's ERP ships it
    shipped = erp.post(f"/api/v1/orders/{order['number']}/ship/", {"carrier": "DHL", "tracking_number": "JD0146"},
                       format="json")
    assert shipped.status_code == 200, shipped.json()
    assert shipped.json()["status"] == "shipped"
