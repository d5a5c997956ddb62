"""The browser chat's messages as the page shows them, the way WhatsApp shows each kind: text
(links clickable), reply buttons, lists (a button opening the sections' rows), product and
product-list messages (rows of the products they name), order details (the items and the
total with "Review and pay") and order status; the customer's own messages as they sent them."""
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import Product
from chat.models import WebChatMessage
from shopchat.models import Business
from shopchat.money import display

Row = tuple[str, str, str]  # reply id, title, description


@dataclass
class Bubble:
    id: int
    mine: bool  # sent by the visitor
    text: str = ""
    header: str = ""
    footer: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    list_button: str = ""
    sections: list[tuple[str, list[Row]]] = field(default_factory=list)
    time: Any = None


def bubbles(business: Business, messages: list[WebChatMessage]) -> list[Bubble]:
    wanted = {rid for m in messages for rid in _product_ids(m.body)}
    products = {p.retailer_id: p for p in Product.objects.filter(business=business, retailer_id__in=wanted)
                .only("retailer_id", "title", "price_minor", "sale_price_minor")} if wanted else {}
    return [bubble(business, m, products) for m in messages]


def _product_ids(body: dict) -> list[str]:
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "product":
        return [str(action.get("product_retailer_id") or "")]
    if interactive.get("type") == "product_list":
        return [str(i.get("product_retailer_id") or "") for s in action.get("sections") or []
                for i in s.get("product_items") or []]
    return []


def _product_row(business: Business, products: dict[str, Product], rid: str) -> Row:
    product = products.get(rid)
    if product is None:
        return (f"product:{rid}", rid, "")
    return (f"product:{rid}", product.title[:24], display(product.current_price_minor, business.currency))


def _row(row: dict) -> Row:
    return (str(row.get("id")), str(row.get("title")), str(row.get("description") or ""))


def bubble(business: Business, message: WebChatMessage, products: dict[str, Product]) -> Bubble:
    body = message.body or {}
    b = Bubble(id=message.pk, mine=message.direction == WebChatMessage.Direction.IN, time=message.created_at)
    if body.get("type") == "text":
        b.text = str((body.get("text") or {}).get("body") or "")
        return b
    interactive = body.get("interactive") or {}
    if b.mine:  # a tapped button or row: WhatsApp shows its title
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        b.text = str(reply.get("title") or reply.get("id") or "")
        return b
    kind = interactive.get("type")
    action = interactive.get("action") or {}
    b.header = str((interactive.get("header") or {}).get("text") or "")
    b.text = str((interactive.get("body") or {}).get("text") or "")
    b.footer = str((interactive.get("footer") or {}).get("text") or "")
    if kind == "button":
        b.buttons = [(str(x["reply"]["id"]), str(x["reply"]["title"])) for x in action.get("buttons") or []
                     if isinstance(x, dict) and isinstance(x.get("reply"), dict)]
    elif kind == "list":
        b.list_button = str(action.get("button") or _("Options"))
        b.sections = [(str(s.get("title") or ""), [_row(r) for r in s.get("rows") or []])
                      for s in action.get("sections") or []]
    elif kind == "product_list":
        b.list_button = _("View items")
        b.sections = [(str(s.get("title") or ""), [_product_row(business, products, str(i.get("product_retailer_id")))
                                                   for i in s.get("product_items") or []])
                      for s in action.get("sections") or []]
    elif kind == "product":
        rid = str(action.get("product_retailer_id") or "")
        row = _product_row(business, products, rid)
        b.text = b.text or f"{row[1]} - {row[2]}"
        b.buttons = [(f"buy:{rid}", _("Order one"))]
    elif kind == "order_details":
        parameters = action.get("parameters") or {}
        order = parameters.get("order") or {}
        lines = [f"{i.get('quantity')} x {i.get('name')}" for i in order.get("items") or []]
        b.text = "\n".join([b.text, *lines])
        reference = str(parameters.get("reference_id") or "")
        b.buttons = [(f"pay_card:{reference}", _("Review and pay"))] if reference else []
    elif kind == "order_status":
        status = ((action.get("parameters") or {}).get("order") or {}).get("status", "")
        b.footer = b.footer or str(status)
    return b
