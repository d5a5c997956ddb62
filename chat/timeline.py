"""The order page's timeline gets the chat messages of that order's conversation (registered in
ChatConfig.ready(); orders imports nothing of chat): the customer's WhatsApp and browser-chat
messages from shortly before the order was placed (the cart talk) until shortly before their
next order, and every later message that names the order (shipping updates, refund notes), each
drawn as the customer saw it; a message naming another order is left to that order's page.
Four queries whatever the number of messages."""
from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from orders.models import Order
from orders.timeline import Entry

from . import rendering
from .models import InboundMessage, OutboundMessage, WebChatMessage

LEAD = timedelta(hours=2)  # how long before placing an order its conversation starts
LIMIT = 50  # messages per table, the newest kept


def _entry(bubble: rendering.Bubble) -> Entry:
    return Entry(bubble.at, "message", _("Shop wrote") if bubble.mine else _("Customer wrote"), bubble=bubble)


def timeline_entries(order: Order, user) -> list[Entry]:
    start = order.created_at - LEAD
    following = (Order.objects.filter(customer_id=order.customer_id, created_at__gt=order.created_at)
                 .order_by("created_at").values_list("created_at", flat=True).first())
    window = Q(created_at__gte=start) if following is None else Q(created_at__gte=start,
                                                                  created_at__lt=following - LEAD)
    inbound_window = Q(received_at__gte=start) if following is None else Q(received_at__gte=start,
                                                                           received_at__lt=following - LEAD)
    inbound = InboundMessage.objects.filter(inbound_window, customer_id=order.customer_id).exclude(
        type=InboundMessage.STATUS).order_by("-id")[:LIMIT]
    # in the window unless it names another order (that order's page shows it), or naming this one
    ours = (window & Q(order_number__in=("", order.number))) | Q(order_number=order.number)
    outbound = OutboundMessage.objects.filter(ours, customer_id=order.customer_id).order_by("-id")[:LIMIT]
    web = WebChatMessage.objects.filter(ours, customer_id=order.customer_id).order_by("-id")[:LIMIT]
    bubbles = ([rendering.from_inbound(m) for m in inbound] + [rendering.from_outbound(m) for m in outbound]
               + [rendering.from_web_chat(m) for m in web])
    return [_entry(bubble) for bubble in bubbles]
