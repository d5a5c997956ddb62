"""Demo data of payments, continuing the orders' story (orders.demo): every demo order that is
paid in the story is paid for real with the sandbox card (so it has its captured payment and
ledger lines), then shipped, delivered or refunded (Kavya in part, Sanjay in full) through the
services; one settlement is made, and Vikram pays after it, so "Settle now" has something to
settle. Two more chat customers get a linked card and a funded wallet to try the wallet and
transfers. Idempotent: a second run adds nothing, and the ledger always reconciles."""
from orders import services as order_services
from orders.demo import DEMO_ORDERS, TRACKING
from orders.models import Order
from shopchat.models import Customer

from . import services
from .models import Payment, Wallet

DEMO_CUSTOMERS = [("919800000101", "Asha"), ("919800000102", "Ravi")]
PAID_AFTER_SETTLEMENT = "15550101002"  # Vikram: paid, waiting to ship, not settled yet


def _wallets(business) -> None:
    for wa_id, name in DEMO_CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(business=business, wa_id=wa_id, defaults={"name": name})
        if Wallet.objects.filter(customer=customer).exists():
            continue
        card = services.add_funding_source(customer=customer, token="tok_sandbox_4242_demo" + wa_id[-3:])
        services.top_up(customer=customer, amount_minor=500_000, funding_source=card)


def _pay(order: Order) -> Order:
    token = "tok_sandbox_4242_pay" + order.customer.wa_id[-3:]
    card = services.add_funding_source(customer=order.customer, token=token)
    services.pay_order(order=order, method="card", funding_source=card)
    order.refresh_from_db()
    return order


def _story(business) -> int:
    orders = {o.customer.wa_id: o for o in Order.objects.filter(
        business=business, customer__wa_id__in=[wa_id for wa_id, _, _ in DEMO_ORDERS]).select_related("customer")}
    if not orders or Payment.objects.filter(order__in=orders.values()).exists():
        return 0
    later = []
    for index, (wa_id, _name, steps) in enumerate(DEMO_ORDERS):
        order = orders.get(wa_id)
        if order is None or "paid" not in steps:
            continue
        if wa_id == PAID_AFTER_SETTLEMENT:
            later.append(order)
            continue
        order = _pay(order)
        for step in steps[1:]:
            if step == "shipped":
                order = order_services.ship_order(order=order, tracking_number=TRACKING.format(index=1000 + index),
                                                  carrier="India Post")
            elif step == "delivered":
                order = order_services.deliver_order(order=order)
            elif step == "partly_refunded":
                services.refund_order(order=order, amount_minor=order.total_minor // 4,
                                      reason="One jar arrived broken")
            elif step == "refunded":
                services.refund_order(order=order, reason="Out of stock after payment")
    if business.payout_account:
        services.settle_business(business=business)
    for order in later:
        _pay(order)
    return len(orders)


def seed(*, business, products=None, stdout=None) -> None:
    _wallets(business)
    paid = _story(business)
    if stdout is not None:
        stdout.write(f"  wallets: {', '.join('+' + w for w, _ in DEMO_CUSTOMERS)} hold "
                     f"{business.money(500_000)} each (sandbox card 4242)")
        if paid:
            stdout.write("  payments: the demo orders paid by card, shipped, refunded (one in part), one settlement")
