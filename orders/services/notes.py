"""Staff notes on an order: internal, kept in the order's timeline, never sent to the customer."""
from django.db import transaction

from shopchat.actors import Actor
from shopchat.errors import InvalidInput

from ..models import Order, OrderNote
from .lifecycle import _actor

MAX_NOTE = 4000


def add_order_note(*, order: Order, author: Actor, text: str) -> OrderNote:
    """Add `author`'s note to `order`. One INSERT; takes no lock (a note changes no state)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("text", "Write the note first.")
    if len(text) > MAX_NOTE:
        raise InvalidInput("text", f"A note has at most {MAX_NOTE} characters.")
    user, label = _actor(author)
    with transaction.atomic():
        return OrderNote.objects.create(order=order, author=user, author_label=label, text=text)
