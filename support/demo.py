"""Demo data of the support desk: SLA policies, canned replies and tickets in several states
with their conversations. Deterministic; running it again adds nothing."""
from django.contrib.auth import get_user_model

from orders.models import Order
from shopchat.models import Membership
from shopchat.services import upsert_customer

from . import services
from .models import CannedReply, SlaPolicy, Ticket

POLICIES = {  # priority: (first response, resolution) in business minutes
    "low": (8 * 60, 5 * 9 * 60), "normal": (4 * 60, 3 * 9 * 60), "high": (60, 9 * 60), "urgent": (15, 4 * 60),
}
CANNED = {
    "Where is my order": "Hi {customer_name}, your order {order_number} is on its way with {tracking_link}.",
    "Refund started": "Hi {customer_name}, we have started the refund for {order_number}. It reaches your account "
                      "in 5-7 working days.",
    "Anything else?": "Is there anything else we can help you with, {customer_name}?",
}
TICKETS = [
    # wa_id, name, subject, priority, conversation [(who, text, internal)], final status
    # the requesters are the demo customers who ordered (orders.demo), each ticket on their order
    ("15550101003", "Meera Iyer", "My order has not arrived", "high",
     [("customer", "Help, my order has not arrived yet. It has been a week!", False)], "new"),
    ("15550101004", "Rahul Das", "Wrong size delivered", "normal",
     [("customer", "I ordered the 5 kg bag but got 1 kg.", False),
      ("agent", "Sorry about that, Rahul! Could you send a photo of the label?", False),
      ("agent", "Check with the warehouse whether M is in stock before promising an exchange.", True)], "pending"),
    ("15550101008", "Sanjay Gupta", "Refund for my order", "normal",
     [("customer", "You refunded my order yesterday, when do I get my money back?", False),
      ("agent", "Your refund was started today; it takes 5-7 working days.", False)], "solved"),
    ("15550101007", "Kavya Pillai", "Damaged packaging <b>urgent</b>", "urgent",
     [("customer", "The box arrived crushed and the jar is broken <script>alert(1)</script>", False),
      ("agent", "Courier claim opened with the carrier.", True)], "open"),
    ("15550101002", "Vikram Shah", "Change delivery address", "low",
     [("customer", "Can you deliver to my office instead?", False),
      ("agent", "Waiting for the courier to confirm they can re-route.", True)], "on_hold"),
]


def seed(*, business, products=None, stdout=None):
    for priority, (first, resolution) in POLICIES.items():
        SlaPolicy.objects.update_or_create(business=business, priority=priority, defaults={
            "first_response_minutes": first, "resolution_minutes": resolution})
    for title, body in CANNED.items():
        CannedReply.objects.get_or_create(business=business, title=title, defaults={"body": body})
    if Ticket.objects.filter(business=business, customer__wa_id=TICKETS[0][0], subject=TICKETS[0][2]).exists():
        return  # seeded before
    agent = (get_user_model().objects.filter(memberships__business=business, memberships__role=Membership.Role.AGENT)
             .order_by("pk").first())
    for wa_id, name, subject, priority, conversation, final in TICKETS:
        customer = upsert_customer(business=business, wa_id=wa_id, name=name)
        order = Order.objects.filter(business=business, customer=customer).order_by("-created_at").first()
        ticket = services.open_ticket(business=business, customer=customer, subject=subject,
                                      message=conversation[0][1], order=order, priority=priority, tags=["demo"])
        for _who, text, internal in conversation[1:]:
            services.reply_to_ticket(ticket=ticket, author=agent, body=text, internal=internal)
        if agent is not None and ticket.assignee_id is None and final != "new":
            services.assign_ticket(ticket=ticket, assignee=agent)
        ticket.refresh_from_db()
        if final != ticket.status:
            services.change_status(ticket=ticket, status=final)
    if stdout is not None:
        stdout.write(f"  support: {len(TICKETS)} demo tickets, {len(CANNED)} canned replies, SLA policies")

