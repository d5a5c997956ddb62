"""The hand-written statements of orders, named for what they lock or read.

Every order placed and every order moved on runs these, so they are written out with the kernel's
SQL toolkit instead of built by the ORM (see `shopchat.sql`). Lock order (DESIGN.md): the order
row first, then stock rows in primary-key order.
"""
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, ProgrammingError, connection, transaction

from catalog.models import Product
from shopchat import sql
from shopchat.uow import UnitOfWork

from .models import Order, OrderLine

PLACEMENT_FIELDS = ("id", "business_id", "retailer_id", "title", "price_minor", "sale_price_minor", "is_active",
                    "stock_quantity", "reserved_quantity")
STOCK_FIELDS = ("id", "retailer_id", "title", "stock_quantity", "reserved_quantity")


def products_to_order(*, business_id: int, retailer_ids: Sequence[str]) -> list[Product]:
    """The business's products `retailer_ids` with what a placement reads, without locks (the
    stock rows are locked at the end of the placement, by `lock_stock`)."""
    return sql.select_models(
        Product, PLACEMENT_FIELDS,
        f"{sql.column(Product, 'business_id')} = %s AND {sql.column(Product, 'retailer_id')} "
        f"IN ({sql.placeholders(len(retailer_ids))})", [business_id, *retailer_ids],
    )


def lock_stock(*, product_ids: Sequence[int]) -> list[Product]:
    """Lock the products `product_ids` in primary-key order (so two placements never deadlock)
    and read their stock under the lock."""
    return sql.select_models(Product, STOCK_FIELDS,
                             f"{sql.column(Product, 'id')} IN ({sql.placeholders(len(product_ids))})",
                             list(product_ids), lock=sql.Lock.UPDATE)


def move_stock(*, reserved: Mapping[int, int], sold: Mapping[int, int] | None = None) -> None:
    """Add `reserved` ({product id: units}) to the reservations and `sold` to the stock of
    products locked by `lock_stock`, in one UPDATE (negative amounts take away)."""
    columns = {"reserved_quantity": reserved}
    if sold:
        columns["stock_quantity"] = sold
    sql.add_by_id(Product, **columns).run()


def reserved_by_order(*, order_id: int) -> dict[int, int]:
    """{product id: units} the order's lines still hold in reservation."""
    wanted: dict[int, int] = {}
    for product_id, quantity in (OrderLine.objects.filter(order_id=order_id, stock_reserved=True,
                                                           product__isnull=False)
                                 .values_list("product_id", "quantity")):
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    return wanted


def lock_order(unit: UnitOfWork, *, order_id: int) -> Order:
    """The order row locked for this change, with its business and customer; a row the change
    already locked is not locked again (see `shopchat.uow`). The first lock of every path that
    moves an order or its money."""
    held = unit.held(Order, order_id)
    return held if held is not None else unit.hold(lock_order_row(order_id=order_id))


def lock_order_row(*, order_id: int) -> Order:
    """Lock the order row, reading it with its business and customer (for a change that opens
    its unit of work only once it knows the business: then `unit.hold()` it)."""
    return Order.objects.select_for_update(of=("self",)).select_related("business", "customer").get(pk=order_id)


# --- order numbers ----------------------------------------------------------------------------

def sequence_name(business_id: int) -> str:
    return f"orders_number_{int(business_id)}"


def next_from_sequence(*, business_id: int) -> int:
    """PostgreSQL: the next value of the business's order sequence (takes no row lock)."""
    return sql.fetch_value("SELECT nextval(%s)", [sequence_name(business_id)])


def create_sequence(*, business_id: int, start: int) -> None:
    """PostgreSQL: create the business's order sequence, starting at `start`, unless a
    concurrent first order created it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS {sql.quote(sequence_name(business_id))} '
                           f'START WITH {int(start)}')
    except (IntegrityError, ProgrammingError):
        pass
