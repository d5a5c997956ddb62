"""Choosing how to receive a chat order: a saved address, another address, or pickup in store.

When the business has shipping options, a cart sent in the chat is placed with its fulfilment
undecided and the customer is asked, before the payment request:

- one of their saved addresses (`addr:<order>:<label>`), another address (`addr_new:<order>`),
  or a pickup option (`ship:<order>:<code>`);
- another address: WhatsApp's native address form where Meta offers it (India, Singapore; its
  answer is an `nfm_reply`), else a short guided dialog (street, postcode, city, and the region
  where the country needs one); a location pin shared at any step is kept with the address
  (latitude/longitude, and the pin's own address text as the street when it has one);
- then the delivery options serving that address with their price (`ship:<order>:<code>`);
  one option is taken without asking.

The choice goes through `orders.services.shipping.choose_delivery` (the totals change before
any payment is asked for); the address is saved for next time (`remember_address`). The step
and the draft address live in `CheckoutStep`, one row per customer.
"""
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from orders.models import CustomerAddress, Discount, Fulfilment, Order, ShippingOption
from orders.services import addresses, discounts, shipping
from shopchat.errors import DomainError, InvalidInput

from . import messages as wa
from .models import CheckoutStep

if TYPE_CHECKING:
    from .engine import Conversation, Reply

STALE_AFTER = timedelta(hours=24)
SAVED_SHOWN = 7
DIALOG_FIELDS = ("line1", "postcode", "city", "region")
# WhatsApp's address form fields (India: in_pin_code, Singapore: sg_post_code) -> ours
FORM_LINE1 = ("house_number", "building_name", "address")
FORM_LINE2 = ("floor_number", "tower_number", "unit_number", "landmark_area")
FORM_POSTCODE = {"IN": "in_pin_code", "SG": "sg_post_code"}
FORM_FIELDS = {"line1": "address", "city": "city", "region": "state", "name": "name", "phone": "phone_number"}


def asks_delivery(business) -> bool:
    """The chat asks how to receive an order when the business has set up shipping options."""
    return ShippingOption.objects.filter(business=business, is_active=True).exists()


class Checkout:
    def __init__(self, conversation: "Conversation") -> None:
        self.conversation = conversation
        self.business = conversation.business
        self.customer = conversation.customer
        self._step: CheckoutStep | None | bool = False  # False: not read yet

    # --- state ---------------------------------------------------------------------------
    def step(self) -> CheckoutStep | None:
        """The customer's open checkout step (one query, read once per message), if still current."""
        if self._step is False:
            row = (CheckoutStep.objects.filter(customer=self.customer).select_related("order").first())
            fresh = row is not None and row.updated_at >= timezone.now() - STALE_AFTER and \
                row.order.status == Order.Status.PENDING_PAYMENT and row.order.fulfilment == Fulfilment.UNDECIDED
            if row is not None and not fresh:
                row.delete()
            self._step = row if fresh else None
        return self._step if isinstance(self._step, CheckoutStep) else None

    def known_to_have_no_step(self) -> None:
        """The caller read that the customer has no checkout step (`queries.conversation_state`):
        `step()` answers None without reading it again."""
        if self._step is False:
            self._step = None

    def in_dialog(self) -> bool:
        step = self.step()
        return step is not None and step.step in DIALOG_FIELDS

    def _save(self, order: Order, step: str, draft: dict[str, Any] | None = None) -> None:
        row, _created = CheckoutStep.objects.update_or_create(
            customer=self.customer, defaults={"business": self.business, "order": order, "step": step,
                                              "draft": draft or {}})
        row.order = order
        self._step = row

    def _done(self) -> None:
        CheckoutStep.objects.filter(customer=self.customer).delete()
        self._step = None

    def _reply(self, body: dict, order: Order) -> "list[Reply]":
        from .engine import Reply

        return [Reply(body, order_number=order.number)]

    # --- coupons -------------------------------------------------------------------------
    def is_coupon(self, word: str) -> bool:
        return discounts.discount_flags(self.business)[1] and Discount.objects.filter(
            business=self.business, code=discounts.normalize_code(word)).exists()

    def coupon(self, word: str) -> "list[Reply]":
        """A coupon code typed in the chat: kept on the cart for the next order, or refused naming why."""
        try:
            discount = discounts.set_cart_coupon(business=self.business, customer=self.customer, code=word)
        except DomainError as exc:
            return self.conversation.text_reply(exc.message)
        assert discount is not None
        return self.conversation.text_reply(
            _("Coupon %(code)s (%(name)s) is saved: it comes off your next order. Send your cart when you are ready.")
            % {"code": discount.code, "name": discount.name})

    def cart_coupon(self) -> str | None:
        """The coupon code the customer gave for their next order, if any."""
        return discounts.cart_coupon(business=self.business, customer=self.customer) or None

    # --- the first question ------------------------------------------------------------
    def ask(self, order: Order) -> "list[Reply]":
        """Deliver to a saved address / another address / pick up in store."""
        saved = list(CustomerAddress.objects.filter(customer=self.customer)[:SAVED_SHOWN])
        pickups = [o for o in shipping.active_options(self.business) if o.kind == ShippingOption.Kind.PICKUP]
        self._save(order, CheckoutStep.Step.CHOOSE)
        footer = self.conversation.footer
        intro = _("Order %(number)s is placed.") % {"number": order.number}
        if len(saved) <= 1 and len(pickups) <= 1:
            buttons = []
            if saved:
                body = intro + "\n" + _("Deliver to %(address)s?") % {"address": addresses.address_of(saved[0]).short()}
                buttons.append((f"addr:{order.number}:{saved[0].label}", pgettext("button", "Deliver here")))
                buttons.append((f"addr_new:{order.number}", pgettext("button", "Another address")))
            else:
                body = intro + "\n" + _("Where should we deliver it? Tap below or share your location pin.")
                buttons.append((f"addr_new:{order.number}", pgettext("button", "Enter address")))
            if pickups:
                buttons.append((f"ship:{order.number}:{pickups[0].code}", pgettext("button", "Pick up in store")))
            return self._reply(wa.reply_buttons(wa.clip(body, wa.MAX_BODY),
                                                [(i, wa.clip(t, wa.MAX_BUTTON_TITLE)) for i, t in buttons],
                                                footer=footer), order)
        rows = [(f"addr:{order.number}:{a.label}", wa.clip(addresses.address_of(a).short(), wa.MAX_ROW_TITLE),
                 wa.clip(addresses.address_of(a).one_line(), wa.MAX_ROW_DESCRIPTION)) for a in saved]
        rows.append((f"addr_new:{order.number}", wa.clip(pgettext("list row", "Another address"), wa.MAX_ROW_TITLE),
                     wa.clip(pgettext("row description", "Type it or share a location pin"), wa.MAX_ROW_DESCRIPTION)))
        rows += [(f"ship:{order.number}:{o.code}", wa.clip(o.name, wa.MAX_ROW_TITLE),
                  wa.clip(o.description or pgettext("row description", "Pick up in store"), wa.MAX_ROW_DESCRIPTION))
                 for o in pickups[: wa.MAX_ROWS - len(rows)]]
        body = intro + "\n" + _("How would you like to receive it?")
        choose = wa.clip(pgettext("list button", "Choose"), wa.MAX_LIST_BUTTON)
        section = wa.clip(pgettext("section title", "Delivery"), wa.MAX_SECTION_TITLE)
        return self._reply(wa.list_message(wa.clip(body, wa.MAX_BODY), choose, [(section, rows)], footer=footer), order)

    # --- actions -------------------------------------------------------------------------
    def action(self, name: str, arg: str) -> "list[Reply]":
        number, _sep, rest = arg.partition(":")
        order = self.conversation.find_order(number)
        if order is None:
            return self.conversation.text_reply(_("I could not find order %(number)s.") % {"number": number})
        if order.status != Order.Status.PENDING_PAYMENT or order.fulfilment != Fulfilment.UNDECIDED:
            return self.conversation.payment_request(order) if order.status == Order.Status.PENDING_PAYMENT \
                else self.conversation.text_reply(_("Order %(number)s is already on its way.") % {"number": number})
        if name == "addr":
            saved = CustomerAddress.objects.filter(customer=self.customer, label=rest).first()
            if saved is None:
                return self.ask(order)
            return self.offer_shipping(order, addresses.address_of(saved))
        if name == "addr_new":
            return self.new_address(order)
        step = self.step()
        draft = step.draft if step is not None and step.order_id == order.pk else {}
        return self.choose(order, rest, draft.get("address"))

    def new_address(self, order: Order, draft: dict[str, Any] | None = None) -> "list[Reply]":
        country = self.business.country
        if country in wa.ADDRESS_MESSAGE_COUNTRIES:
            self._save(order, CheckoutStep.Step.ADDRESS_FORM, draft)
            values = {"name": self.customer.name, "phone_number": f"+{self.customer.wa_id}"}
            return self._reply(wa.address_message(
                _("Tap below to enter the delivery address for order %(number)s.") % {"number": order.number},
                country, values={k: v for k, v in values.items() if v}, footer=self.conversation.footer), order)
        return self._ask_field(order, "line1", draft or {})

    # --- the guided dialog ---------------------------------------------------------------------
    QUESTIONS = {
        "line1": gettext_noop("Please type the street and house number (or share your location pin)."),
        "postcode": gettext_noop("And the postcode?"),
        "city": gettext_noop("Which town or city?"),
        "region": gettext_noop("Which state or region?"),
    }

    def _ask_field(self, order: Order, field: str, draft: dict[str, Any], problem: str = "") -> "list[Reply]":
        self._save(order, field, draft)
        question = _(self.QUESTIONS[field])
        return self.conversation.text_reply(f"{problem}\n{question}".strip(), order_number=order.number)

    def text(self, body: str) -> "list[Reply]":
        """The customer's answer to the dialog's current question."""
        step = self.step()
        assert step is not None
        draft = dict(step.draft)
        draft[step.step] = " ".join(body.split())[:200]
        return self._next(step.order, draft)

    def _next(self, order: Order, draft: dict[str, Any]) -> "list[Reply]":
        country = self.business.country
        for field in DIALOG_FIELDS:
            if field == "region" and not addresses.needs_region(country):
                continue
            if not draft.get(field):
                return self._ask_field(order, field, draft)
        try:
            address = addresses.clean_address({**draft, "country": country}, customer=self.customer,
                                              default_country=country)
        except InvalidInput as exc:
            field = exc.field.rpartition(".")[2]
            if field not in DIALOG_FIELDS:
                field = "line1"
            draft.pop(field, None)
            return self._ask_field(order, field, draft, problem=exc.message)
        return self.offer_shipping(order, address)

    def location(self, pin: dict[str, Any]) -> "list[Reply]":
        """A location pin during the checkout: kept with the address being given; its own address
        text (a place the customer picked) becomes the street."""
        step = self.step()
        assert step is not None
        draft = dict(step.draft)
        draft["latitude"], draft["longitude"] = pin.get("latitude"), pin.get("longitude")
        place = ", ".join(str(pin[k]) for k in ("name", "address") if pin.get(k))
        if place and not draft.get("line1"):
            draft["line1"] = place[:200]
        return self._next(step.order, draft)

    def form_reply(self, reply: dict[str, Any]) -> "list[Reply]":
        """WhatsApp's address form came back (`nfm_reply` named address_message)."""
        step = self.step()
        if step is None:
            return self.conversation.text_reply(_("Thank you! Please send your cart again to order."))
        order = step.order
        try:
            values = (json.loads(reply.get("response_json") or "{}") or {}).get("values") or {}
        except (ValueError, TypeError, AttributeError):
            values = {}
        if not isinstance(values, dict):
            values = {}
        country = self.business.country
        postcode_key = FORM_POSTCODE.get(country, "in_pin_code")
        data = {
            "name": values.get("name") or "", "phone": values.get("phone_number") or "",
            "line1": ", ".join(str(values[k]) for k in FORM_LINE1 if values.get(k)),
            "line2": ", ".join(str(values[k]) for k in FORM_LINE2 if values.get(k)),
            "city": values.get("city") or "", "postcode": values.get(postcode_key) or "",
            "region": values.get("state") or "", "country": country,
            **{k: step.draft.get(k) for k in ("latitude", "longitude") if step.draft.get(k) is not None},
        }
        try:
            address = addresses.clean_address(data, customer=self.customer, default_country=country)
        except InvalidInput as exc:
            field = exc.field.rpartition(".")[2]
            key = postcode_key if field == "postcode" else FORM_FIELDS.get(field, "address")
            return self._reply(wa.address_message(
                wa.clip(_("Please check the address: %(problem)s") % {"problem": exc.message}, wa.MAX_BODY),
                country, values={k: v for k, v in values.items() if isinstance(v, str) and v},
                validation_errors={key: wa.clip(exc.message, 100)}, footer=self.conversation.footer), order)
        return self.offer_shipping(order, address)

    # --- shipping ------------------------------------------------------------------------------
    def offer_shipping(self, order: Order, address: addresses.Address) -> "list[Reply]":
        items_minor = sum(line.line_total_minor for line in order.lines.all())
        quotes = [q for q in shipping.quotes_for(business=self.business, address=address, items_minor=items_minor)
                  if not q.is_pickup]
        snapshot = {"address": address.as_snapshot()}
        if not quotes:
            self._save(order, CheckoutStep.Step.CHOOSE)
            return self._reply(wa.reply_buttons(
                wa.clip(_("Sorry, we do not deliver to %(place)s.") % {"place": address.short() + (
                    f" {address.postcode}" if address.postcode else "")}, wa.MAX_BODY),
                [(f"addr_new:{order.number}", pgettext("button", "Another address"))],
                footer=self.conversation.footer), order)
        if len(quotes) == 1:
            return self.choose(order, quotes[0].option.code, snapshot["address"])
        self._save(order, CheckoutStep.Step.SHIPPING, snapshot)
        rows = [(f"ship:{order.number}:{q.option.code}", wa.clip(q.option.name, wa.MAX_ROW_TITLE),
                 wa.clip(" · ".join(p for p in (self.conversation.money(q.price_minor) if q.price_minor else _("Free"),
                                                q.option.description) if p), wa.MAX_ROW_DESCRIPTION))
                 for q in quotes[: wa.MAX_ROWS]]
        body = _("Delivery to %(address)s. Choose the shipping:") % {"address": address.short()}
        choose = wa.clip(pgettext("list button", "Shipping options"), wa.MAX_LIST_BUTTON)
        section = wa.clip(pgettext("section title", "Shipping"), wa.MAX_SECTION_TITLE)
        return self._reply(wa.list_message(wa.clip(body, wa.MAX_BODY), choose, [(section, rows)],
                                           footer=self.conversation.footer), order)

    def choose(self, order: Order, code: str, snapshot: dict[str, Any] | None) -> "list[Reply]":
        address = addresses.Address.from_snapshot(snapshot) if snapshot else None
        try:
            order = shipping.choose_delivery(order=order, code=code, address=address)
        except InvalidInput as exc:
            if exc.field == "address":  # a delivery option tapped before giving an address
                return self.new_address(order)
            return self.conversation.text_reply(wa.clip(exc.message, wa.MAX_TEXT), order_number=order.number)
        except DomainError as exc:
            return self.conversation.text_reply(wa.clip(exc.message, wa.MAX_TEXT), order_number=order.number)
        self._done()
        if address is not None:
            addresses.remember_address(business=self.business, customer=self.customer, address=address)
        return self.conversation.payment_request(order)
