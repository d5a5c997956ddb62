"""The conversation engine: what shopchat answers to each WhatsApp message.

It holds no business rules of its own: orders, payments and tickets are placed through the
other apps' services, and their domain errors (with their data: which items, which prices, how
much stock) are answered in words. It returns the replies; the caller stores and
sends them. The routes, in order:

- a message whose `context.referred_product` names a product, or a text ending in a product's
  id as the shop page's "Order on WhatsApp" prefills it (`chat.links`) -> that product;
- `order` (WhatsApp's cart) -> `orders.services.place_order` -> a payment request
  (`order_details` with a WhatsApp payment configuration, else buttons wallet / card link / cancel);
- a tapped button or list row -> the action named by its id (`pay_wallet:<order>`,
  `pay_card:<order>`, `cancel:<order>`, `product:<retailer id>`, `buy:<retailer id>`,
  `pick:<retailer id>:<n>` and `add:<retailer id>` (a variant's choice and the cart,
  `chat.variants`), `checkout`, `cart_empty`, `track:<order>`, `again:<order>`,
  `rate:<ticket id>:good|bad`, `catalog`, `help`);
- "where is my order" / "track" / "Bestellstatus"... -> the latest order's status, carrier and
  tracking link; "order again" / "nochmal bestellen"... -> the last order placed again (`place`);
- "language" / "Sprache" / "lingua"... -> the language menu (`language:<code>` rows); a language's
  name ("Deutsch", "हिंदी") -> that language, saved;
- "help" / "Hilfe" / "aiuto" / "मदद"... -> a ticket; while it is open, the customer's texts join it;
- the text after a rating tap (within RATING_COMMENT_WINDOW) -> the rating's comment;
- first contact or a greeting of any of the six languages -> the greeting and the catalog;
- any other text -> a catalog search;
- a photo, voice note, video, document or sticker -> kept (`chat.media`: downloaded after the
  answer) and attached to the open ticket with a short "we got it", else kept on the conversation
  (the inbox shows it) with a way on; a location pin -> the checkout's address while one is being
  given, else added to the open ticket or kept on the conversation, and acknowledged.

Every reply is in the customer's language (`shopchat.languages.customer_language`); while none is
saved, the language a text message is written in is saved as theirs (`chat.language.detect`).
"""
import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from catalog.models import Product
from orders import selectors as order_selectors
from orders import services as order_services
from orders.errors import EmptyCart, OutOfStock, PriceChanged, UnknownProducts
from orders.models import Fulfilment, Order
from payments import services as payment_services
from payments.models import Payment
from shopchat import consent
from shopchat.errors import DomainError
from shopchat.languages import CHAT_LANGUAGES, NATIVE_NAMES, Speech
from shopchat.privacy import services as privacy_services
from shopchat.services import put_customer
from support import selectors as support_selectors
from support import services as support_services
from support.errors import AlreadyRated

from . import language as words_of_languages
from . import links, media, order_details, queries, selectors
from . import messages as wa
from .checkout import Checkout, asks_delivery
from .variants import Variants

log = logging.getLogger(__name__)

# Marketing opt-out (docs/PRIVACY.md, "Consent"), in the chat's languages: en, de, it, es, pt, hi.
STOP_WORDS = {
    "stop", "unsubscribe", "stopp", "abmelden", "basta", "alto", "parar", "cancelar suscripcion", "sair",
    "रोकें", "रोको", "बंद",
}
# "Delete my data": an erasure request staff confirm in the back office.
DELETE_WORDS = {
    "delete my data", "erase my data", "delete my account", "remove my data", "lösche meine daten",
    "meine daten löschen", "daten löschen", "cancella i miei dati", "elimina i miei dati", "borrar mis datos",
    "eliminar mis datos", "apagar meus dados", "excluir meus dados", "मेरा डेटा हटाएं", "मेरा डेटा मिटाएं",
}
IGNORED_TYPES = {"reaction", "system", "unsupported", "errors"}
COUPON_RE = re.compile(r"^[A-Za-z0-9_\-]{3,40}$")  # one word: maybe a coupon code ("SAVE10")
LIST_ROWS = wa.MAX_ROWS
PRODUCT_LIST_ITEMS = wa.MAX_PRODUCTS
RATING_COMMENT_WINDOW = timedelta(minutes=30)  # after a rating tap, the next text is its comment


@dataclass
class Reply:
    body: dict
    order_number: str = ""
    ticket_id: str = ""


def respond(*, config, customer, message: dict, first_contact: bool = False, inbound=None) -> list[Reply]:
    """The replies to one inbound message (Meta's message object), in the customer's language.
    `inbound` is its stored row (WhatsApp): a file the customer sent is kept against it."""
    conversation = Conversation(config, customer, inbound=inbound)
    if message.get("type") == "text":
        conversation.learn_language(str((message.get("text") or {}).get("body") or ""))
    with translation.override(conversation.language):
        return _respond(conversation, message, first_contact)


def _respond(conversation: "Conversation", message: dict, first_contact: bool) -> list[Reply]:
    kind = message.get("type")
    referred = (message.get("context") or {}).get("referred_product")
    if isinstance(referred, dict) and referred.get("product_retailer_id"):  # a variant chosen in the catalog
        return conversation.product(str(referred["product_retailer_id"]), choose_variant=False)
    if kind == "text":
        return conversation.text(str((message.get("text") or {}).get("body") or ""), first_contact)
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        if interactive.get("type") == "nfm_reply":  # WhatsApp's address form, filled in
            return conversation.checkout.form_reply(interactive.get("nfm_reply") or {})
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return conversation.action(str(reply.get("id") or ""))
    if kind == "button":  # a quick-reply button of a template
        button = message.get("button") or {}
        return conversation.action(str(button.get("payload") or button.get("text") or ""))
    if kind == "order":
        return conversation.cart(message.get("order") or {})
    if kind == "request_welcome":
        return conversation.greeting()
    return conversation.other(kind, message)


def normalize(text: str) -> str:
    return words_of_languages.words_of(text)


STOP_NORMALIZED = {normalize(w) for w in STOP_WORDS}
DELETE_NORMALIZED = {normalize(w) for w in DELETE_WORDS}


class Conversation:
    def __init__(self, config, customer, inbound=None):
        self.config = config
        self.customer = customer
        self.inbound = inbound
        self.business = config.business
        self.footer = wa.clip(self.business.name, wa.MAX_FOOTER)
        self.speech = Speech.of(customer, self.business)
        self.language = self.speech.language
        self.checkout = Checkout(self)
        self.variants = Variants(self)

    def learn_language(self, body: str) -> None:
        """No language saved yet: the language this message is written in becomes the customer's
        (saved, so it holds from now on and the API shows it); a message that tells nothing
        ("hi", a product name) leaves the number's country or the business default in charge."""
        if self.customer.locale:
            return
        language = words_of_languages.detect(body)
        if language is not None:
            self.choose_language(language)

    def choose_language(self, language: str) -> None:
        locale = words_of_languages.locale_of(language)
        put_customer(business=self.business, wa_id=self.customer.wa_id, locale=locale)
        self.customer.locale = locale
        self.speech = Speech.of(self.customer, self.business)
        self.language = self.speech.language

    def money(self, minor: int) -> str:
        return self.speech.money(minor)

    def buttons_to_go_on(self) -> list[tuple[str, str]]:
        return [("catalog", pgettext("button", "Browse catalog")), ("help", pgettext("button", "Talk to us")),
                ("language", pgettext("button", "Language"))]

    def text_reply(self, text: str, order_number: str = "") -> list[Reply]:
        return [Reply(wa.text(wa.clip(text, wa.MAX_TEXT)), order_number=order_number)]

    # --- text -------------------------------------------------------------------------------
    def text(self, body: str, first_contact: bool) -> list[Reply]:
        ordered = links.product_reference(body)  # "Order on WhatsApp" of the shop page
        if ordered and Product.objects.filter(business=self.business, retailer_id=ordered).exists():
            return self.product(ordered, choose_variant=False)  # the page named the variant
        words = normalize(body)
        if words in STOP_NORMALIZED:
            return self.stop_marketing()
        if words in DELETE_NORMALIZED:
            return self.delete_my_data()
        if words_of_languages.asks_for_language(words):
            return self.language_menu()
        if (named := words_of_languages.named_language(words)) is not None:
            return self.switch_language(named)
        if words_of_languages.asks_for_tracking(words):
            return self.track()
        if words_of_languages.asks_to_reorder(words):
            return self.order_again()
        if words_of_languages.asks_for_help(words):
            return self.support(body)
        state = queries.conversation_state(business_id=self.business.pk, customer_id=self.customer.pk,
                                           now=timezone.now())
        if state.checkout_step_id is None:
            self.checkout.known_to_have_no_step()
        if self.checkout.in_dialog() and not words_of_languages.is_greeting(words):
            return self.checkout.text(body)
        if COUPON_RE.match(body.strip()) and self.checkout.is_coupon(body.strip()):
            return self.checkout.coupon(body.strip())
        greeting = words_of_languages.is_greeting(words)
        if words and not greeting and state.rating_awaiting_comment_id is not None and (
                rated := support_selectors.rating_awaiting_comment(business=self.business,
                                                                   customer=self.customer)) is not None:
            return self.rating_comment(rated.ticket, body)
        ticket = self.open_ticket() if state.open_ticket_id is not None else None
        if ticket is not None:
            support_services.add_customer_message(ticket=ticket, body=body)
            return self.greeting() if greeting else []
        if first_contact or greeting or not words:
            return self.greeting()
        return self.search(body)

    # --- privacy ----------------------------------------------------------------------------
    def stop_marketing(self) -> list[Reply]:
        consent.opt_out(customer=self.customer, source="chat")
        return [Reply(wa.text(_(
            "Done: %(shop)s will send you no more offers. Replies to your messages and updates about "
            "your orders still reach you.") % {"shop": self.business.name}))]

    def delete_my_data(self) -> list[Reply]:
        privacy_services.request_erasure(customer=self.customer)
        return [Reply(wa.text(_(
            "We have your request to delete your data. %(shop)s will check it within 30 days: open orders "
            "and money left in your wallet are settled first. Then your name, number and messages are erased "
            "everywhere (payment records stay, as the law requires) and you will hear from us no more.")
            % {"shop": self.business.name}))]

    def other(self, kind, message) -> list[Reply]:
        if kind in IGNORED_TYPES:
            return []
        if kind == "location":
            pin = message.get("location") if isinstance(message.get("location"), dict) else {}
            if self.checkout.step() is not None:
                return self.checkout.location(pin)
            return self.location_pin(pin)
        item = message.get(kind) if isinstance(message.get(kind), dict) else {}
        if kind in media.KINDS and self.inbound is not None:
            return self.received_file(kind, item)
        ticket = self.open_ticket()
        caption = item.get("caption", "")
        if ticket is not None:
            support_services.add_customer_message(ticket=ticket, body=f"[{kind}] {caption}".strip())
            return []
        return [Reply(wa.reply_buttons(
            _("I can read text messages and your cart. Send a product name to search, or:"),
            self.buttons_to_go_on(), footer=self.footer))]

    # --- files and places the customer sends ---------------------------------------------------
    def received_file(self, kind: str, item: dict) -> list[Reply]:
        """A photo, voice note, video, document or sticker: kept (downloaded once this answer is
        written), on the open ticket if there is one; a sticker is kept and not answered."""
        ticket = self.open_ticket()
        media.receive(business=self.business, customer=self.customer, inbound=self.inbound, kind=kind, item=item,
                      ticket=ticket)
        if kind == "sticker":
            return []
        if ticket is not None:
            ref = {"ticket": _ticket_ref(ticket)}
            texts = {
                "image": _("We got your photo and added it to ticket #%(ticket)s; an agent will look at it."),
                "audio": _("We got your voice message and added it to ticket #%(ticket)s; an agent will listen "
                           "to it."),
                "video": _("We got your video and added it to ticket #%(ticket)s; an agent will look at it."),
                "document": _("We got your document and added it to ticket #%(ticket)s; an agent will look at it."),
            }
            return [Reply(wa.text(texts[kind] % ref), ticket_id=str(ticket.pk))]
        texts = {
            "image": _("Thank you, we got your photo and our team can see it. Tap “Talk to us” if you need help "
                       "with it, or browse our catalog."),
            "audio": _("Thank you, we got your voice message and our team can hear it. I can only read text "
                       "myself: tap “Talk to us” if you need help, or browse our catalog."),
            "video": _("Thank you, we got your video and our team can see it. Tap “Talk to us” if you need help "
                       "with it, or browse our catalog."),
            "document": _("Thank you, we got your document and our team can see it. Tap “Talk to us” if you need "
                          "help with it, or browse our catalog."),
        }
        return [Reply(wa.reply_buttons(texts[kind], self.buttons_to_go_on(), footer=self.footer))]

    def location_pin(self, pin: dict) -> list[Reply]:
        """A location outside a checkout: added to the open ticket (with a map link), else kept on
        the conversation (the inbox shows it); acknowledged either way."""
        ticket = self.open_ticket()
        if ticket is not None:
            try:
                support_services.add_customer_message(ticket=ticket, body=media.location_text(pin))
            except DomainError:
                ticket = None
        if ticket is not None:
            return [Reply(wa.text(_("Thank you, we added your location to ticket #%(ticket)s.")
                                  % {"ticket": _ticket_ref(ticket)}), ticket_id=str(ticket.pk))]
        return [Reply(wa.reply_buttons(_("Thank you, we got your location and our team can see it."),
                                       self.buttons_to_go_on(), footer=self.footer))]

    # --- catalog ----------------------------------------------------------------------------
    def greeting(self) -> list[Reply]:
        greeting = self.business.greeting_in(self.language) or _("Welcome to %(shop)s!") % {"shop": self.business.name}
        return [Reply(wa.text(wa.clip(greeting, wa.MAX_TEXT)))] + self.catalog(first=True)

    def catalog(self, first: bool = False) -> list[Reply]:
        """The whole catalog: Meta's catalog message when the number has a catalog (on the first
        greeting), else products by collection (a product list, or a list without a catalog)."""
        if self.config.catalog_id:
            if not first:
                sections = selectors.collection_sections(self.business, PRODUCT_LIST_ITEMS, wa.MAX_PRODUCT_SECTIONS)
                if sections:
                    return [Reply(wa.product_list(
                        self.config.catalog_id, wa.clip(f"{self.business.name}", wa.MAX_HEADER),
                        _("Tap a product to see it, add what you like to your cart and send the cart."),
                        [(wa.clip(title, wa.MAX_SECTION_TITLE), [p.retailer_id for p in products])
                         for title, products in sections],
                        footer=self.footer))]
            thumbnail = (Product.objects.filter(business=self.business, is_active=True)
                         .order_by("pk").values_list("retailer_id", flat=True).first())
            return [Reply(wa.catalog_message(_("Browse our catalog, add products to your cart and send it to us."),
                                             thumbnail, footer=self.footer))]
        sections = selectors.collection_sections(self.business, LIST_ROWS, wa.MAX_SECTIONS, one_per_group=True)
        if not sections:
            return [Reply(wa.text(_("Our catalog is empty right now. Please come back soon!")))]
        return [Reply(self.product_rows(_("Tap a product to see it and order."),
                                        pgettext("list button", "View products"), sections))]

    def product_rows(self, body: str, button: str, sections) -> dict:
        return wa.list_message(body, button, [
            (wa.clip(title, wa.MAX_SECTION_TITLE), [
                (f"product:{p.retailer_id}", wa.clip(p.title, wa.MAX_ROW_TITLE),
                 wa.clip(self.money(p.current_price_minor), wa.MAX_ROW_DESCRIPTION)) for p in products])
            for title, products in sections
        ], footer=self.footer)

    def search(self, query: str) -> list[Reply]:
        limit = PRODUCT_LIST_ITEMS if self.config.catalog_id else LIST_ROWS
        # our own list shows a variant group once (its choice comes when it is tapped)
        products = selectors.find_products(business=self.business, query=query, limit=limit,
                                           one_per_group=not self.config.catalog_id)
        if not products:
            return [Reply(wa.reply_buttons(
                wa.clip(_("Sorry, nothing matches “%(query)s”. Try another word, or:") % {"query": query.strip()},
                        wa.MAX_BODY),
                self.buttons_to_go_on(), footer=self.footer))]
        title = wa.clip(_("Results for %(query)s") % {"query": query.strip()}, wa.MAX_SECTION_TITLE)
        if self.config.catalog_id:
            return [Reply(wa.product_list(
                self.config.catalog_id, wa.clip(_("Results for “%(query)s”") % {"query": query.strip()}, wa.MAX_HEADER),
                _("Tap a product to see it or add it to your cart, then send the cart."),
                [(title, [p.retailer_id for p in products])], footer=self.footer))]
        matches = ngettext("%(count)s product matches. Tap it to see it.",
                           "%(count)s products match. Tap one to see it.", len(products)) % {"count": len(products)}
        return [Reply(self.product_rows(matches, pgettext("list button", "View results"), [(title, products)]))]

    def product(self, retailer_id: str, choose_variant: bool = True) -> list[Reply]:
        """The product's sheet; for a product of a variant group (and `choose_variant`), the
        choice of its variant first (`chat.variants`)."""
        product = Product.objects.filter(business=self.business, retailer_id=retailer_id, is_active=True).first()
        if product is None:
            return [Reply(wa.reply_buttons(_("Sorry, that product is not available any more."),
                                           self.buttons_to_go_on()[:1], footer=self.footer))]
        if choose_variant and (variants := self.variants.group_of(product)) is not None:
            return self.variants.ask(variants)
        price = self.money(product.current_price_minor)
        if self.config.catalog_id:
            return [Reply(wa.product(self.config.catalog_id, product.retailer_id,
                                     body=wa.clip(f"{product.variant_title} - {price}", wa.MAX_BODY),
                                     footer=self.footer))]
        available = product.available_quantity
        stock = "" if available is None else ("\n" + (_("%(count)s in stock") % {"count": available} if available
                                                      else _("Out of stock")))
        sheet = f"*{product.variant_title}*\n{price}{stock}"
        if product.description:
            sheet += "\n\n" + product.description
        return [Reply(wa.reply_buttons(wa.clip(sheet, wa.MAX_BODY) if len(sheet) > wa.MAX_BODY else sheet,
                                       [(f"buy:{product.retailer_id}", pgettext("button", "Order one")),
                                        (f"add:{product.retailer_id}", pgettext("button", "Add to cart")),
                                        self.buttons_to_go_on()[0]],
                                       footer=self.footer))]

    # --- orders and payment ---------------------------------------------------------------
    def cart(self, order: dict) -> list[Reply]:
        items = []
        for item in order.get("product_items") or []:
            entry = {"retailer_id": str(item.get("product_retailer_id") or ""), "quantity": _int(item.get("quantity"))}
            if item.get("item_price") is not None:
                with contextlib.suppress(InvalidOperation):
                    entry["item_price"] = Decimal(str(item["item_price"]))
            if item.get("currency"):
                entry["currency"] = str(item["currency"])
            items.append(entry)
        if not items:
            return [Reply(wa.text(_("Your cart was empty. Add products from the catalog and send the cart again.")))]
        return self.place(items, note=str(order.get("text") or "")[:1000])

    def place(self, items, note: str = "") -> list[Reply]:
        """Place `items` (a WhatsApp cart, "Order one", "order again"), or the customer's cart here
        (`items` None: "Place order" after adding to the cart)."""
        fulfilment = Fulfilment.UNDECIDED if asks_delivery(self.business) else Fulfilment.DELIVERY
        try:
            if items is None:  # the cart's coupon is read by the placement, under the cart's lock
                order = order_services.place_order(business=self.business, customer=self.customer, from_cart=True,
                                                   note=note, fulfilment=fulfilment)
            else:
                order = order_services.place_order(business=self.business, customer=self.customer, items=items,
                                                   note=note, fulfilment=fulfilment,
                                                   coupon=self.checkout.cart_coupon())
        except EmptyCart:
            return [Reply(wa.reply_buttons(_("Your cart is empty. Browse the catalog and add what you like."),
                                           self.buttons_to_go_on()[:2], footer=self.footer))]
        except DomainError as exc:
            return [Reply(wa.text(wa.clip(self.order_problem(exc), wa.MAX_TEXT)))]
        if order.fulfilment == Fulfilment.UNDECIDED:
            return self.checkout.ask(order)
        return self.payment_request(order)

    def payment_request(self, order) -> list[Reply]:
        lines = list(order.lines.all())
        if self.config.payment_configuration:
            try:
                body = wa.order_details(
                    wa.clip(_("Thank you! Order %(number)s comes to %(total)s. Tap Review and Pay to pay.")
                            % {"number": order.number, "total": self.money(order.total_minor)}, wa.MAX_BODY),
                    order_details.order_details_parameters(self.config, order, lines, self.money),
                    footer=self.footer)
                return [Reply(body, order_number=order.number)]
            except wa.InvalidMessage as exc:  # never send what Meta would refuse: fall back to buttons
                log.warning("whatsapp: order_details for %s not sendable (%s); offering buttons", order.number, exc)
        total = self.money(order.total_minor)
        summary = [_("Order %(number)s is placed:") % {"number": order.number}]
        for line in lines[:20]:
            summary.append(f"{line.quantity} x {line.title} - {self.money(line.line_total_minor)}")
        if len(lines) > 20:
            summary.append(_("... and %(count)s more") % {"count": len(lines) - 20})
        summary.append(_("Total: %(total)s") % {"total": total})
        summary.append(_("How would you like to pay?"))
        text = "\n".join(summary)
        if len(text) > wa.MAX_BODY:
            text = (_("Order %(number)s is placed. Total: %(total)s. How would you like to pay?")
                    % {"number": order.number, "total": total})
        return [Reply(wa.reply_buttons(text, [
            (f"pay_wallet:{order.number}", pgettext("button", "Pay from wallet")),
            (f"pay_card:{order.number}", pgettext("button", "Pay by card link")),
            (f"cancel:{order.number}", pgettext("button", "Cancel")),
        ], footer=self.footer), order_number=order.number)]

    def find_order(self, number: str):
        return Order.objects.filter(business=self.business, customer=self.customer, number=number).first()

    # --- actions ------------------------------------------------------------------------------
    def action(self, action_id: str) -> list[Reply]:
        name, __, arg = action_id.partition(":")
        if name in ("pay_wallet", "pay_card", "cancel"):
            order = self.find_order(arg)
            if order is None:
                return [Reply(wa.text(wa.clip(_("I could not find order %(number)s.") % {"number": arg},
                                              wa.MAX_TEXT)))]
            if name != "cancel" and order.fulfilment == Fulfilment.UNDECIDED:
                return self.checkout.ask(order)  # how to receive it decides the total to pay
            return getattr(self, name)(order)
        if name in ("addr", "addr_new", "ship") and arg:
            return self.checkout.action(name, arg)
        if name == "product" and arg:
            return self.product(arg)
        if name == "buy" and arg:
            return self.place([{"retailer_id": arg, "quantity": 1}])
        if name == "pick" and arg:
            return self.variants.pick(arg)
        if name == "add" and arg:
            return self.variants.add(arg)
        if name == "checkout":
            return self.place(None)
        if name == "cart_empty":
            return self.variants.empty_cart()
        if name == "track":
            return self.track(arg)
        if name == "again":
            return self.order_again(arg)
        if name == "rate" and arg:
            return self.rate(arg)
        if name == "catalog":
            return self.catalog()
        if name == "help":
            return self.support("The customer asked for help in the chat.")  # a note to the agents
        if name == "language":
            return self.switch_language(arg) if arg in CHAT_LANGUAGES else self.language_menu()
        return [Reply(wa.reply_buttons(_("Sorry, that option is not available any more."),
                                       self.buttons_to_go_on(), footer=self.footer))]

    def pay_wallet(self, order) -> list[Reply]:
        """A wallet payment is decided at once: paid (the `order.paid` event confirms in the
        chat) or refused, answered here (so `payment.failed` of a wallet is not told again)."""
        try:
            payment = payment_services.pay_order(order=order, method=Payment.Method.WALLET)
        except DomainError as exc:
            reason = exc.message
        else:
            if payment.status != Payment.Status.FAILED:
                return []
            reason = payment.failure_reason
            if payment.failure_code == "insufficient_funds":
                balance = self.money(selectors.wallet_balance(self.customer))
                reason = (_("your wallet balance is %(balance)s and the order comes to %(total)s.")
                          % {"balance": balance, "total": self.money(order.total_minor)})
        return [Reply(wa.reply_buttons(
            wa.clip(_("Your wallet payment for order %(number)s did not go through: %(reason)s")
                    % {"number": order.number, "reason": reason}, wa.MAX_BODY),
            [(f"pay_card:{order.number}", pgettext("button", "Pay by card link")),
             (f"cancel:{order.number}", pgettext("button", "Cancel"))],
            footer=self.footer), order_number=order.number)]

    def pay_card(self, order) -> list[Reply]:
        try:
            link = payment_services.card_payment_link(order=order)
        except DomainError as exc:
            return [Reply(wa.text(wa.clip(_("We could not make a payment link: %(reason)s") % {"reason": exc.message},
                                          wa.MAX_TEXT)), order_number=order.number)]
        return [Reply(wa.text(_("Pay %(total)s for order %(number)s securely here:") % {
            "total": self.money(order.total_minor), "number": order.number} + f"\n{link}",
            preview_url=True), order_number=order.number)]

    def cancel(self, order) -> list[Reply]:
        try:
            payment_services.cancel_order(order=order, reason="Cancelled by the customer in the chat.")
        except DomainError as exc:
            return [Reply(wa.text(wa.clip(_("Order %(number)s cannot be cancelled: %(reason)s")
                                          % {"number": order.number, "reason": exc.message}, wa.MAX_TEXT)),
                          order_number=order.number)]
        return []  # the order.cancelled event tells the customer

    def order_problem(self, exc: DomainError) -> str:
        """An order service's refusal, in the customer's words, from the error's data (the items
        of `orders.errors.UnknownProducts`, `PriceChanged` and `OutOfStock`)."""
        items = [i for i in exc.data.get("items") or [] if i]
        if isinstance(exc, UnknownProducts):
            names = ", ".join(str(i.get("retailer_id", "") if isinstance(i, dict) else i) for i in items)
            return (_("These items are not in our catalog any more: %(items)s. Your order was not placed; "
                      "please send your cart again without them.") % {"items": names or _("some items")})
        if isinstance(exc, PriceChanged) and items:
            lines = [_("- %(product)s: now %(price)s (your cart said %(cart_price)s)") % {
                "product": i.get("title") or i.get("retailer_id"),
                "price": self.speech.amount(i.get("price"), i.get("currency")),
                "cart_price": self.speech.amount(i.get("item_price"), i.get("currency"))} for i in items]
            return (_("Prices have changed since you filled your cart:") + "\n" + "\n".join(lines)
                    + "\n" + _("Nothing was ordered. Please send your cart again."))
        if isinstance(exc, OutOfStock) and items:
            lines = [(_("- %(product)s: you asked for %(requested)s, we have %(available)s") if i.get("available")
                      else _("- %(product)s: you asked for %(requested)s, none left")) % {
                "product": i.get("title") or i.get("retailer_id"), "requested": i.get("requested"),
                "available": i.get("available")} for i in items]
            return (_("Sorry, we do not have enough in stock:") + "\n" + "\n".join(lines)
                    + "\n" + _("Nothing was ordered. Please change your cart and send it again."))
        return _("We could not place your order: %(reason)s") % {"reason": exc.message}

    # --- tracking and ordering again -------------------------------------------------------------
    def track(self, number: str = "") -> list[Reply]:
        """Where the order is: the one named (a "Track order" button: the customer's own only), else
        the customer's most recent; its status, and once shipped the carrier and tracking link."""
        if number:
            order = self.find_order(number)
            if order is None:  # another customer's number reads like an unknown one
                return [Reply(wa.text(wa.clip(_("I could not find order %(number)s.") % {"number": number},
                                              wa.MAX_TEXT)))]
        else:
            order = order_selectors.latest_order(business=self.business, customer=self.customer)
            if order is None:
                return [Reply(wa.reply_buttons(_("You have no order with us yet. Browse the catalog to place one."),
                                               self.buttons_to_go_on()[:2], footer=self.footer))]
        lines = [_("Order %(number)s: %(status)s.") % {"number": order.number, "status": status_label(order.status)}]
        if order.status in (Order.Status.SHIPPED, Order.Status.DELIVERED):
            if order.carrier:
                lines.append(_("Carrier: %(carrier)s") % {"carrier": order.carrier})
            if order.tracking_number:
                lines.append(_("Tracking number: %(tracking)s") % {"tracking": order.tracking_number})
            link = order_selectors.tracking_link(order)
            if link and link != order.tracking_number:
                lines.append(_("Follow your parcel here: %(link)s") % {"link": link})
        elif order.status == Order.Status.PAID:
            lines.append(_("We are preparing it and will tell you here when it ships."))
        text = "\n".join(lines)
        if order.status == Order.Status.PENDING_PAYMENT and order.fulfilment != Fulfilment.UNDECIDED:
            return [Reply(wa.reply_buttons(text[: wa.MAX_BODY], [
                (f"pay_wallet:{order.number}", pgettext("button", "Pay from wallet")),
                (f"pay_card:{order.number}", pgettext("button", "Pay by card link")),
                (f"cancel:{order.number}", pgettext("button", "Cancel"))], footer=self.footer),
                order_number=order.number)]
        return [Reply(wa.text(text[: wa.MAX_TEXT], preview_url="http" in text), order_number=order.number)]

    def order_again(self, number: str = "") -> list[Reply]:
        """The last order (or the one named: the customer's own only) placed again at today's prices,
        through the same path as a WhatsApp cart (`place`); lines no longer sold or out of stock are
        left out and said so."""
        if number:
            previous = self.find_order(number)
            if previous is None:
                return [Reply(wa.text(wa.clip(_("I could not find order %(number)s.") % {"number": number},
                                              wa.MAX_TEXT)))]
        else:
            previous = order_selectors.last_order_to_repeat(business=self.business, customer=self.customer)
            if previous is None:
                return [Reply(wa.reply_buttons(
                    _("You have no earlier order to repeat. Browse the catalog to place one."),
                    self.buttons_to_go_on()[:2], footer=self.footer))]
        repeat = order_selectors.repeat_items(order=previous)
        left_out = "\n".join(f"- {line['title']}" for line in repeat["left_out"])
        if not repeat["items"]:
            return [Reply(wa.reply_buttons(
                (_("Nothing of order %(number)s is available right now:") % {"number": previous.number}
                 + "\n" + left_out)[: wa.MAX_BODY], self.buttons_to_go_on()[:2], footer=self.footer))]
        replies = self.place(repeat["items"])
        if repeat["left_out"]:
            told = (_("Not available right now, so left out of your new order:") + "\n" + left_out)
            replies.insert(0, Reply(wa.text(told[: wa.MAX_TEXT])))
        return replies

    # --- language -----------------------------------------------------------------------------
    def language_menu(self) -> list[Reply]:
        rows = [(f"language:{code}", NATIVE_NAMES[code], "") for code in CHAT_LANGUAGES]
        return [Reply(wa.list_message(_("Which language would you like me to write in?"),
                                      pgettext("list button", "Languages"),
                                      [(pgettext("section title", "Languages"), rows)], footer=self.footer))]

    def switch_language(self, language: str) -> list[Reply]:
        """Save the customer's choice and answer in the new language."""
        self.choose_language(language)
        with translation.override(self.language):
            return [Reply(wa.reply_buttons(_("Okay, from now on I will write to you in English."),
                                           self.buttons_to_go_on()[:2], footer=self.footer))]

    # --- support ------------------------------------------------------------------------------
    def open_ticket(self):
        return support_selectors.open_ticket_for(business=self.business, customer=self.customer)

    def rate(self, arg: str) -> list[Reply]:
        """A tap on the rating question of a solved ticket (`rate:<ticket id>:good|bad`): stored
        through support's rating service, then a comment is asked for (the next text, for a while)."""
        ticket_id, __, value = arg.partition(":")
        ticket = support_selectors.customer_ticket(business=self.business, customer=self.customer,
                                                   ticket_id=_int(ticket_id))
        if ticket is None:
            return [Reply(wa.reply_buttons(_("Sorry, that option is not available any more."),
                                           self.buttons_to_go_on(), footer=self.footer))]
        try:
            support_services.rate_ticket(ticket=ticket, rating=value, comment_window=RATING_COMMENT_WINDOW)
        except AlreadyRated:
            return [Reply(wa.text(_("You have already rated ticket #%(ticket)s. Thank you!")
                                  % {"ticket": _ticket_ref(ticket)}), ticket_id=str(ticket.pk))]
        except DomainError:  # reopened meanwhile, or a value we never offered
            return [Reply(wa.reply_buttons(_("Sorry, that option is not available any more."),
                                           self.buttons_to_go_on(), footer=self.footer))]
        return [Reply(wa.text(_("Thank you for your rating! Would you like to tell us more? Just write it here "
                                "in your next message.")), ticket_id=str(ticket.pk))]

    def rating_comment(self, ticket, body: str) -> list[Reply]:
        try:
            support_services.add_rating_comment(ticket=ticket, comment=body)
        except DomainError:  # the window closed meanwhile, or too long
            return self.search(body)
        return [Reply(wa.text(_("Thank you, we have passed your comment on to the team.")), ticket_id=str(ticket.pk))]

    def support(self, body: str) -> list[Reply]:
        ticket = self.open_ticket()
        if ticket is not None:
            support_services.add_customer_message(ticket=ticket, body=body)
            return [Reply(wa.text(_("We added your message to ticket #%(ticket)s. An agent will answer you here.")
                                  % {"ticket": _ticket_ref(ticket)}), ticket_id=str(ticket.pk))]
        ticket = support_services.open_ticket(business=self.business, customer=self.customer,
                                     subject=wa.clip(f"Chat: {body}", 120), message=body, channel="chat")
        return [Reply(wa.text(_("Thank you! We opened ticket #%(ticket)s. An agent will answer you here in the chat.")
                              % {"ticket": _ticket_ref(ticket)}), ticket_id=str(ticket.pk))]


def status_label(status: str) -> str:
    """An order status in the customer's words (the chat's catalogs hold them all)."""
    labels: dict[str, str] = {
        Order.Status.PENDING_PAYMENT: pgettext("order status", "waiting for payment"),
        Order.Status.PAID: pgettext("order status", "paid, being prepared"),
        Order.Status.SHIPPED: pgettext("order status", "shipped"),
        Order.Status.DELIVERED: pgettext("order status", "delivered"),
        Order.Status.CANCELLED: pgettext("order status", "cancelled"),
        Order.Status.EXPIRED: pgettext("order status", "expired (not paid in time)"),
        Order.Status.PARTLY_REFUNDED: pgettext("order status", "partly refunded"),
        Order.Status.REFUNDED: pgettext("order status", "refunded"),
    }
    return labels.get(status, status)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _ticket_ref(ticket) -> str:
    return str(getattr(ticket, "number", None) or ticket.pk)
