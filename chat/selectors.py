"""Reads of the WhatsApp adapter for other screens (the order and ticket pages after merging)."""
from shopchat.channels import UndeliveredMessage
from shopchat.models import Business

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


def undelivered_messages(*, business: Business, order_number: str = "",
                         ticket_id: str = "") -> list[UndeliveredMessage]:
    """`chat_failures` as the channel registry hands them to the order and ticket pages, which
    know nothing of the chat app."""
    return [UndeliveredMessage(status_at=m.status_at, kind=m.kind, error_code=m.error_code, error_title=m.error_title)
            for m in chat_failures(business=business, order_number=order_number, ticket_id=ticket_id)]
