"""Demo conversations (run by `seed_demo` last): what the demo customers said in WhatsApp and
what the shop answered, stored as the webhook and the sender store them, so the inbox shows a
real-looking chat: Asha greets, gets the catalog as a list, opens a product and sends a cart;
Meera asks where her shipped order is. Idempotent: a customer who has messages is left alone."""
from datetime import timedelta

from django.utils import timezone

from catalog.models import Product
from shopchat.models import Customer

from . import messages as wa
from .models import InboundMessage, OutboundMessage


def _conversation(business, products):
    first, second = products[0], products[-1]
    price = business.money
    return {
        "15550101001": [
            ("in", {"type": "text", "text": {"body": "Hi"}}),
            ("out", wa.text(business.greeting or f"Welcome to {business.name}!")),
            ("out", wa.list_message("Tap a product to see it and order.", "View products", [
                ("Groceries", [(f"product:{p.retailer_id}", wa.clip(p.title, 24), price(p.current_price_minor))
                               for p in products[:5]])])),
            ("in", {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {
                "id": f"product:{first.retailer_id}", "title": wa.clip(first.title, 24)}}}),
            ("out", wa.reply_buttons(f"*{first.title}*\n{price(first.current_price_minor)}",
                                     [(f"buy:{first.retailer_id}", "Order one"), ("catalog", "Browse catalog")])),
            ("in", {"type": "order", "order": {"catalog_id": "demo", "product_items": [
                {"product_retailer_id": second.retailer_id, "quantity": 2, "item_price": "0", "currency":
                 business.currency}]}}),
            ("out", wa.text(f"Your cart: 2 x {second.title}. Reply *order* to place it.")),
        ],
        "15550101003": [
            ("in", {"type": "text", "text": {"body": "Where is my order? It has been a week."}}),
            ("out", wa.text("Your order has shipped with India Post; an agent will check on it for you.")),
        ],
    }


def seed(*, business, products=None, stdout=None) -> None:
    catalog = list(Product.objects.filter(business=business, is_active=True).order_by("pk")[:5])
    if not catalog:
        return
    now = timezone.now()
    made = 0
    for wa_id, lines in _conversation(business, catalog).items():
        customer = Customer.objects.filter(business=business, wa_id=wa_id).first()
        if customer is None or InboundMessage.objects.filter(customer=customer).exists():
            continue
        at = now - timedelta(minutes=5 * len(lines))
        last_in = None
        for n, (direction, body) in enumerate(lines):
            at += timedelta(minutes=4)
            if direction == "in":
                message = InboundMessage.objects.create(
                    business=business, customer=customer, wa_id=wa_id, profile_name=customer.name,
                    wa_message_id=f"wamid.demo.{wa_id}.{n}", type=body["type"],
                    payload={"from": wa_id, "id": f"wamid.demo.{wa_id}.{n}", **body}, processed_at=at)
                InboundMessage.objects.filter(pk=message.pk).update(received_at=at)
                last_in = at
            else:
                sent = OutboundMessage.objects.create(
                    business=business, customer=customer, kind=wa.kind_of(body), body=body,
                    wa_message_id=f"wamid.demo.out.{wa_id}.{n}", status=OutboundMessage.Status.READ, status_at=at)
                OutboundMessage.objects.filter(pk=sent.pk).update(created_at=at)
        Customer.objects.filter(pk=customer.pk).update(last_inbound_at=last_in)
        made += 1
    if stdout is not None and made:
        stdout.write(f"  chat: {made} demo conversations (greeting, catalog list, product, cart)")
