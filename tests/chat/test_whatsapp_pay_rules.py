"""WhatsApp Pay (India) by Meta's rules ("Receive payments via payment gateways on WhatsApp"): the
order_details parameters of an order, checked against the documented payload shape."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat import messages as wa
from chat.models import WhatsAppConfig
from chat.order_details import order_details_parameters

IMPORTER = {"address_line1": "12 MG Road", "city": "Bengaluru", "zone_code": "KA", "postal_code": "560001",
            "country_code": "IN"}


def config(**fields):
    values = {"catalog_id": "", "payment_gateway": "razorpay", "payment_configuration": "chai-corner-razorpay",
              "country_of_origin": "India", "importer_name": "Chai Corner Imports", "importer_address": IMPORTER,
              "business": SimpleNamespace(name="Chai Corner")}
    return SimpleNamespace(**{**values, **fields})


def order(total_minor=24_000, expires_in=timedelta(minutes=30), delivery_address=None):
    return SimpleNamespace(number="CC-1001", currency="INR", total_minor=total_minor, tax_minor=0, shipping_minor=0,
                           discount_minor=0, expires_at=timezone.now() + expires_in if expires_in else None,
                           delivery_address=delivery_address, customer=SimpleNamespace(name="Asha"))


def lines(total_minor=24_000):
    return [SimpleNamespace(retailer_id="SKU-TEA", title="Assam Tea 250g", unit_price_minor=total_minor, quantity=1)]


def build(total_minor=24_000, **kwargs):
    conf = kwargs.pop("conf", config())
    params = order_details_parameters(conf, order(total_minor, **kwargs), lines(total_minor))
    wa.order_details("Pay", params)  # what Meta would refuse is never built
    return params


ADDRESS = {"name": "Asha Rao", "line1": "4 Residency Road", "line2": "Flat 2B", "city": "Bengaluru",
           "postcode": "560025", "region": "Karnataka", "country": "India", "phone": "919800000001"}


def test_shipped_physical_goods_name_their_beneficiary_from_the_delivery_address():
    params = build(delivery_address=ADDRESS)
    assert params["type"] == "physical-goods"
    assert params["beneficiaries"] == [{"name": "Asha Rao", "address_line1": "4 Residency Road",
                                        "address_line2": "Flat 2B", "city": "Bengaluru", "state": "Karnataka",
                                        "country": "India", "postal_code": "560025"}]


def test_an_order_without_an_address_names_no_beneficiary():
    assert "beneficiaries" not in build()


def test_without_a_catalog_every_item_names_its_origin_and_importer():
    (item,) = build()["order"]["items"]
    assert item["country_of_origin"] == "India" and item["importer_name"] == "Chai Corner Imports"
    assert item["importer_address"] == IMPORTER


def test_with_a_catalog_items_need_no_importer():
    params = build(conf=config(catalog_id="123456789"))
    assert params["order"]["catalog_id"] == "123456789"
    assert "importer_name" not in params["order"]["items"][0]


def test_an_expiration_under_300_seconds_away_is_left_out():
    assert "expiration" not in build(expires_in=timedelta(seconds=200))["order"]
    expiration = build(expires_in=timedelta(seconds=400))["order"]["expiration"]
    assert int(expiration["timestamp"]) - timezone.now().timestamp() >= 300


def test_the_unpaid_order_time_is_at_least_five_minutes(business):
    from django.core.exceptions import ValidationError

    business.unpaid_order_minutes = 4
    try:
        business.full_clean()
    except ValidationError as exc:
        assert "unpaid_order_minutes" in exc.message_dict
    else:
        raise AssertionError("4 minutes accepted")


def test_above_five_lakh_rupees_upi_is_left_out():
    gateway = build(total_minor=5_00_000_01)["payment_settings"][0]["payment_gateway"]
    assert gateway["enabled_payment_options"] == ["web"]
    at_limit = build(total_minor=5_00_000_00)["payment_settings"][0]["payment_gateway"]
    assert "enabled_payment_options" not in at_limit


def test_configure_whatsapp_sets_the_payment_configuration_and_gateway(business):
    call_command("configure_whatsapp", business.slug, "--phone-number-id", "1234567890", "--access-token", "EAAx",
                 "--app-secret", "s3cret", "--verify-token", "v", "--payment-configuration", "shop-payu",
                 "--payment-gateway", "payu", "--importer-name", "Imports Ltd",
                 "--importer-address", '{"address_line1": "1 Road", "city": "Pune", "postal_code": "411001"}')
    config = WhatsAppConfig.objects.get(business=business)
    assert (config.payment_configuration, config.payment_gateway) == ("shop-payu", "payu")
    assert config.importer_name == "Imports Ltd" and config.importer_address["city"] == "Pune"


# --- the payment flow, from Meta's documented webhook and lookup payloads ------------------------

@pytest.fixture
def paying(wa_config, place_order):
    from decimal import Decimal

    wa_config.payment_configuration = "chai-corner-razorpay"
    wa_config.save()
    business = wa_config.business
    business.commission_percent, business.commission_fixed_minor = Decimal("2.00"), 300
    business.save()
    return place_order(SKU_TEA_250G=2)


def captured_status(reference_id):
    from tests.chat.conftest import payload

    data = payload("inbound_payment_status_captured.json")
    data["entry"][0]["changes"][0]["value"]["statuses"][0]["payment"]["reference_id"] = reference_id
    return data


@pytest.mark.django_db(transaction=True)
def test_a_captured_status_is_confirmed_with_the_lookup_api_before_the_order_is_paid(client, paying, fake_cloud):
    from orders.models import Order
    from payments.models import Payment
    from payments.services import reconcile
    from tests.chat.conftest import post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor)
    assert post_webhook(client, captured_status(paying.number)).status_code == 200
    (lookup,) = [r for r in fake_cloud.requests if r["method"] == "GET"]
    assert lookup["path"].endswith(f"/100000000000002/payments/chai-corner-razorpay/{paying.number}")
    assert lookup["headers"]["Authorization"] == "Bearer EAAtest-token"
    assert Payment.objects.get().status == "captured" and Order.objects.get(pk=paying.pk).status == "paid"
    assert reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_a_captured_status_the_lookup_api_calls_failed_does_not_pay(client, paying, fake_cloud):
    from orders.models import Order
    from tests.chat.conftest import post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor, status="failed")
    post_webhook(client, captured_status(paying.number))
    assert Order.objects.get(pk=paying.pk).status == "pending_payment"


@pytest.mark.django_db(transaction=True)
def test_a_captured_status_for_another_amount_does_not_pay_and_the_staff_are_told(client, paying, fake_cloud,
                                                                                   mailoutbox):
    from orders.models import Order
    from payments.models import Payment
    from tests.chat.conftest import post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, 100)
    post_webhook(client, captured_status(paying.number))
    assert not Payment.objects.exists() and Order.objects.get(pk=paying.pk).status == "pending_payment"


@pytest.mark.django_db(transaction=True)
def test_a_paid_order_cancelled_is_refunded_through_payments_refund_and_told_without_order_status(
        client, paying, fake_cloud):
    from chat.models import OutboundMessage
    from orders.models import Order
    from payments.models import Refund
    from payments.services import cancel_order, reconcile
    from tests.chat.conftest import post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor)
    post_webhook(client, captured_status(paying.number))
    cancel_order(order=Order.objects.get(pk=paying.pk), reason="out of stock")
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference.startswith("refund_FAKE")
    (call,) = [r for r in fake_cloud.requests if r["path"].endswith("/payments_refund")]
    assert call["json"] == {"reference_id": paying.number, "speed": "normal",
                            "payment_config_id": "chai-corner-razorpay",
                            "amount": {"currency": "INR", "value": paying.total_minor, "offset": 100}}
    bodies = [m.body for m in OutboundMessage.objects.filter(order_number=paying.number)]
    assert not any(b.get("interactive", {}).get("type") == "order_status" and
                   b["interactive"]["action"]["parameters"]["order"]["status"] == "canceled" for b in bodies)
    assert any("being refunded" in b.get("text", {}).get("body", "") for b in bodies)
    assert reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_refund_status_marks_the_refund_failed(client, paying, fake_cloud):
    from orders.models import Order
    from payments.models import Refund
    from payments.services import cancel_order
    from tests.chat.conftest import payload, post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor)
    post_webhook(client, captured_status(paying.number))
    cancel_order(order=Order.objects.get(pk=paying.pk))
    refund = Refund.objects.get()
    data = payload("inbound_payment_status_captured.json")
    status = data["entry"][0]["changes"][0]["value"]["statuses"][0]
    status.update(id="wamid.REFUND_STATUS_1", status="refund_failed")
    status["payment"] = {"reference_id": paying.number, "refund": {"id": refund.provider_reference,
                                                                    "status": "failed"}}
    assert post_webhook(client, data).status_code == 200
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_reconcile_whatsapp_pay_compares_captured_payments_with_the_lookup_api(client, paying, fake_cloud):
    from django.core.management.base import CommandError

    from tests.chat.conftest import post_webhook
    from tests.chat.fake_cloud import looked_up

    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor)
    post_webhook(client, captured_status(paying.number))
    call_command("reconcile_whatsapp_pay", paying.business.slug)
    fake_cloud.payments[paying.number] = looked_up(paying.number, paying.total_minor, status="failed")
    with pytest.raises(CommandError):
        call_command("reconcile_whatsapp_pay", paying.business.slug)


def test_the_lookup_api_at_a_refused_address_is_asked_again_later(wa_config):
    from django.test import override_settings

    from chat import whatsapp_pay

    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(base_url="http://10.0.0.9")  # saved before the guard
    wa_config.refresh_from_db()
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False), pytest.raises(whatsapp_pay.LookupUnavailable):
        whatsapp_pay.lookup_payment(config=wa_config, reference_id="SC-1")


def test_a_refund_at_a_refused_address_is_refused_for_good(wa_config):
    from django.test import override_settings

    from chat import whatsapp_pay
    from payments.providers import ProviderError

    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(base_url="http://10.0.0.9",
                                                           payment_configuration="shop-payu")
    refund = SimpleNamespace(business_id=wa_config.business_id, currency="INR", amount_minor=100,
                             payment=SimpleNamespace(order=SimpleNamespace(number="SC-1")))
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False), pytest.raises(ProviderError) as refused:
        whatsapp_pay.send_refund(refund)
    assert refused.value.code == "outbound_refused"
