"""Pages of the provider's where the customer pays or links a card, sent into the chat:
a payment link per order (Stripe Checkout, Razorpay Payment Links; the platform's own page with
the sandbox) and a card link (Stripe SetupIntent), and what their webhooks do.

A link creates no payment: the provider's `link.paid` webhook does, captured at once (a link
left unpaid blocks nothing, and the customer may still pay from the wallet). Locks: the order
row, then the payment row, then the ledger accounts (capture)."""
import logging

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_noop

from orders import queries as order_queries
from orders.models import Order
from shopchat.errors import InvalidInput
from shopchat.models import Business, Customer
from shopchat.outbox import notify_staff
from shopchat.uow import UnitOfWork

from ..models import FundingSource, Payment
from ..providers import CallbackEvent, Provider, ProviderError, ProviderUnavailable, provider_for_customer
from .capturing import capture_payment

log = logging.getLogger(__name__)
PAID_TWICE = gettext_noop("Order %(number)s was paid twice")


def _return_url(order: Order | None = None) -> str:
    return settings.SITE_URL.rstrip("/") + "/"


def provider_payment_link(*, order: Order) -> str | None:
    """The business's provider's payment page for the order (None: the provider has none).
    The same order asks with the same key, so a repeated request answers the same page."""
    provider = provider_for_customer(order.customer)
    key = f"link_{order.business_id}_{order.pk}_{order.total_minor}"
    try:
        link = provider.payment_link(
            amount_minor=order.total_minor, currency=order.currency,
            description=f"{order.business.name} order {order.number}", idempotency_key=key,
            metadata={"order": order.number, "business": str(order.business_id)}, return_url=_return_url(order))
    except (ProviderError, ProviderUnavailable) as exc:
        log.warning("payments: %s could not make a payment link for order %s: %s", provider.name, order.pk,
                    type(exc).__name__)
        raise InvalidInput("order", "The payment provider could not make a payment link; try again.") from None
    return link.url if link is not None else None


def card_setup_link(*, customer: Customer) -> str:
    """A page of the business's provider where the customer saves a card for later payments
    (Stripe: a SetupIntent's Checkout page). InvalidInput when the provider has none."""
    provider = provider_for_customer(customer)
    ref = signing.dumps({"c": customer.pk, "b": customer.business_id}, salt="payments.card-setup")
    try:
        setup = provider.card_setup(customer_ref=ref, idempotency_key=f"setup_{customer.pk}_{ref[-12:]}",
                                    return_url=_return_url())
    except (ProviderError, ProviderUnavailable):
        raise InvalidInput("customer", "The payment provider could not make a card link; try again.") from None
    if setup is None:
        raise InvalidInput("customer", "This business's payment provider links cards in the wallet API.")
    return setup.url


def link_card_from_event(provider: Provider, business_id: int | None, event: CallbackEvent) -> str:
    """`card.linked`: the card the customer saved on the provider's page joins their wallet."""
    from .wallet import add_funding_source

    metadata = (event.payload.get("data", {}).get("object", {}) or {}).get("metadata") or {}
    try:
        ref = signing.loads(str(metadata.get("shopchat_customer", "")), salt="payments.card-setup")
    except signing.BadSignature:
        return "ignored: not a card link of ours"
    if business_id is not None and ref["b"] != business_id:
        return "ignored: another business's card link"
    customer = Customer.objects.select_related("business").filter(pk=ref["c"], business_id=ref["b"]).first()
    if customer is None:
        return "ignored: unknown customer"
    if FundingSource.objects.filter(provider=provider.name, token=event.payment_key).exists():
        return "ignored: card already linked"
    add_funding_source(customer=customer, token=event.payment_key, provider_name=provider.name)
    return "card_linked"


def apply_link_payment(unit: UnitOfWork, provider: Provider, business: Business, event: CallbackEvent) -> str:
    """`link.paid`: the order named in the link's metadata is paid, once (the payment's provider
    reference is unique). A link paid after another payment of the order is reported to the
    staff, to be refunded at the provider; one paid after the order expired is given back."""
    from .callbacks import capture_and_give_back

    metadata = (event.payload.get("data", {}).get("object", {}) or {}).get("metadata") or {}
    number = str(metadata.get("order", ""))
    found = Order.objects.only("pk").filter(business=business, number=number).first()
    if found is None:
        log.warning("payments: %s link paid for an unknown order of business %s", provider.name, business.pk)
        return "ignored: unknown order"
    order = order_queries.lock_order(unit, order_id=found.pk)
    if Payment.objects.filter(provider=provider.name, provider_reference=event.reference).exists():
        return "ignored: payment already recorded"
    other = Payment.objects.filter(order=order, status__in=Payment.ACTIVE).first()
    amount = event.amount_minor or order.total_minor
    if other is not None:
        notify_staff(business=business, subject=PAID_TWICE,  # in each recipient's language
                     body=gettext_noop("Order %(number)s already has payment #%(payment)s; the %(provider)s payment "
                                       "%(reference)s of %(amount)s also succeeded. Please refund it in your "
                                       "provider's dashboard."),
                     params={"number": order.number, "payment": other.pk, "provider": provider.name,
                             "reference": event.reference, "amount": {"money": [amount, order.currency]}})
        return f"ignored: order already has payment {other.pk}"
    payment = Payment(business=business, order=order, customer=order.customer, method=Payment.Method.CARD,
                      provider=provider.name, provider_reference=event.reference, amount_minor=amount,
                      currency=order.currency)
    payment.save()
    if order.status == Order.Status.PENDING_PAYMENT and amount == order.total_minor:
        capture_payment(unit, payment)
        return "captured"
    capture_and_give_back(unit, payment, order.status)
    return "captured_and_refunded"


