"""Every rule of carts, orders and stock: one function per operation, one transaction each.

Admin actions, API views, Celery tasks and the chat engine call these and nothing else.

Stock: `Product.stock_quantity` NULL means untracked (always available). Placing an order
reserves tracked stock (`reserved_quantity += q`) as its last step: it locks the product rows
in primary-key order, so two placements never deadlock, and re-checks availability under the
lock, so the last unit is sold once; taking the locks last keeps a popular product locked for
milliseconds, not for the whole placement. The database CHECK `reserved <= stock` is the last line of
defence. Cancelling or expiring an order releases its reservation; shipping turns it into a
sale (`stock -= q`, `reserved -= q`). Each line remembers whether it reserved, and each order
whether it still holds its reservation, so a release never runs twice.

Order life cycle (the one place that says what may follow what): see TRANSITIONS and
`can_transition`. Each transition is recorded (OrderTransition) and emits `order.<status>`
through the outbox in the same transaction; the placement emits `order.placed`.
"""
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Case, F, Max, PositiveIntegerField, Value, When
from django.utils import timezone

from catalog.models import Product
from shopchat.api.errors import ApiError
from shopchat.money import MoneyError, display, format_major, to_minor
from shopchat.outbox import Event, customer_ref, emit_events, staff_email
from shopchat.rows import add_by_id, insert_rows, select_rows

from .models import Cart, CartItem, Order, OrderCounter, OrderLine, OrderTransition

Status = Order.Status
MAX_QUANTITY = 999
MAX_LINES = 100

# What may follow what. Guards that depend on more than the status are in can_transition.
TRANSITIONS = {
    Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED, Status.EXPIRED},
    Status.PAID: {Status.SHIPPED, Status.CANCELLED, Status.PARTLY_REFUNDED, Status.REFUNDED},
    Status.SHIPPED: {Status.DELIVERED, Status.PARTLY_REFUNDED, Status.REFUNDED},
    Status.DELIVERED: {Status.PARTLY_REFUNDED, Status.REFUNDED},
    # A partly refunded order goes on with its life (ship the rest, refund more, cancel).
    Status.PARTLY_REFUNDED: {Status.PARTLY_REFUNDED, Status.REFUNDED, Status.SHIPPED, Status.DELIVERED,
                             Status.CANCELLED},
    # Cancelling a paid order refunds it first; the refund may already have moved it here.
    Status.REFUNDED: {Status.CANCELLED},
    Status.CANCELLED: set(),
    Status.EXPIRED: set(),
}


def can_transition(order: Order, to: str) -> bool:
    if to not in TRANSITIONS.get(order.status, set()):
        return False
    if to == Status.SHIPPED:
        return order.shipped_at is None
    if to == Status.DELIVERED:
        return order.shipped_at is not None and order.delivered_at is None
    if to == Status.CANCELLED:
        return order.shipped_at is None  # what left the warehouse is refunded, not cancelled
    return True


# --- errors (ApiError subclasses: the API, admin, tasks and chat engine all see the same) ---

class OutOfStock(ApiError):
    def __init__(self, items: list[dict]):
        names = ", ".join(i["retailer_id"] for i in items)
        super().__init__(409, "out_of_stock", f"Not enough stock for: {names}.", extra={"items": items})


class PriceChanged(ApiError):
    def __init__(self, items: list[dict]):
        names = ", ".join(i["retailer_id"] for i in items)
        super().__init__(409, "price_changed", f"The price changed for: {names}. Nothing was ordered; "
                         "confirm the current prices and order again.", extra={"items": items})


class UnknownProducts(ApiError):
    def __init__(self, retailer_ids: list[str]):
        super().__init__(409, "unknown_products", "These products are not (or no longer) sold: "
                         + ", ".join(retailer_ids) + ".", extra={"items": retailer_ids})


class IllegalTransition(ApiError):
    def __init__(self, order: Order, to: str):
        super().__init__(409, "illegal_transition", f"Order {order.number} is {order.get_status_display().lower()}; "
                         f"it cannot become {Status(to).label.lower()}.", extra={"status": order.status, "to": to})


class EmptyCart(ApiError):
    def __init__(self):
        super().__init__(409, "empty_cart", "The cart is empty; add items before placing the order.")


class ProductUnavailable(ApiError):
    def __init__(self, product):
        super().__init__(409, "product_unavailable", f"{product.retailer_id} is no longer sold.",
                         extra={"items": [product.retailer_id]})


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", message, fields={field: [message]})


# --- the cart --------------------------------------------------------------------------

def _check_tenant(business, *rows):
    for row in rows:
        if row is not None and row.business_id != business.pk:
            raise ApiError(404, "not_found", "Not found.")


def set_cart_item(*, business, customer, product, quantity: int) -> CartItem:
    """Put `quantity` of `product` in the customer's cart (replacing what was there).

    Active products only; a tracked product cannot go above what is available now. The cart
    holds no stock: availability is checked again, under lock, when the order is placed.
    """
    _check_tenant(business, customer, product)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise _invalid("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
    if not product.is_active:
        raise ProductUnavailable(product)
    available = product.available_quantity
    if available is not None and quantity > available:
        raise OutOfStock([{"retailer_id": product.retailer_id, "title": product.title,
                           "requested": quantity, "available": available}])
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(customer=customer, defaults={"business": business})
        item, _ = CartItem.objects.update_or_create(cart=cart, product=product, defaults={"quantity": quantity})
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return item


def remove_cart_item(*, business, customer, product) -> bool:
    """Take `product` out of the customer's cart; False when it was not there."""
    _check_tenant(business, customer, product)
    with transaction.atomic():
        deleted, _ = CartItem.objects.filter(cart__customer=customer, product=product).delete()
    return bool(deleted)


def clear_cart(*, business, customer) -> int:
    """Empty the customer's cart; returns how many items were removed."""
    _check_tenant(business, customer)
    with transaction.atomic():
        deleted, _ = CartItem.objects.filter(cart__customer=customer).delete()
    return deleted


# --- totals ----------------------------------------------------------------------------

def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_totals(*, business, items_minor: int) -> dict:
    """Subtotal, tax, shipping, discount and total (minor units) for goods worth `items_minor`
    at their shelf prices. Always total = subtotal + tax + shipping - discount.

    Tax-inclusive prices: tax is the part of the price that is tax, and the subtotal is the
    net amount (so the total is what the shelf prices add up to, plus shipping). Tax-exclusive:
    tax is added on top. Shipping is the business's flat fee, free when the goods reach
    `free_shipping_over_minor`; it is not taxed. No discount rule yet (the field is kept).
    """
    rate = Decimal(business.tax_rate_percent)
    if business.prices_include_tax:
        tax = _round_half_up(Decimal(items_minor) * rate / (Decimal(100) + rate))
        subtotal = items_minor - tax
    else:
        tax = _round_half_up(Decimal(items_minor) * rate / Decimal(100))
        subtotal = items_minor
    threshold = business.free_shipping_over_minor
    shipping = 0 if items_minor == 0 or (threshold is not None and items_minor >= threshold) \
        else business.shipping_fee_minor
    discount = 0
    return {"subtotal_minor": subtotal, "tax_minor": tax, "shipping_minor": shipping,
            "discount_minor": discount, "total_minor": subtotal + tax + shipping - discount}


# --- placing an order ------------------------------------------------------------------

def _wanted_items(business, items) -> tuple[dict, dict]:
    """Validate `items` ([{retailer_id, quantity, item_price?, currency?}]) into
    {retailer_id: quantity} and {retailer_id: claimed price in minor units}. Repeated ids add up."""
    if not isinstance(items, (list, tuple)) or not items:
        raise _invalid("items", "Send at least one item.")
    if len(items) > MAX_LINES:
        raise _invalid("items", f"At most {MAX_LINES} different items per order.")
    quantities, prices = defaultdict(int), {}
    for item in items:
        retailer_id = str(item.get("retailer_id") or "").strip()
        quantity = item.get("quantity")
        if not retailer_id:
            raise _invalid("items", "Every item needs a retailer_id.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise _invalid("items", f"{retailer_id}: quantity must be a whole number from 1 to {MAX_QUANTITY}.")
        currency = item.get("currency")
        if currency and str(currency).upper() != business.currency:
            message = f"{retailer_id}: this shop sells in {business.currency}, not {currency}."
            raise ApiError(409, "currency_mismatch", message, fields={"items": [message]})
        if item.get("item_price") not in (None, ""):
            try:
                # str() first: WhatsApp sends prices as JSON numbers (249.5); their shortest
                # decimal form is what the customer saw.
                claimed = to_minor(Decimal(str(item["item_price"])), business.currency)
            except (MoneyError, InvalidOperation, ValueError):
                raise _invalid("items", f"{retailer_id}: item_price must be an amount in {business.currency}.")
            if prices.setdefault(retailer_id, claimed) != claimed:
                raise _invalid("items", f"{retailer_id}: two different prices given.")
        quantities[retailer_id] += quantity
        if quantities[retailer_id] > MAX_QUANTITY:
            raise _invalid("items", f"{retailer_id}: at most {MAX_QUANTITY} per order.")
    return dict(quantities), prices


# Businesses whose PostgreSQL order sequence this process has seen committed.
_sequences_known: set[int] = set()


def _next_sequence(business) -> int:
    """The business's next order sequence; never handed out twice, and a rolled-back placement
    leaves a gap.

    PostgreSQL: one database sequence per business. `nextval` takes no row lock, so the
    placements of a busy shop do not queue behind each other on a counter row until commit.
    SQLite, which runs one writer at a time anyway: a counter row (OrderCounter).
    """
    if connection.vendor == "postgresql":
        if business.pk not in _sequences_known:
            _create_order_sequence(business)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [_sequence_name(business)])
            return cursor.fetchone()[0]
    updated = OrderCounter.objects.filter(business=business).update(last_sequence=F("last_sequence") + 1)
    if not updated:  # the business's first order: start above any order already there
        OrderCounter.objects.bulk_create([OrderCounter(business=business, last_sequence=_highest_sequence(business))],
                                         ignore_conflicts=True)
        return _next_sequence(business)
    return OrderCounter.objects.values_list("last_sequence", flat=True).get(business=business)


def _sequence_name(business) -> str:
    return f"orders_number_{int(business.pk)}"


def _highest_sequence(business) -> int:
    """Where numbering goes on from: above every order and counter value already there, and
    never below 1000 (so numbers look like DG-1042 from the first order)."""
    highest = Order.objects.filter(business=business).aggregate(highest=Max("sequence"))["highest"] or 0
    counted = OrderCounter.objects.filter(business=business).values_list("last_sequence", flat=True).first() or 0
    return max(1000, highest, counted)


def _create_order_sequence(business) -> None:
    start = _highest_sequence(business) + 1
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{_sequence_name(business)}" START WITH {int(start)}')
    except (IntegrityError, ProgrammingError):
        pass  # a concurrent first order created it
    pk = business.pk
    transaction.on_commit(lambda: _sequences_known.add(pk))


def _add_to_stock(field: str, deltas: dict[int, int]):
    """`field + delta` for each product id, as one CASE expression (one UPDATE for all lines)."""
    return F(field) + Case(*[When(pk=pk, then=Value(d)) for pk, d in deltas.items()], default=Value(0),
                           output_field=PositiveIntegerField())


def _check_available(products, quantities) -> None:
    short = [
        {"retailer_id": p.retailer_id, "title": p.title, "requested": quantities[p.retailer_id],
         "available": p.available_quantity}
        for p in sorted(products, key=lambda p: p.retailer_id)
        if p.is_tracked and quantities[p.retailer_id] > p.available_quantity
    ]
    if short:
        raise OutOfStock(short)


def _reserve_stock(order: Order, lines: list, quantities: dict) -> None:
    """Lock the order's stock rows in primary-key order (so two placements never deadlock),
    check availability again under the lock (so the last unit is sold once) and reserve it.
    A product whose tracking was switched since it was read gets its line's flag corrected.
    Two written-out statements: every placement makes them, while holding the stock rows."""
    locked = _locked_products([line.product_id for line in lines])
    _check_available(locked, quantities)
    reserve = {p.pk: quantities[p.retailer_id] for p in locked if p.is_tracked}
    if reserve:
        with connection.cursor() as cursor:
            cursor.execute(*add_by_id(Product, "reserved_quantity", reserve))
    switched = [line for line in lines if line.stock_reserved != (line.product_id in reserve)]
    if switched:
        for line in switched:
            line.stock_reserved = line.product_id in reserve
        OrderLine.objects.bulk_update(switched, ["stock_reserved"])
        order.stock_reserved = bool(reserve)
        Order.objects.filter(pk=order.pk).update(stock_reserved=order.stock_reserved)


def _products_to_order(business, retailer_ids: list) -> list:
    """The business's products `retailer_ids` with what a placement reads, by one written-out
    query (without locks: the stock rows are locked at the end, by `_reserve_stock`)."""
    return select_rows(
        Product, ("id", "business_id", "retailer_id", "title", "price_minor", "sale_price_minor", "is_active",
                  "stock_quantity", "reserved_quantity"),
        f"business_id = %s AND retailer_id IN ({', '.join(['%s'] * len(retailer_ids))})", [business.pk, *retailer_ids],
    )


def _locked_products(ids: list) -> list:
    """The products `ids`, row-locked in primary-key order, with what a reservation reads."""
    return select_rows(Product, ("id", "retailer_id", "title", "stock_quantity", "reserved_quantity"),
                       f"id IN ({', '.join(['%s'] * len(ids))})", ids, lock="UPDATE")


def place_order(*, business, customer, items=None, from_cart: bool = False, address: str = "", note: str = "",
                actor=None) -> Order:
    """Place an order for a chat customer and reserve its stock.

    From the customer's cart (`from_cart=True`; the cart is emptied) or from `items`
    ([{"retailer_id", "quantity", "item_price"?, "currency"?}], the shape of a WhatsApp `order`
    message). Locks the ordered products in primary-key order and re-checks availability
    under the lock. Raises UnknownProducts, PriceChanged (an `item_price` that is not the
    current price), OutOfStock (all 409) or a 400 naming the field; writes nothing when it
    raises. Emits `order.placed` and e-mails the owners and managers, through the outbox.
    """
    _check_tenant(business, customer)
    if not business.is_active:
        raise ApiError(403, "business_suspended", "This business is suspended and takes no orders.")
    if from_cart and items is not None:
        raise _invalid("items", "Send either items or from_cart, not both.")
    with transaction.atomic():
        if from_cart:
            # a double tap on "place order" waits here for the first, then finds the cart empty
            Cart.objects.select_for_update().filter(customer=customer).values_list("pk").first()
            rows = list(CartItem.objects.filter(cart__customer=customer).values_list("product__retailer_id", "quantity"))
            if not rows:
                raise EmptyCart()
            quantities, claimed = dict(rows), {}
        else:
            if items is None:
                raise _invalid("items", "Send items, or from_cart: true to order the cart.")
            quantities, claimed = _wanted_items(business, items)

        # Read without locks and write the order first; the stock rows are locked only at the
        # end, so a popular product is held for the last two statements and the commit, not
        # for the whole placement.
        products = _products_to_order(business, list(quantities))
        by_id = {p.retailer_id: p for p in products if p.is_active}
        unknown = sorted(set(quantities) - set(by_id))
        if unknown:
            raise UnknownProducts(unknown)
        changed = [
            {"retailer_id": rid, "title": by_id[rid].title, "item_price": format_major(price, business.currency),
             "price": format_major(by_id[rid].current_price_minor, business.currency), "currency": business.currency}
            for rid, price in sorted(claimed.items()) if price != by_id[rid].current_price_minor
        ]
        if changed:
            raise PriceChanged(changed)
        _check_available(by_id.values(), quantities)  # the common case, before anything is written

        position = {rid: n for n, rid in enumerate(quantities)}  # lines in the order they were asked for
        lines = [
            OrderLine(product=p, retailer_id=p.retailer_id, title=p.title, unit_price_minor=p.current_price_minor,
                      quantity=quantities[p.retailer_id], line_total_minor=p.current_price_minor * quantities[p.retailer_id],
                      stock_reserved=p.is_tracked)
            for p in sorted(by_id.values(), key=lambda p: position[p.retailer_id])
        ]
        totals = compute_totals(business=business, items_minor=sum(line.line_total_minor for line in lines))
        now = timezone.now()
        sequence = _next_sequence(business)
        order = Order(
            business=business, customer=customer, sequence=sequence, number=f"{business.order_prefix}-{sequence}",
            currency=business.currency, address=address or "", note=note or "",
            expires_at=now + timedelta(minutes=business.unpaid_order_minutes),
            stock_reserved=any(line.stock_reserved for line in lines), **totals,
        )
        insert_rows([order])
        for line in lines:
            line.order = order
        order._prefetched_objects_cache = {"lines": lines}  # the answer shows them without reading them back
        # the lines, the placement's transition and the events: one statement on PostgreSQL
        emit_events(business=business, events=[
            Event("order.placed", order_event_data(order, lines=lines)),
            staff_email(subject=f"New order {order.number} ({display(order.total_minor, order.currency)})",
                        body=_new_order_mail(order, lines)),
        ], with_rows=[*lines, _transition(order, "", Status.PENDING_PAYMENT, actor=actor, note="placed")])
        _reserve_stock(order, lines, quantities)
        if from_cart:
            CartItem.objects.filter(cart__customer=customer).delete()
    return order


def _new_order_mail(order: Order, lines) -> str:
    customer = order.customer
    text = [f"New order {order.number} from {customer.name or 'a customer'} (+{customer.wa_id}).", ""]
    text += [f"  {line.quantity} x {line.title} ({line.retailer_id}): {display(line.line_total_minor, order.currency)}"
             for line in lines]
    text += ["", f"Total: {display(order.total_minor, order.currency)} (awaiting payment)"]
    if order.address:
        text += ["", "Deliver to:", order.address]
    if order.note:
        text += ["", f"Note: {order.note}"]
    text += ["", f"{settings.SITE_URL}/admin/orders/order/{order.pk}/change/"]
    return "\n".join(text)


def order_event_data(order: Order, lines=None, **extra) -> dict:
    """The payload of `order.*` events; `customer` lets the chat adapter message the customer."""
    money = order.currency
    data = {
        "order": order.number, "status": order.status, "currency": money,
        "total": format_major(order.total_minor, money),
        "customer": customer_ref(order.customer),
    }
    if lines is not None:
        data.update({
            "subtotal": format_major(order.subtotal_minor, money), "tax": format_major(order.tax_minor, money),
            "shipping": format_major(order.shipping_minor, money), "discount": format_major(order.discount_minor, money),
            "lines": [{"retailer_id": line.retailer_id, "title": line.title, "quantity": line.quantity,
                       "unit_price": format_major(line.unit_price_minor, money),
                       "line_total": format_major(line.line_total_minor, money)} for line in lines],
        })
    data.update(extra)
    return data


# --- the life cycle --------------------------------------------------------------------

def _actor(actor) -> tuple:
    """(user or None, label) for the history: a staff user, an API key, or the system."""
    if actor is None:
        return None, "system"
    if isinstance(actor, get_user_model()):
        return actor, actor.get_username()[:150]
    return None, str(actor)[:150]


def _transition(order: Order, from_status: str, to_status: str, *, actor=None, note: str = "") -> OrderTransition:
    user, label = _actor(actor)
    return OrderTransition(order=order, from_status=from_status, to_status=to_status, actor=user, actor_label=label,
                           note=note or "")


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("business", "customer").get(pk=order.pk)


def _move(order: Order, to: str, *, actor=None, note: str = "", event_extra: dict | None = None, also_emit=(),
          also_insert=(), **fields) -> Order:
    """Apply a transition to a locked order: check it, save, record it, emit `order.<to>` (with
    the caller's `also_emit` events, in the same INSERT, and its unsaved `also_insert` rows)."""
    if not can_transition(order, to):
        raise IllegalTransition(order, to)
    from_status = order.status
    fields.update(status=to, updated_at=timezone.now())
    transition = _transition(order, from_status, to, actor=actor, note=note)
    for name, value in fields.items():
        setattr(order, name, value)
    # the order's update, its transition and its events: one statement on PostgreSQL
    emit_events(business=order.business,
                events=[Event(f"order.{to}", order_event_data(order, **(event_extra or {}))), *also_emit],
                with_update=(Order, order.pk, fields), with_rows=[transition, *also_insert])
    return order


def _release_stock(order: Order, *, sold: bool = False) -> None:
    """Give back (or, when `sold`, turn into a sale) what the order's lines reserved. Locks the
    products in primary-key order first, like the placement does, so the two never deadlock."""
    if not order.stock_reserved:
        return
    wanted = defaultdict(int)
    for product_id, quantity in order.lines.filter(stock_reserved=True, product__isnull=False) \
            .values_list("product_id", "quantity"):
        wanted[product_id] += quantity
    if wanted:
        locked = list(Product.objects.select_for_update(of=("self",)).filter(pk__in=list(wanted)).order_by("pk")
                      .only("pk", "stock_quantity", "reserved_quantity"))
        # never below zero, even if the merchant rewrote the stock of a product meanwhile
        reserved = {p.pk: -min(wanted[p.pk], p.reserved_quantity) for p in locked}
        changes = {"reserved_quantity": _add_to_stock("reserved_quantity", reserved)}
        if sold:
            sold_qty = {p.pk: -min(wanted[p.pk], p.stock_quantity) for p in locked if p.stock_quantity is not None}
            if sold_qty:
                changes["stock_quantity"] = _add_to_stock("stock_quantity", sold_qty)
        Product.objects.filter(pk__in=[p.pk for p in locked]).update(**changes)
    Order.objects.filter(pk=order.pk).update(stock_reserved=False)
    order.stock_reserved = False


def mark_paid(*, order: Order, actor=None, note: str = "", locked: bool = False, also_emit=(), also_insert=()) -> Order:
    """Payment captured (called by payments). Paying a paid order again changes nothing; paying
    an expired or cancelled one is an IllegalTransition (payments then refunds the money).

    `locked`: the caller already holds the order's row lock in its transaction and read the
    order's status under it, with its business and customer (payments does, to check the
    order is payable), so there is no second lock and no savepoint: a payment is one of the
    busiest writes. `also_emit`: the caller's events for the same change (the payment's),
    written with `order.paid` in one INSERT; `also_insert`: the caller's unsaved rows (the
    payment), written by the same statement on PostgreSQL."""
    if locked:
        return _mark_paid(order, actor, note, also_emit, also_insert)
    with transaction.atomic():
        return _mark_paid(_lock(order), actor, note, also_emit, also_insert)


def _mark_paid(order: Order, actor, note: str, also_emit, also_insert) -> Order:
    if order.status == Status.PAID:
        if also_emit or also_insert:
            emit_events(business=order.business, events=list(also_emit), with_rows=list(also_insert))
        return order
    return _move(order, Status.PAID, actor=actor, note=note, also_emit=also_emit, also_insert=also_insert,
                 paid_at=timezone.now())


def mark_refunded(*, order: Order, refunded_minor: int, actor=None) -> Order:
    """Record that `refunded_minor` has been refunded on the order *in all so far* (called by
    payments after each refund): partly_refunded below the total, refunded at the total.

    Cumulative, so a repeated call with the same amount changes nothing. A full refund of an
    order that was never shipped releases its stock. On a cancelled order only the amount is
    recorded (the cancellation already told the customer about the refund).
    """
    if isinstance(refunded_minor, bool) or not isinstance(refunded_minor, int) or refunded_minor <= 0:
        raise _invalid("refunded_minor", "The refunded amount must be a positive whole number of minor units.")
    with transaction.atomic():
        order = _lock(order)
        if refunded_minor > order.total_minor:
            raise _invalid("refunded_minor", "More than the order's total cannot be refunded.")
        if refunded_minor <= order.refunded_minor:
            return order
        if order.status == Status.CANCELLED:
            Order.objects.filter(pk=order.pk).update(refunded_minor=refunded_minor, updated_at=timezone.now())
            order.refunded_minor = refunded_minor
            return order
        to = Status.REFUNDED if refunded_minor >= order.total_minor else Status.PARTLY_REFUNDED
        if not can_transition(order, to):
            raise IllegalTransition(order, to)
        if to == Status.REFUNDED and order.shipped_at is None:
            _release_stock(order)
        return _move(order, to, actor=actor, note=f"{display(refunded_minor, order.currency)} refunded in all",
                     refunded_minor=refunded_minor,
                     event_extra={"refunded": format_major(refunded_minor, order.currency)})


def cancel_order(*, order: Order, actor=None, reason: str = "") -> Order:
    """Cancel an order that has not shipped, releasing its stock.

    A paid order is refunded first through `payments.services.refund_order` (all that is left),
    in this same transaction: if the refund fails, nothing is cancelled. Imported lazily because
    payments builds on orders, not the other way round.
    """
    with transaction.atomic():
        order = _lock(order)
        if not can_transition(order, Status.CANCELLED):
            raise IllegalTransition(order, Status.CANCELLED)
        if order.paid_at is not None and order.refunded_minor < order.total_minor:
            from payments.services import refund_order

            refund_order(order=order, actor=actor, reason=reason or "order cancelled")
            order = _lock(order)  # the refund may have moved it on (mark_refunded)
            if not can_transition(order, Status.CANCELLED):
                raise IllegalTransition(order, Status.CANCELLED)
        _release_stock(order)
        return _move(order, Status.CANCELLED, actor=actor, note=reason, cancelled_at=timezone.now(),
                     event_extra={"reason": reason} if reason else None)


def ship_order(*, order: Order, tracking_number: str = "", carrier: str = "", actor=None) -> Order:
    """The merchant shipped a paid order: its reservation becomes a sale."""
    with transaction.atomic():
        order = _lock(order)
        if not can_transition(order, Status.SHIPPED):
            raise IllegalTransition(order, Status.SHIPPED)
        _release_stock(order, sold=True)
        tracking_number, carrier = (tracking_number or "").strip()[:100], (carrier or "").strip()[:100]
        return _move(order, Status.SHIPPED, actor=actor, note=" ".join(x for x in (carrier, tracking_number) if x),
                     tracking_number=tracking_number, carrier=carrier, shipped_at=timezone.now(),
                     event_extra={"tracking_number": tracking_number, "carrier": carrier})


def deliver_order(*, order: Order, actor=None) -> Order:
    """The shipped order reached the customer."""
    with transaction.atomic():
        order = _lock(order)
        return _move(order, Status.DELIVERED, actor=actor, delivered_at=timezone.now())


def expire_order(*, order: Order, now=None) -> Order | None:
    """Expire one unpaid order whose time ran out and release its stock; None if it was paid
    or cancelled meanwhile (checked under the row lock, so a payment always wins or loses cleanly)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order)
        if order.status != Status.PENDING_PAYMENT or order.expires_at is None or order.expires_at > now:
            return None
        _release_stock(order)
        return _move(order, Status.EXPIRED,
                     note=f"not paid within {order.business.unpaid_order_minutes} minutes")


def expire_unpaid_orders(*, now=None, batch: int = 200, limit: int = 5000) -> int:
    """Expire every unpaid order past its time (beat, every minute); each in its own
    transaction, so one busy order never holds up the rest. Returns how many expired."""
    now = now or timezone.now()
    expired, seen = 0, set()
    while len(seen) < limit:
        ids = [pk for pk in Order.objects.filter(status=Status.PENDING_PAYMENT, expires_at__lte=now)
               .exclude(pk__in=seen).order_by("expires_at").values_list("pk", flat=True)[:batch]]
        if not ids:
            break
        for pk in ids:
            seen.add(pk)
            if expire_order(order=Order(pk=pk), now=now) is not None:
                expired += 1
    return expired
