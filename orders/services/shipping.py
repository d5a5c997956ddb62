"""Shipping options: which of a business's options serve an address, at what price, and the
customer's choice of one for an order placed in the chat.

A delivery option serves an address when its zone's country is the address's and the postcode
starts with one of the zone's prefixes (a zone without prefixes serves the whole country); when
several zones serve it, only the most specific one's options are offered (the longest prefix
matched: "560" for Bengaluru wins over the whole of India). A pickup option serves every
customer and needs no address. The price is the option's for the goods at their shelf prices
(`ShippingOption.price_for`: free over an amount, else the band reached, else the flat price);
shipping is not taxed (see `totals.compute_totals`).

Reading the options is two queries whatever their number (the options with their zones, and
their bands), so a placement that names an option stays at a constant number of queries.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from shopchat.errors import InvalidInput
from shopchat.models import Business
from shopchat.money import format_major
from shopchat.outbox import Event
from shopchat.uow import unit_of_work

from .. import queries
from ..errors import DeliveryAlreadyChosen
from ..models import Fulfilment, Order, OrderLine, ShippingBand, ShippingOption
from .addresses import Address
from .events import order_event_data
from .lifecycle import Status
from .totals import compute_totals


@dataclass(frozen=True)
class Quote:
    """A shipping option offered for an address, with its price for the goods."""

    option: ShippingOption
    price_minor: int

    @property
    def is_pickup(self) -> bool:
        return self.option.kind == ShippingOption.Kind.PICKUP


def active_options(business: Business) -> list[ShippingOption]:
    """The business's active options with their zones and bands: two queries."""
    options = ShippingOption.objects.filter(business=business, is_active=True).select_related("zone")
    return list(options.prefetch_related(Prefetch("bands", queryset=ShippingBand.objects.order_by("from_minor"))))


def _match(option: ShippingOption, address: Address | None) -> int | None:
    """-1 for pickup (serves everyone), the zone's match for a delivery option, None: does not serve."""
    if option.kind == ShippingOption.Kind.PICKUP:
        return -1
    if address is None or option.zone is None:
        return None
    return option.zone.match(address.country, address.postcode)


def serving(options: Sequence[ShippingOption], address: Address | None) -> list[ShippingOption]:
    """The pickup options, and the delivery options of the most specific zone serving `address`."""
    matches = [(option, _match(option, address)) for option in options]
    best = max((m for _o, m in matches if m is not None and m >= 0), default=None)
    return [option for option, m in matches if m == -1 or (m is not None and m == best)]


def quotes_for(*, business: Business, address: Address | None, items_minor: int,
               options: Sequence[ShippingOption] | None = None) -> list[Quote]:
    """The options that serve `address` (pickup ones whatever it is), priced for goods worth
    `items_minor`, in the business's order (position), cheapest first among equals."""
    found = active_options(business) if options is None else options
    quotes = [Quote(option, option.price_for(items_minor, list(option.bands.all())))
              for option in serving(found, address)]
    return sorted(quotes, key=lambda q: (q.option.position, q.price_minor, q.option.pk))


def quote_option(*, business: Business, code: str, address: Address | None, items_minor: int) -> Quote:
    """The option `code` priced for the goods; InvalidInput("shipping_option") when it is not
    one of the business's active options or does not serve the address."""
    options = active_options(business)
    option = next((o for o in options if o.code == code), None)
    if option is None:
        raise InvalidInput("shipping_option", _("This shop has no shipping option with this code."))
    if option.kind == ShippingOption.Kind.DELIVERY and address is None:
        raise InvalidInput("address", _("Delivery needs an address."))
    if option not in serving(options, address):
        raise InvalidInput("shipping_option", _("This shipping option does not deliver to this address."))
    return Quote(option, option.price_for(items_minor, list(option.bands.all())))


def choose_delivery(*, order: Order, code: str, address: Address | None) -> Order:
    """The customer's choice, in the chat, of how to receive an order placed with
    `fulfilment=UNDECIDED`: the shipping option `code` (delivery to `address`, or pickup), priced
    and added to the order's totals, the address kept as its snapshot. Only while the order
    awaits payment and no choice was made (the payment request is shown after it, so no payment
    was asked for another total). Emits `order.delivery_chosen` with the new totals.

    Locks the order row (the first lock of the lock order), and nothing else.
    """
    business = order.business
    with transaction.atomic(), unit_of_work(business=business) as unit:
        locked = queries.lock_order(unit, order_id=order.pk)
        if locked.status != Status.PENDING_PAYMENT:
            raise DeliveryAlreadyChosen(_("Order %(number)s is not awaiting payment any more.")
                                        % {"number": locked.number})
        if locked.fulfilment != Fulfilment.UNDECIDED:
            raise DeliveryAlreadyChosen(_("How order %(number)s is received was already chosen.")
                                        % {"number": locked.number})
        items_minor = OrderLine.objects.filter(order_id=locked.pk).aggregate(total=Sum("line_total_minor"))["total"]
        quote = quote_option(business=business, code=code, address=address, items_minor=items_minor or 0)
        if quote.is_pickup:
            address = None
        totals = compute_totals(business=business, items_minor=items_minor or 0, shipping_minor=quote.price_minor,
                                discount_minor=locked.discount_minor)  # the discount stays as placed
        values = {
            **totals, "shipping_method": quote.option.name,
            "fulfilment": Fulfilment.PICKUP if quote.is_pickup else Fulfilment.DELIVERY,
            "address": address.one_line() if address else "",
            "delivery_address": address.as_snapshot() if address else None,
        }
        unit.change(Order, locked.pk, **values)
        for key, value in values.items():
            setattr(locked, key, value)
        money = locked.currency
        unit.emit(Event("order.delivery_chosen", order_event_data(
            locked, fulfilment=str(locked.fulfilment), shipping_option=quote.option.code,
            shipping_method=quote.option.name, shipping=format_major(locked.shipping_minor, money),
            subtotal=format_major(locked.subtotal_minor, money), tax=format_major(locked.tax_minor, money),
            discount=format_major(locked.discount_minor, money), address=locked.address)))
        unit.flush()
    return locked
