"""Chat messages as the customer saw them in WhatsApp, for the back office's inbox, ticket and
order pages: text, reply buttons, lists with their sections and rows, products, carts and
templates become a `Bubble` the templates draw (never the raw JSON); a photo the customer sent
shows as a thumbnail linking to the staff-only file view, other files as download links, a
location with a map link."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from support.attachments import Attachment

from .media import attachment, coordinates, map_link
from .models import InboundMessage, OutboundMessage, ReceivedMedia, WebChatMessage
from .notifications import WEB_CHAT_PREFIX


@dataclass
class Bubble:
    mine: bool  # sent by the shop
    at: datetime
    text: str = ""
    header: str = ""
    footer: str = ""
    buttons: list[str] = field(default_factory=list)
    list_button: str = ""
    sections: list[dict] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    cart: list[tuple[Any, str]] = field(default_factory=list)
    note: str = ""  # what the shop's side knows: delivery state, a failure
    failed: bool = False
    key: str = ""
    media: Attachment | None = None  # a file the customer sent
    link: str = ""  # a location's map


def _interactive(bubble: Bubble, interactive: dict) -> None:
    bubble.header = ((interactive.get("header") or {}).get("text")) or ""
    bubble.text = (interactive.get("body") or {}).get("text", "")
    bubble.footer = (interactive.get("footer") or {}).get("text", "")
    action = interactive.get("action") or {}
    kind = interactive.get("type")
    if kind == "button":
        bubble.buttons = [(b.get("reply") or {}).get("title", "") for b in action.get("buttons") or []]
    elif kind == "list":
        bubble.list_button = action.get("button", "")
        bubble.sections = [{"title": s.get("title", ""), "rows": [
            {"title": r.get("title", ""), "description": r.get("description", "")} for r in s.get("rows") or []]}
            for s in action.get("sections") or []]
    elif kind == "product":
        bubble.products = [action.get("product_retailer_id", "")]
    elif kind == "product_list":
        bubble.sections = [{"title": s.get("title", ""), "rows": [
            {"title": i.get("product_retailer_id", ""), "description": ""} for i in s.get("product_items") or []]}
            for s in action.get("sections") or []]
    elif kind in ("button_reply", "list_reply"):
        reply = interactive.get(kind) or {}
        bubble.text = reply.get("title", "")
        bubble.note = _("tapped")
    elif kind in ("order_details", "order_status"):
        bubble.note = _("payment request") if kind == "order_details" else _("order status")
    elif kind == "catalog_message":
        bubble.note = _("catalog")


def _body(bubble: Bubble, body: dict) -> Bubble:
    kind = body.get("type")
    if kind == "text":
        bubble.text = (body.get("text") or {}).get("body", "")
    elif kind == "interactive":
        _interactive(bubble, body.get("interactive") or {})
    elif kind == "order":
        bubble.cart = [(i.get("quantity"), i.get("product_retailer_id", ""))
                       for i in (body.get("order") or {}).get("product_items") or []]
        bubble.text = (body.get("order") or {}).get("text", "")
    elif kind == "template":
        template = body.get("template") or {}
        bubble.text = _("Template “%(name)s”") % {"name": template.get("name", "")}
        # the values its body was filled with (an event's template: order number, tracking number...)
        bubble.footer = " · ".join(
            str(p.get("text", "")) for c in template.get("components") or [] if isinstance(c, dict)
            for p in c.get("parameters") or [] if isinstance(p, dict) and p.get("type") == "text")
    elif kind == "location":
        found = body.get("location")
        pin: dict = found if isinstance(found, dict) else {}
        bubble.text = ", ".join(str(pin[k]) for k in ("name", "address") if pin.get(k))
        where = coordinates(pin)
        if where is not None:
            bubble.link = map_link(*where)
        bubble.note = _("location")
    elif kind in ("image", "document", "audio", "video", "sticker", "contacts"):
        bubble.text = (body.get(kind) or {}).get("caption", "") if isinstance(body.get(kind), dict) else ""
        bubble.note = kind
    else:
        bubble.note = kind or ""
    return bubble


def from_inbound(message: InboundMessage, media: ReceivedMedia | None = None) -> Bubble:
    bubble = _body(Bubble(mine=False, at=message.received_at, key=f"in-{message.pk}"), message.payload or {})
    if media is not None:
        bubble.media = attachment(media)
        bubble.note = bubble.media.label
    return bubble


def from_outbound(message: OutboundMessage) -> Bubble:
    bubble = _body(Bubble(mine=True, at=message.created_at, key=f"out-{message.pk}"), message.body or {})
    if message.status == OutboundMessage.Status.FAILED:
        bubble.failed = True
        failure = " ".join(str(x) for x in (message.error_code, message.error_title) if x) or "-"
        bubble.note = _("not delivered (failed %(error)s)") % {"error": failure}
    else:
        bubble.note = " · ".join(str(x) for x in (message.get_status_display(), message.note) if x)
    return bubble


def from_web_chat(message: WebChatMessage) -> Bubble:
    """A browser-chat message (stored in WhatsApp's shape; stored is delivered)."""
    mine = message.direction == WebChatMessage.Direction.OUT
    return _body(Bubble(mine=mine, at=message.created_at, key=f"web-{message.pk}"), message.body or {})


def conversation(customer, limit: int = 60) -> list[Bubble]:
    """The customer's last `limit` messages both ways, oldest first: a browser-chat customer's
    from the web chat (one query), anyone else's from WhatsApp (two queries)."""
    if str(customer.wa_id or "").startswith(WEB_CHAT_PREFIX):
        web = WebChatMessage.objects.filter(customer=customer).order_by("-id")[:limit]
        return [from_web_chat(m) for m in reversed(web)]
    received = list(InboundMessage.objects.filter(customer=customer).exclude(
        type=InboundMessage.STATUS).order_by("-id")[:limit])
    files = {m.inbound_id: m for m in ReceivedMedia.objects.filter(inbound__in=[r.pk for r in received])} \
        if any(r.type in ReceivedMedia.Kind.values for r in received) else {}
    inbound = [from_inbound(m, files.get(m.pk)) for m in received]
    outbound = [from_outbound(m) for m in OutboundMessage.objects.filter(customer=customer).order_by("-id")[:limit]]
    return sorted(inbound + outbound, key=lambda b: b.at)[-limit:]
