"""Placing an order: from the cart or from `items` (WhatsApp's `order` message), with stock
reserved under lock as the placement's last step."""
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from shopchat.actors import Actor
from shopchat.errors import BusinessSuspended, InvalidInput, check_tenant
from shopchat.models import Business, Customer
from shopchat.money import MoneyError, format_major, to_minor
from shopchat.outbox import Event, staff_email
from shopchat.uow import UnitOfWork, unit_of_work

from .. import queries
from ..errors import CurrencyMismatch, EmptyCart, OutOfStock, PriceChanged, UnknownProducts
from ..models import Cart, Fulfilment, Order, OrderLine
from .addresses import Address, delivery_address_for
from .cart import MAX_QUANTITY
from .discounts import best_discount, cart_coupon, redeem
from .events import new_order_mail, order_event_data
from .lifecycle import Status, transition_row
from .numbering import insert_numbered
from .shipping import quote_option
from .totals import compute_totals

MAX_LINES = 100


def place_order(*, business: Business, customer: Customer, items: Sequence[dict[str, Any]] | None = None,
                from_cart: bool = False, address: str | Mapping[str, Any] | Address = "", address_label: str = "",
                fulfilment: Fulfilment = Fulfilment.DELIVERY, shipping_option: str = "", coupon: str | None = None,
                note: str = "", actor: Actor = None) -> Order:
    """Place an order for a chat customer and reserve its stock.

    From the customer's cart (`from_cart=True`; the cart is emptied) or from `items`
    ([{"retailer_id", "quantity", "item_price"?, "currency"?}], the shape of a WhatsApp `order`
    message). `address`: a structured address (an `Address`, or a mapping validated by
    `addresses.clean_address`; kept as the order's `delivery_address` snapshot and written out
    as its `address` text) or free text; `address_label`: one of the customer's saved addresses.
    `fulfilment` PICKUP ships nothing (no shipping fee, no address); UNDECIDED lets the chat ask
    afterwards (`shipping.choose_delivery`). `shipping_option`: the code of one of the business's
    shipping options serving the address (it prices the shipping and decides the fulfilment);
    without it, the business's flat fee applies. `coupon`: a coupon code (None: from the cart,
    the one kept on it); the order gets the best of it and the automatic discounts
    (`discounts.best_discount`), its use counted under the discount row's lock. Raises
    CouponRefused (naming why), UnknownProducts, PriceChanged (an
    `item_price` that is not the current price), OutOfStock, or InvalidInput naming the field;
    writes nothing when it raises.
    Emits `order.placed` and e-mails the owners and managers, through the outbox.

    Reads without locks (from the cart: locks its items, so a double tap waits and then finds
    them gone) and writes the order first; the stock rows are locked last, in primary-key order
    (so two placements never deadlock), and availability is checked again under the lock (so
    the last unit is sold once): a popular product is held for the last two statements and the
    commit, not for the whole placement. PostgreSQL: 8 statements from the cart, BEGIN and
    COMMIT included (tests/orders/test_query_counts.py).
    """
    check_tenant(business, customer)
    if not business.is_active:
        raise BusinessSuspended("This business is suspended and takes no orders.")
    if from_cart and items is not None:
        raise InvalidInput("items", "Send either items or from_cart, not both.")
    delivery_address = delivery_address_for(business=business, customer=customer, address=address,
                                            address_label=address_label, fulfilment=fulfilment)
    with transaction.atomic(), unit_of_work(business=business) as unit:
        cart_item_ids: list[int] = []
        if from_cart:
            # a double tap on "place order" waits here for the first, then finds the cart empty
            entries = queries.lock_cart(customer_id=customer.pk)
            if not entries:
                raise EmptyCart()
            quantities: dict[str, int] = {e.product.retailer_id: e.quantity for e in entries}
            claimed: dict[str, int] = {}
            products = [e.product for e in entries]
            cart_item_ids = [e.item_id for e in entries]
            if coupon is None:
                coupon = cart_coupon(business=business, customer=customer)
        else:
            if items is None:
                raise InvalidInput("items", "Send items, or from_cart: true to order the cart.")
            quantities, claimed = _wanted_items(business, items)
            products = queries.products_to_order(business_id=business.pk, retailer_ids=list(quantities))
        by_id = {p.retailer_id: p for p in products if p.is_active}
        unknown = sorted(set(quantities) - set(by_id))
        if unknown:
            raise UnknownProducts(unknown)
        changed = [
            {"retailer_id": rid, "title": by_id[rid].variant_title,
             "item_price": format_major(price, business.currency),
             "price": format_major(by_id[rid].current_price_minor, business.currency), "currency": business.currency}
            for rid, price in sorted(claimed.items()) if price != by_id[rid].current_price_minor
        ]
        if changed:
            raise PriceChanged(changed)
        _check_available(by_id.values(), quantities)  # the common case, before anything is written

        position = {rid: n for n, rid in enumerate(quantities)}  # lines in the order they were asked for
        lines = [
            OrderLine(product=p, retailer_id=p.retailer_id, title=p.variant_title,
                      unit_price_minor=p.current_price_minor, quantity=quantities[p.retailer_id],
                      line_total_minor=p.current_price_minor * quantities[p.retailer_id],
                      stock_reserved=p.is_tracked)
            for p in sorted(by_id.values(), key=lambda p: position[p.retailer_id])
        ]
        items_minor = sum(line.line_total_minor for line in lines)
        shipping_minor, shipping_method = (0, "") if fulfilment == Fulfilment.PICKUP else (None, "")
        if shipping_option:
            quote = quote_option(business=business, code=shipping_option, address=delivery_address,
                                 items_minor=items_minor)
            shipping_minor, shipping_method = quote.price_minor, quote.option.name
            if quote.is_pickup:
                fulfilment, delivery_address = Fulfilment.PICKUP, None
            elif fulfilment == Fulfilment.PICKUP:
                raise InvalidInput("shipping_option", "This option delivers; it is not a pickup in store.")
        applied = best_discount(business=business, customer=customer, code=coupon or "",
                                lines=[(line.product_id, line.line_total_minor) for line in lines])
        totals = compute_totals(business=business, items_minor=items_minor, shipping_minor=shipping_minor,
                                discount_minor=applied.amount_minor if applied else 0)
        now = timezone.now()
        order = Order(
            business=business, customer=customer, currency=business.currency, note=note or "", fulfilment=fulfilment,
            shipping_method=shipping_method, discount_label=applied.label if applied else "",
            address=delivery_address.one_line() if delivery_address else address if isinstance(address, str) else "",
            delivery_address=delivery_address.as_snapshot() if delivery_address else None,
            expires_at=now + timedelta(minutes=business.unpaid_order_minutes),
            stock_reserved=any(line.stock_reserved for line in lines), **totals,
        )
        insert_numbered(order)
        for line in lines:
            line.order = order
        # the answer shows them without reading them back (Django's prefetch cache: not in the stubs)
        order._prefetched_objects_cache = {"lines": lines}  # type: ignore[attr-defined]
        unit.add(*lines, transition_row(order, "", Status.PENDING_PAYMENT, actor=actor, note="placed"))
        if applied:
            unit.add(redeem(order=order, applied=applied))  # the discount row's lock, before the stock's
            if coupon:
                Cart.objects.filter(customer=customer).exclude(coupon="").update(coupon="")
        unit.emit(Event("order.placed", order_event_data(order, lines=lines)),
                  staff_email(**new_order_mail(order, lines)))  # in each recipient's language
        unit.flush()  # the lines, the transition and the events in one statement, before the stock locks
        _reserve_stock(unit, order, lines, quantities, emptied_cart_items=cart_item_ids)
    return order


def _wanted_items(business: Business, items: Sequence[Mapping[str, Any]]) -> tuple[dict[str, int], dict[str, int]]:
    """Validate `items` into {retailer_id: quantity} and {retailer_id: claimed price in minor
    units}. Repeated ids add up."""
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidInput("items", "Send at least one item.")
    if len(items) > MAX_LINES:
        raise InvalidInput("items", f"At most {MAX_LINES} different items per order.")
    quantities: dict[str, int] = defaultdict(int)
    prices: dict[str, int] = {}
    for item in items:
        retailer_id = str(item.get("retailer_id") or "").strip()
        quantity = item.get("quantity")
        if not retailer_id:
            raise InvalidInput("items", "Every item needs a retailer_id.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput("items", f"{retailer_id}: quantity must be a whole number from 1 to {MAX_QUANTITY}.")
        currency = item.get("currency")
        if currency and str(currency).upper() != business.currency:
            raise CurrencyMismatch(f"{retailer_id}: this shop sells in {business.currency}, not {currency}.")
        if item.get("item_price") not in (None, ""):
            try:
                # str() first: WhatsApp sends prices as JSON numbers (249.5); their shortest
                # decimal form is what the customer saw.
                claimed = to_minor(Decimal(str(item["item_price"])), business.currency)
            except (MoneyError, InvalidOperation, ValueError):
                raise InvalidInput("items", f"{retailer_id}: item_price must be an amount in {business.currency}.") \
                    from None
            if prices.setdefault(retailer_id, claimed) != claimed:
                raise InvalidInput("items", f"{retailer_id}: two different prices given.")
        quantities[retailer_id] += quantity
        if quantities[retailer_id] > MAX_QUANTITY:
            raise InvalidInput("items", f"{retailer_id}: at most {MAX_QUANTITY} per order.")
    return dict(quantities), prices


def _check_available(products: Iterable[Product], quantities: dict[str, int]) -> None:
    short = [
        {"retailer_id": p.retailer_id, "title": p.variant_title, "requested": quantities[p.retailer_id],
         "available": p.available_quantity}
        for p in sorted(products, key=lambda p: p.retailer_id)
        if p.available_quantity is not None and quantities[p.retailer_id] > p.available_quantity  # tracked
    ]
    if short:
        raise OutOfStock(short)


def _reserve_stock(unit: UnitOfWork, order: Order, lines: list[OrderLine], quantities: dict[str, int], *,
                   emptied_cart_items: Sequence[int]) -> None:
    """Lock the order's stock rows, check availability again under the lock and reserve it,
    taking the ordered cart items out of the cart in the same statement.
    A product whose tracking was switched since it was read gets its line's flag corrected."""
    # every line of a new order has its product
    locked = queries.lock_stock(product_ids=[line.product_id for line in lines if line.product_id is not None])
    _check_available(locked, quantities)
    reserve = {p.pk: quantities[p.retailer_id] for p in locked if p.is_tracked}
    queries.reserve_stock(reserved=reserve, emptied_cart_items=emptied_cart_items)
    switched = [line for line in lines if line.stock_reserved != (line.product_id in reserve)]
    if switched:
        for line in switched:
            line.stock_reserved = line.product_id in reserve
        OrderLine.objects.bulk_update(switched, ["stock_reserved"])
        order.stock_reserved = bool(reserve)
        unit.change(Order, order.pk, stock_reserved=order.stock_reserved)


