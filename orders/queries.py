"""The hand-written statements of orders, named for what they lock or read.

Every order placed and every order moved on runs these, so they are written out with the kernel's
SQL toolkit instead of built by the ORM (see `shopchat.sql`). Lock order (DESIGN.md): the order
row first, then stock rows in primary-key order.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone

from catalog.feeds import VARIANT_FIELDS
from catalog.models import Product
from shopchat import sql
from shopchat.uow import UnitOfWork

from .models import Cart, CartItem, Order, OrderLine

# The variant attributes are read with the title: a line's title names the variant (`variant_title`).
PLACEMENT_FIELDS = ("id", "business_id", "retailer_id", "title", "price_minor", "sale_price_minor", "is_active",
                    "stock_quantity", "reserved_quantity", *VARIANT_FIELDS)
STOCK_FIELDS = ("id", "retailer_id", "title", "stock_quantity", "reserved_quantity", *VARIANT_FIELDS)


def products_to_order(*, business_id: int, retailer_ids: Sequence[str]) -> list[Product]:
    """The business's products `retailer_ids` with what a placement reads, without locks (the
    stock rows are locked at the end of the placement, by `lock_stock`)."""
    return sql.select_models(
        Product, PLACEMENT_FIELDS,
        f"{sql.column(Product, 'business_id')} = %s AND {sql.column(Product, 'retailer_id')} "
        f"IN ({sql.placeholders(len(retailer_ids))})", [business_id, *retailer_ids],
    )


@dataclass(frozen=True)
class CartEntry:
    """One item of a cart as its writes and the placement read it: the item and its product."""

    item_id: int
    quantity: int
    product: Product


def _product_columns(alias: str) -> tuple[str, list[str]]:
    """PLACEMENT_FIELDS' columns of the product table aliased `alias`, in the order `from_db`
    takes them, and their attribute names."""
    fields = [f for f in Product._meta.concrete_fields if f.name in PLACEMENT_FIELDS or f.attname in PLACEMENT_FIELDS]
    return ", ".join(f"{alias}.{sql.quote(f.column)}" for f in fields), [f.attname for f in fields]


def _cart_entries(sql_text: str, params: Sequence[Any], attnames: Sequence[str]) -> list[CartEntry]:
    with connection.cursor() as cursor:
        cursor.execute(sql_text, list(params))
        rows = cursor.fetchall()
    return [CartEntry(item_id=row[0], quantity=row[1], product=sql.model_from_row(Product, attnames, row[2:]))
            for row in rows]


def put_in_cart(*, business_id: int, customer_id: int, product_id: int, quantity: int) -> list[CartEntry]:
    """Create the customer's cart unless it exists, set `quantity` of the product in it, and
    answer the cart's items afterwards (oldest first) with their products' PLACEMENT_FIELDS.

    PostgreSQL: one statement, so no transaction of its own (data-modifying WITH queries: the
    cart row upserted, which locks it, then the item; the other items are read beside the
    written one). SQLite: the same three steps in one transaction."""
    now = timezone.now()
    cart, item = sql.table(Cart), sql.table(CartItem)
    upsert_cart = (f"INSERT INTO {cart} (business_id, customer_id, created_at, updated_at) VALUES (%s, %s, %s, %s) "
                   "ON CONFLICT (customer_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id")
    upsert_item = (f"INSERT INTO {item} (cart_id, product_id, quantity, created_at, updated_at) "
                   "{rows} ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity, "
                   "updated_at = excluded.updated_at")
    product_columns, attnames = _product_columns("p")
    if sql.is_postgres():
        return _cart_entries(
            f"WITH cart AS ({upsert_cart}), "
            f"written AS ({upsert_item.format(rows='SELECT id, %s, %s, %s, %s FROM cart')} "
            "RETURNING id, product_id, quantity, created_at), "
            f"items AS (SELECT i.id, i.product_id, i.quantity, i.created_at FROM {item} i, cart "
            "WHERE i.cart_id = cart.id AND i.product_id <> %s UNION ALL SELECT * FROM written) "
            f"SELECT i.id, i.quantity, {product_columns} FROM items i "
            f"JOIN {sql.table(Product)} p ON p.id = i.product_id ORDER BY i.created_at, i.id",
            [business_id, customer_id, now, now, product_id, quantity, now, now, product_id], attnames,
        )
    with transaction.atomic():
        cart_id = sql.fetch_value(upsert_cart, [business_id, customer_id, now, now])
        sql.Statement(upsert_item.format(rows="VALUES (%s, %s, %s, %s, %s)"),
                      [cart_id, product_id, quantity, now, now]).run()
        return _cart_entries(
            f"SELECT i.id, i.quantity, {product_columns} FROM {item} i JOIN {sql.table(Product)} p "
            "ON p.id = i.product_id WHERE i.cart_id = %s ORDER BY i.created_at, i.id", [cart_id], attnames,
        )


def lock_cart(*, customer_id: int) -> list[CartEntry]:
    """Lock the customer's cart items (oldest first) and read them with their products'
    PLACEMENT_FIELDS, without locking the products (the placement locks the stock rows last).

    A double tap on "place order" waits here for the first placement and then finds the items
    it emptied gone; an item added meanwhile is not among them, and stays in the cart."""
    product_columns, attnames = _product_columns("p")
    return _cart_entries(
        f"SELECT i.id, i.quantity, {product_columns} FROM {sql.table(Cart)} c "
        f"JOIN {sql.table(CartItem)} i ON i.cart_id = c.id JOIN {sql.table(Product)} p ON p.id = i.product_id "
        f"WHERE c.customer_id = %s ORDER BY i.created_at, i.id{sql.locking(sql.Lock.UPDATE, 'i')}",
        [customer_id], attnames,
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


def reserve_stock(*, reserved: Mapping[int, int], emptied_cart_items: Sequence[int] = ()) -> None:
    """Add `reserved` ({product id: units}) to the reservations of products locked by
    `lock_stock`, and delete the cart items `emptied_cart_items` (the placed cart's, locked by
    `lock_cart`): one statement on PostgreSQL, the placement's last before COMMIT."""
    statements = []
    if reserved:
        statements.append(sql.add_by_id(Product, reserved_quantity=reserved))
    if emptied_cart_items:
        statements.append(sql.Statement(
            f"DELETE FROM {sql.table(CartItem)} WHERE {sql.column(CartItem, 'id')} "
            f"IN ({sql.placeholders(len(emptied_cart_items))})", list(emptied_cart_items)))
    sql.run_together(statements)


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


@dataclass(frozen=True)
class _Numbered:
    id: int
    sequence: int


def insert_numbered_order(order: Order) -> None:
    """PostgreSQL: INSERT the unsaved `order`, numbered in the same statement by the business's
    sequence (which must exist): its key, sequence and number are set from the answer."""
    insert = sql.insert_statement([order])
    fields = [f for f in Order._meta.concrete_fields if f is not Order._meta.pk]
    values, params = [], []
    prefix = order.business.order_prefix
    for f, param in zip(fields, insert.params, strict=True):
        if f.name == "sequence":
            values.append("n.value")
        elif f.name == "number":
            values.append("%s || '-' || n.value")
            params.append(prefix)
        else:
            values.append("%s")
            params.append(param)
    row = sql.fetch_one(
        _Numbered,
        f"{insert.into} SELECT {', '.join(values)} FROM (SELECT nextval(%s) AS value) n "
        f"RETURNING {sql.column(Order, 'id')} AS id, {sql.column(Order, 'sequence')} AS sequence",
        [*params, sequence_name(order.business_id)],
    )
    assert row is not None
    insert.set_keys([row.id])
    order.sequence, order.number = row.sequence, f"{prefix}-{row.sequence}"


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
