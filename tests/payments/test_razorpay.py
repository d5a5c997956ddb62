"""The Razorpay adapter, the official `razorpay` library pointed at a local fake of Razorpay's API
(tests/payments/fakes/razorpay_api.py): pay by Payment Link, partial refund, duplicate webhooks,
a forged signature. `reconcile` is clean after each."""
import pytest

from orders.models import Order
from payments import services
from payments.models import Payment, ProviderEvent, Refund
from tests.factories import BusinessFactory, CustomerFactory, PaymentProviderConfigFactory

from .conftest import order_for
from .fakes import razorpay_api
from .fakes.razorpay_api import body_of, signature

WEBHOOK_SECRET = "rzp_webhook_secret"


@pytest.fixture
def fake():
    with razorpay_api.FakeRazorpay() as server:
        yield server


@pytest.fixture
def shop(db):
    return BusinessFactory(currency="INR", payout_account="acme@okaxis")


@pytest.fixture
def config(shop, fake):
    return PaymentProviderConfigFactory(business=shop, provider="razorpay", key_id=razorpay_api.KEY_ID,
                                        secret_key=razorpay_api.KEY_SECRET, webhook_secret=WEBHOOK_SECRET,
                                        api_base_url=fake.url)


@pytest.fixture
def buyer(shop):
    return CustomerFactory(business=shop)


def post_event(client, config, body, secret=WEBHOOK_SECRET, event_id="evt_rzp_1"):
    return client.post(f"/api/v1/payments/providers/razorpay/webhook/{config.webhook_key}/", body,
                       content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE=signature(body, secret),
                       HTTP_X_RAZORPAY_EVENT_ID=event_id)


def link_of(fake, order):
    url = services.card_payment_link(order=order)
    (link,) = fake.links.values()
    assert url == link["short_url"] and url.startswith("https://rzp.io/i/")
    return link


def test_the_payment_link_carries_the_order_and_a_unique_reference(config, fake, buyer):
    order = order_for(buyer, 49_900)
    link = link_of(fake, order)
    assert link["amount"] == 49_900 and link["currency"] == "INR" and link["notes"]["order"] == order.number
    # asked again for the same order: Razorpay refuses the reference, the first link is answered
    assert services.card_payment_link(order=order) == link["short_url"] and len(fake.links) == 1


def test_a_paid_link_pays_the_order(client, config, fake, buyer):
    order = order_for(buyer)
    link = link_of(fake, order)
    response = post_event(client, config, body_of(fake.pay_link(link["id"])))
    assert response.status_code == 200 and response.json()["outcome"] == "captured"
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.CAPTURED and payment.provider == "razorpay"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert services.reconcile() == []


def test_a_duplicate_webhook_is_applied_once(client, config, fake, buyer):
    order = order_for(buyer)
    body = body_of(fake.pay_link(link_of(fake, order)["id"]))
    assert post_event(client, config, body).json()["duplicate"] is False
    assert post_event(client, config, body).json()["duplicate"] is True
    # the same event redelivered under another id is still one payment
    assert post_event(client, config, body, event_id="evt_rzp_2").json()["outcome"] == \
        "ignored: payment already recorded"
    assert Payment.objects.filter(order=order).count() == 1
    assert services.reconcile() == []


def test_a_forged_signature_is_refused(client, config, fake, buyer):
    body = body_of(fake.pay_link(link_of(fake, order_for(buyer))["id"]))
    assert post_event(client, config, body, secret="not-the-secret").status_code == 400
    assert not ProviderEvent.objects.exists() and not Payment.objects.exists()


def test_a_partial_refund_goes_to_razorpay_with_its_idempotency_key(client, config, fake, buyer,
                                                                    django_capture_on_commit_callbacks):
    order = order_for(buyer, 10_000)
    post_event(client, config, body_of(fake.pay_link(link_of(fake, order)["id"])))
    payment = Payment.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_order(order=Order.objects.get(pk=order.pk), amount_minor=4_000)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference.startswith("rfnd_")
    (call,) = fake.server.calls("POST", f"/v1/payments/{payment.provider_reference}/refund")
    assert call["body"]["amount"] == 4_000 and call["headers"]["x-refund-idempotency"] == f"refund_{refund.pk}"
    assert services.reconcile() == []
