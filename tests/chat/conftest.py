"""Fixtures of the WhatsApp adapter's tests: a business with Cloud API settings pointing at a
fake Cloud API on 127.0.0.1, Meta-shaped payloads from `payloads/`, and signed webhook posts."""
import copy
import json
from pathlib import Path

import pytest
from django.utils import timezone

from chat.services import configure_whatsapp
from chat.webhook import signature_for
from tests.chat.fake_cloud import FakeCloudAPI
from tests.factories import CustomerFactory

PAYLOADS = Path(__file__).parent / "payloads"
PHONE_NUMBER_ID = "100000000000002"
APP_SECRET = "test_app_secret"
CUSTOMER_WA_ID = "15550001234"


def raw_payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def payload(name: str) -> dict:
    return json.loads(raw_payload(name))


def with_message(name: str, **changes) -> dict:
    """A payload file with its first message changed (e.g. another id or text)."""
    data = copy.deepcopy(payload(name))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    for key, value in changes.items():
        message[key] = value
    return data


def text_payload(body: str, message_id: str, wa_id: str = CUSTOMER_WA_ID) -> dict:
    data = with_message("inbound_text_hi.json", id=message_id, text={"body": body})
    data["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = wa_id
    data["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = wa_id
    return data


def button_payload(button_id: str, title: str, message_id: str) -> dict:
    return with_message("inbound_interactive_button_reply.json", id=message_id,
                        interactive={"type": "button_reply", "button_reply": {"id": button_id, "title": title}})


def status_payload(name: str, wa_message_id: str) -> dict:
    data = copy.deepcopy(payload(name))
    data["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wa_message_id
    return data


def post_webhook(client, body, secret: str = APP_SECRET, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature is None:
        signature = signature_for(secret, raw)
    if signature:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.post("/webhooks/whatsapp/", data=raw, content_type="application/json", **headers)


@pytest.fixture
def fake_cloud():
    with FakeCloudAPI() as fake:
        yield fake


@pytest.fixture
def wa_config(business, fake_cloud):
    business.greeting = "Hi! Welcome to Chai Corner."
    business.save(update_fields=["greeting"])
    return configure_whatsapp(business=business, phone_number_id=PHONE_NUMBER_ID, access_token="EAAtest-token",
                              app_secret=APP_SECRET, verify_token="verify-me", base_url=fake_cloud.url)


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, wa_id=CUSTOMER_WA_ID, name="Asha", last_inbound_at=timezone.now())


@pytest.fixture
def products(business):
    from catalog.models import Collection, CollectionProduct, Product

    tea = Product.objects.create(business=business, retailer_id="SKU-TEA-250G", title="Assam Tea 250g",
                                 price_minor=12000, stock_quantity=50)
    masala = Product.objects.create(business=business, retailer_id="SKU-TEA-MASALA", title="Masala Chai Tea",
                                    price_minor=15000)
    mug = Product.objects.create(business=business, retailer_id="SKU-MUG-WHITE", title="White Mug",
                                 price_minor=24950)
    biscuit = Product.objects.create(business=business, retailer_id="SKU-BISCUIT-12", title="Butter Biscuits x12",
                                     price_minor=4500)
    teas = Collection.objects.create(business=business, name="Tea", slug="tea", position=1)
    snacks = Collection.objects.create(business=business, name="Snacks & mugs", slug="snacks", position=2)
    for i, p in enumerate((tea, masala)):
        CollectionProduct.objects.create(collection=teas, product=p, position=i)
    for i, p in enumerate((biscuit, mug)):
        CollectionProduct.objects.create(collection=snacks, product=p, position=i)
    return {"tea": tea, "masala": masala, "mug": mug, "biscuit": biscuit}


# --- the real shop behind the chat: orders, wallets and payments through their services ---

TEST_CARD = "4242424242424242"  # the sandbox provider's card that always succeeds


def order_message(**changes) -> dict:
    """The `order` message (WhatsApp cart) of inbound_order_3_items.json: 2 x Assam Tea 250g,
    1 x White Mug, 3 x Butter Biscuits x12 at their current prices (INR 624.50 of goods)."""
    data = with_message("inbound_order_3_items.json", **changes)
    return data["entry"][0]["changes"][0]["value"]["messages"][0]


def fund_wallet(customer, amount_minor: int):
    """Top the customer's wallet up from a sandbox card (how money enters a wallet)."""
    from payments import services

    card = services.add_funding_source(customer=customer, card_number=TEST_CARD, exp_month=12, exp_year=2030)
    return services.top_up(customer=customer, amount_minor=amount_minor, funding_source=card)


@pytest.fixture
def place_order(business, customer, products):
    """place_order(retailer_id=quantity, ...) -> a pending order of `customer`, placed by the orders service."""
    from orders import services

    def place(**quantities):
        items = [{"retailer_id": rid.replace("_", "-"), "quantity": q} for rid, q in quantities.items()]
        return services.place_order(business=business, customer=customer, items=items)

    return place


# --- checkout: the shop's shipping and a coupon ----------------------------------------------

@pytest.fixture
def shipping(business):
    """Bengaluru: standard (INR 40, free from INR 1000) and express (INR 150, INR 100 from INR 500 of goods);
    the rest of India: standard only (INR 80); pickup in store."""
    from orders.models import ShippingBand, ShippingOption, ShippingZone

    city = ShippingZone.objects.create(business=business, name="Bengaluru", country="IN",
                                       postcode_prefixes="560, 561")
    india = ShippingZone.objects.create(business=business, name="India", country="IN")
    ShippingOption.objects.create(business=business, code="standard", name="Standard", zone=city, price_minor=4000,
                                  free_over_minor=100_000, description="2-4 days", position=1)
    express = ShippingOption.objects.create(business=business, code="express", name="Express", zone=city,
                                            price_minor=15000, description="Tomorrow", position=2)
    ShippingBand.objects.create(option=express, from_minor=50_000, price_minor=10000)
    ShippingOption.objects.create(business=business, code="india", name="Standard India", zone=india,
                                  price_minor=8000, position=3)
    ShippingOption.objects.create(business=business, code="pickup", name="Pick up in store", kind="pickup",
                                  description="MG Road shop, 10-20h", position=9)


@pytest.fixture
def save10(business):
    from decimal import Decimal

    from orders.models import Discount

    return Discount.objects.create(business=business, code="SAVE10", name="10% off", kind="percent",
                                   percent=Decimal("10"))
