"""The amount a customer reads in the chat is the amount of the event it tells of: a refund's own
amount, not the payment's; what remains paid after a partial refund; the order's total when it
is paid. Built through the real services, rendered as the outbox delivers them."""
import pytest

from chat import notifications
from orders import services as order_services
from payments import services as payments
from payments.models import Payment
from shopchat.models import OutboxEvent
from shopchat.money import display
from tests.factories import fund_wallet

pytestmark = pytest.mark.django_db


def told(event_type: str, index: int = -1) -> str:
    """The chat text of the `index`th event of that type (oldest first)."""
    event = list(OutboxEvent.objects.filter(channel="webhook", event_type=event_type).order_by("created_at"))[index]
    body = notifications.describe(event.event_type, event.payload, config=_NoPayments())
    return body["text"]["body"] if body and body.get("type") == "text" else body["interactive"]["body"]["text"]


class _NoPayments:
    payment_configuration = ""


@pytest.fixture
def paid(business, customer, products):
    """A wallet payment of ₹1,234.56 (an order of one product at that price)."""
    products["tea"].price_minor = 123456
    products["tea"].save()
    order = order_services.place_order(business=business, customer=customer,
                                       items=[{"retailer_id": "SKU-TEA-250G", "quantity": 1}])
    fund_wallet(customer, 500_000)
    payment = payments.pay_order(order=order, method=Payment.Method.WALLET)
    assert payment.status == Payment.Status.CAPTURED and payment.amount_minor == 123456
    return order


def test_a_paid_order_tells_the_orders_total(paid):
    assert told("order.paid") == (f"Payment received for order {paid.number} (₹1,234.56). Thank you! "
                                  "We are preparing it.")


def test_a_partial_refund_tells_its_own_amount_and_what_remains_paid(paid):
    payments.refund_order(order=paid, amount_minor=23456)
    assert told("payment.refunded") == (f"A refund of ₹234.56 for order {paid.number} is on its way to you. "
                                        "₹1,000.00 of your payment remains paid.")


def test_a_second_partial_refund_tells_only_itself_and_what_remains_after_both(paid):
    payments.refund_order(order=paid, amount_minor=23456)
    payments.refund_order(order=paid, amount_minor=50000)
    assert told("payment.refunded", index=-1) == (f"A refund of ₹500.00 for order {paid.number} is on its way to "
                                                  "you. ₹500.00 of your payment remains paid.")


def test_the_refund_of_the_rest_says_nothing_remains(paid):
    payments.refund_order(order=paid, amount_minor=23456)
    payments.refund_order(order=paid)
    assert told("payment.refunded", index=-1) == (f"A refund of ₹1,000.00 for order {paid.number} is on its way "
                                                  "to you.")


def test_a_full_refund_tells_the_whole_amount(paid):
    payments.refund_order(order=paid)
    assert told("payment.refunded") == f"A refund of ₹1,234.56 for order {paid.number} is on its way to you."


def test_a_cancelled_paid_order_tells_the_refund_of_what_was_paid(paid):
    payments.cancel_order(order=paid, reason="out of stock")
    assert told("payment.refunded") == f"A refund of ₹1,234.56 for order {paid.number} is on its way to you."


def test_a_failed_card_payment_names_its_order_and_no_amount_it_did_not_take(business, customer, products):
    order = order_services.place_order(business=business, customer=customer,
                                       items=[{"retailer_id": "SKU-TEA-250G", "quantity": 1}])
    card = payments.add_funding_source(customer=customer, card_number="4000000000000002", exp_month=12, exp_year=2030)
    payments.pay_order(order=order, method=Payment.Method.CARD, funding_source=card)
    text = told("payment.failed")
    assert order.number in text and "INR" not in text


def test_transfers_tell_the_gateway_the_amount_moved_and_each_side_its_own_balance(business, customer):
    fund_wallet(customer, 10_000)
    payments.transfer(sender=customer, to_wa_id="919812345678", amount_minor=2_550, note="lunch")
    sent = OutboxEvent.objects.get(channel="webhook", event_type="transfer.sent").payload
    received = OutboxEvent.objects.get(channel="webhook", event_type="transfer.received").payload
    assert (sent["amount"], sent["balance"]) == ("25.50", "74.50")
    assert (received["amount"], received["balance"]) == ("25.50", "25.50")
    assert notifications.describe("transfer.sent", sent, _NoPayments()) is None  # the gateway tells these


def test_a_top_up_tells_the_gateway_its_amount_and_the_new_balance(business, customer):
    fund_wallet(customer, 10_000)
    fund_wallet(customer, 2_500)
    latest = OutboxEvent.objects.filter(event_type="wallet.topped_up").order_by("-created_at").first().payload
    assert (latest["amount"], latest["balance"]) == ("25.00", "125.00")


def test_the_settlement_mail_tells_the_payout_net_of_refunds_and_commission(business, paid):
    business.payout_account = "shop@okaxis"
    business.save()
    commission = Payment.objects.get(order=paid).commission_minor
    payments.refund_order(order=paid, amount_minor=23456)
    settlement = payments.settle_business(business=business)
    mail_event = OutboxEvent.objects.get(event_type="staff.email", payload__subject__startswith="Settlement")
    payout = display(123456 - 23456 - commission, "INR")
    assert settlement.payout_minor == 123456 - 23456 - commission
    assert mail_event.payload["subject"] == f"Settlement {settlement.pk}: {payout} paid out"
    assert f"paid out {payout}" in mail_event.payload["body"] and "refunds INR 234.56" in mail_event.payload["body"]
