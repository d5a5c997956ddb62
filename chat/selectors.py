"""Reads of the WhatsApp adapter for other screens (the order and ticket pages after merging)."""
from .models import OutboundMessage


def chat_failures(*, business, order_number: str = "", ticket_id="") -> list[OutboundMessage]:
    """Messages about an order or a ticket that WhatsApp did not deliver, newest first, with
    their error code and title (e.g. 131047: the customer last wrote over 24 hours ago)."""
    messages = OutboundMessage.objects.filter(business=business, status=OutboundMessage.Status.FAILED)
    if order_number:
        messages = messages.filter(order_number=order_number)
    elif ticket_id:
        messages = messages.filter(ticket_id=str(ticket_id))
    else:
        return []
    return list(messages.order_by("-id")[:20])
