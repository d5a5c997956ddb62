"""Choosing a variant in the chat, and the chat's cart.

A product of a variant group (the feed's `item_group_id`: a T-shirt in S, M and L) is asked for
one attribute at a time, in the order `catalog.models.VARIANT_ATTRIBUTES` names them and only
those whose values differ within the group: the size, then the colour when both vary. Each
question is reply buttons (up to three options of one price, titles within 20 characters) or a
list (up to ten rows, titles within 24 characters, each with its price). Sold-out options are
left out and named in the question ("Sold out: XL"); a group sold out everywhere says so.

The state lives in the ids, nothing is stored: `pick:<retailer id>:<n>` means "the first n
attributes as this variant has them" (the next question is asked among the variants sharing
them); the last question's options are `add:<retailer id>`, the variant itself.

`add:<retailer id>` puts one unit in the cart: with a WhatsApp catalog the variant is sent as a
product message (the customer adds it to WhatsApp's cart and sends the cart, the `order`
message); without one it goes into the customer's cart here (`orders.services.set_cart_item`),
answered with the cart and "Place order" (`checkout`, placed from the cart like any other
order) or "Empty cart" (`cart_empty`).
"""
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from catalog import selectors as catalog_selectors
from catalog.models import Product
from orders import services as order_services
from orders.models import CartItem
from shopchat.errors import DomainError

from . import messages as wa

if TYPE_CHECKING:
    from .engine import Conversation, Reply

MAX_OPTIONS = wa.MAX_ROWS


def _question(attribute: str) -> str:
    return {
        "size": _("Which size would you like?"),
        "color": _("Which colour would you like?"),
        "material": _("Which material would you like?"),
        "pattern": _("Which pattern would you like?"),
    }.get(attribute, _("Which one would you like?"))


def _list_button(attribute: str) -> str:
    return {
        "size": pgettext("list button", "Choose a size"),
        "color": pgettext("list button", "Choose a colour"),
        "material": pgettext("list button", "Choose a material"),
        "pattern": pgettext("list button", "Choose a pattern"),
    }.get(attribute, pgettext("list button", "Choose"))


def value_of(product: Product, attribute: str) -> str:
    """An attribute as the customer reads it (a gender by its translated label)."""
    if attribute == "gender" and product.gender:
        return str(product.get_gender_display())
    return getattr(product, attribute) or "-"


class Variants:
    def __init__(self, conversation: "Conversation") -> None:
        self.conversation = conversation
        self.business = conversation.business
        self.customer = conversation.customer

    def _reply(self, body: dict) -> "list[Reply]":
        from .engine import Reply

        return [Reply(body)]

    def _find(self, retailer_id: str) -> Product | None:
        return Product.objects.filter(business=self.business, retailer_id=retailer_id, is_active=True).first()

    def _gone(self) -> "list[Reply]":
        return self._reply(wa.reply_buttons(_("Sorry, that product is not available any more."),
                                            self.conversation.buttons_to_go_on()[:1], footer=self.conversation.footer))

    # --- the questions ------------------------------------------------------------------
    def group_of(self, product: Product) -> list[Product] | None:
        """The product's active variants when there is a choice to make (two or more, differing
        in an attribute), else None: the product is shown as it is."""
        if not product.item_group_id:
            return None
        variants = catalog_selectors.group_variants(business=self.business, item_group_id=product.item_group_id)
        if len(variants) < 2 or not catalog_selectors.varying_attributes(variants):
            return None
        return variants

    def pick(self, arg: str) -> "list[Reply]":
        """`pick:<retailer id>:<n>`: the next question among the variants sharing the first n."""
        retailer_id, __, depth = arg.rpartition(":")
        reference = self._find(retailer_id)
        if reference is None or not depth.isdigit():
            return self._gone()
        variants = self.group_of(reference)
        if variants is None:
            return self.conversation.product(reference.retailer_id, choose_variant=False)
        return self.ask(variants, reference, int(depth))

    def ask(self, variants: list[Product], reference: Product | None = None, depth: int = 0,
            note: str = "") -> "list[Reply]":
        """The question of the attribute after the first `depth` (as `reference` has them)."""
        conversation = self.conversation
        varies = catalog_selectors.varying_attributes(variants)
        depth = min(depth, len(varies) - 1)
        chosen = varies[:depth]
        candidates = [v for v in variants
                      if reference is None or all(getattr(v, a) == getattr(reference, a) for a in chosen)]
        attribute = varies[depth]
        last = depth == len(varies) - 1
        options: list[tuple[str, str, list[Product]]] = []  # (id, title, the sellable variants it stands for)
        sold_out: list[str] = []
        for value in dict.fromkeys(getattr(v, attribute) for v in candidates):
            matching = [v for v in candidates if getattr(v, attribute) == value]
            sellable = [v for v in matching if not v.is_sold_out]
            label = value_of(matching[0], attribute)
            if not sellable:
                sold_out.append(label)
            elif len(options) < MAX_OPTIONS:
                target = sellable[0].retailer_id
                options.append((f"add:{target}" if last else f"pick:{target}:{depth + 1}", label, sellable))
        first = candidates[0] if candidates else variants[0]
        title = first.title
        if reference is not None and chosen:
            title += " (" + ", ".join(value_of(reference, a) for a in chosen) + ")"
        if not options:
            text = _("Sorry, %(product)s is sold out right now.") % {"product": title}
            return self._reply(wa.reply_buttons(wa.clip(text, wa.MAX_BODY), conversation.buttons_to_go_on()[:2],
                                                footer=conversation.footer))
        prices = {v.current_price_minor for _id, _label, sellable in options for v in sellable}
        price = self._price(prices)
        lines = [note] if note else []
        lines += [f"*{title}*", price]
        if first.description and depth == 0:
            lines += ["", first.description]
        lines += ["", _question(attribute)]
        if sold_out:
            lines.append(_("Sold out: %(options)s") % {"options": ", ".join(sold_out)})
        body = "\n".join(lines)
        if len(body) > wa.MAX_BODY:  # the description gives way
            body = "\n".join([*([note] if note else []), f"*{title}*", price, "", _question(attribute)]
                             + ([_("Sold out: %(options)s") % {"options": ", ".join(sold_out)}] if sold_out else []))
            body = body[: wa.MAX_BODY]
        one_price = len(prices) == 1
        if len(options) <= wa.MAX_BUTTONS and one_price and all(len(label) <= wa.MAX_BUTTON_TITLE
                                                                for _id, label, _s in options):
            return self._reply(wa.reply_buttons(body, [(oid, label) for oid, label, _s in options],
                                                footer=conversation.footer))
        rows = [(oid, wa.clip(label, wa.MAX_ROW_TITLE),
                 wa.clip(self._price({v.current_price_minor for v in sellable}), wa.MAX_ROW_DESCRIPTION))
                for oid, label, sellable in options]
        return self._reply(wa.list_message(body, wa.clip(_list_button(attribute), wa.MAX_LIST_BUTTON),
                                           [(wa.clip(first.title, wa.MAX_SECTION_TITLE), rows)],
                                           footer=conversation.footer))

    def _price(self, prices: set[int]) -> str:
        money = self.conversation.money
        if len(prices) == 1:
            return money(next(iter(prices)))
        return _("from %(price)s") % {"price": money(min(prices))}

    # --- adding to the cart -------------------------------------------------------------
    def add(self, retailer_id: str) -> "list[Reply]":
        """One unit of the product into the cart (WhatsApp's, with a catalog; else ours)."""
        conversation = self.conversation
        product = self._find(retailer_id)
        if product is None:
            return self._gone()
        if product.is_sold_out:
            variants = self.group_of(product)
            note = _("Sorry, %(product)s is sold out.") % {"product": product.variant_title}
            if variants is not None:
                return self.ask(variants, note=note)
            return self._reply(wa.reply_buttons(wa.clip(note, wa.MAX_BODY), conversation.buttons_to_go_on()[:2],
                                                footer=conversation.footer))
        price = conversation.money(product.current_price_minor)
        if conversation.config.catalog_id:
            text = _("%(product)s - %(price)s. Add it to your cart, then send the cart.") % {
                "product": product.variant_title, "price": price}
            return self._reply(wa.product(conversation.config.catalog_id, product.retailer_id,
                                          body=wa.clip(text, wa.MAX_BODY), footer=conversation.footer))
        held = (CartItem.objects.filter(cart__customer=self.customer, product=product)
                .values_list("quantity", flat=True).first() or 0)
        try:
            cart = order_services.set_cart_item(business=self.business, customer=self.customer, product=product,
                                                quantity=held + 1)
        except DomainError as exc:
            return conversation.text_reply(conversation.order_problem(exc))
        lines = [_("Added to your cart: %(product)s.") % {"product": product.variant_title}, "", _("Your cart:")]
        items = cart["items"]
        for line in items[:10]:
            lines.append(f"{line['quantity']} x {line['product'].variant_title} - "
                         f"{conversation.money(line['line_total_minor'])}")
        if len(items) > 10:
            lines.append(_("... and %(count)s more") % {"count": len(items) - 10})
        lines.append(_("Total: %(total)s") % {"total": conversation.money(cart["subtotal_minor"])})
        return self._reply(wa.reply_buttons("\n".join(lines)[: wa.MAX_BODY], [
            ("checkout", pgettext("button", "Place order")), conversation.buttons_to_go_on()[0],
            ("cart_empty", pgettext("button", "Empty cart"))], footer=conversation.footer))

    def empty_cart(self) -> "list[Reply]":
        order_services.clear_cart(business=self.business, customer=self.customer)
        return self._reply(wa.reply_buttons(_("Your cart is empty now."), self.conversation.buttons_to_go_on()[:2],
                                            footer=self.conversation.footer))
