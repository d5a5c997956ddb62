"""The benchmark floors: bare DRF views doing the minimum, served only with BENCH_ENDPOINTS=1.

`floor/` is the least any endpoint does (one primary-key SELECT). The others are each write
endpoint's floor: the essential SQL of the operation as one raw transaction in a bare view (no
auth, no throttle, no validation, no ORM, no events), served by the same gunicorn as the real
endpoint, so a ratio compares the work the product adds and not the HTTP stack.
"""
from django.db import connection, transaction
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from shopchat.models import Business


def bare(methods):
    def wrap(view):
        return api_view(methods)(authentication_classes([])(permission_classes([])(throttle_classes([])(view))))
    return wrap


@bare(["GET"])
def floor(request):
    """One primary-key SELECT and a JSON answer: what no real endpoint can beat."""
    row = Business.objects.filter(pk=int(request.GET.get("id", 1))).values("id", "name").first()
    return Response(row or {})


def place_order_sql(cur, *, business: int, customer: int, product_ids) -> tuple:
    """Issue #4's floor SQL on any DB-API cursor (the view's, or a raw psycopg connection's):
    SELECT ... FOR UPDATE of the stock rows in id order, UPDATE their reservations, INSERT the
    order and its lines. The bench creates `bench_floor_order_number`."""
    ids = sorted(int(i) for i in product_ids)
    cur.execute("SELECT id, price_minor, retailer_id, title FROM catalog_product WHERE id = ANY(%s) "
                "ORDER BY id FOR UPDATE", [ids])
    rows = cur.fetchall()
    cur.execute("UPDATE catalog_product SET reserved_quantity = reserved_quantity + 1 WHERE id = ANY(%s)", [ids])
    total = sum(r[1] for r in rows)
    cur.execute(
        "INSERT INTO orders_order (business_id, customer_id, number, sequence, status, currency, subtotal_minor, "
        "tax_minor, shipping_minor, discount_minor, total_minor, refunded_minor, address, note, stock_reserved, "
        "tracking_number, carrier, created_at, updated_at) "
        "SELECT %s, %s, 'FL-' || n, n, 'pending_payment', 'INR', %s, 0, 0, 0, %s, 0, '', '', true, '', '', now(), "
        "now() FROM (SELECT nextval('bench_floor_order_number') AS n) s RETURNING id, number",
        [business, customer, total, total],
    )
    order_id, number = cur.fetchone()
    cur.executemany(
        "INSERT INTO orders_orderline (order_id, product_id, retailer_id, title, unit_price_minor, quantity, "
        "line_total_minor, stock_reserved) VALUES (%s, %s, %s, %s, %s, 1, %s, true)",
        [(order_id, r[0], r[2], r[3], r[1], r[1]) for r in rows],
    )
    return number, total


def move_money_sql(cur, *, source: int, target: int, amount: int = 1) -> int:
    """Issue #5's floor SQL on any DB-API cursor: lock two ledger balances in id order, move
    them, insert one ledger transaction and its balanced pair of entries."""
    cur.execute("SELECT id, balance_minor FROM payments_ledgeraccount WHERE id IN (%s, %s) ORDER BY id FOR UPDATE",
                [source, target])
    cur.fetchall()
    cur.execute("UPDATE payments_ledgeraccount SET balance_minor = balance_minor - %s WHERE id = %s", [amount, source])
    cur.execute("UPDATE payments_ledgeraccount SET balance_minor = balance_minor + %s WHERE id = %s", [amount, target])
    cur.execute("INSERT INTO payments_ledgertransaction (business_id, kind, reference, memo, created_at) "
                "SELECT business_id, 'adjustment', 'floor', '', now() FROM payments_ledgeraccount "
                "WHERE id = %s RETURNING id", [source])
    txn = cur.fetchone()[0]
    cur.execute("INSERT INTO payments_ledgerentry (transaction_id, account_id, amount_minor, currency, created_at) "
                "SELECT %s, id, CASE WHEN id = %s THEN -%s ELSE %s END, currency, now() "
                "FROM payments_ledgeraccount WHERE id IN (%s, %s)", [txn, source, amount, amount, source, target])
    return txn


@bare(["POST"])
def place_order_floor(request):
    """The placement floor as an endpoint (see place_order_sql)."""
    body = request.data
    with transaction.atomic(), connection.cursor() as cur:
        number, total = place_order_sql(cur, business=int(body["business"]), customer=int(body["customer"]),
                                        product_ids=body["products"])
    return Response({"number": number, "total": total}, status=201)


@bare(["POST"])
def move_money_floor(request):
    """The money-movement floor as an endpoint (see move_money_sql)."""
    with transaction.atomic(), connection.cursor() as cur:
        txn = move_money_sql(cur, source=int(request.data["from"]), target=int(request.data["to"]),
                             amount=int(request.data.get("amount", 1)))
    return Response({"transaction": txn}, status=201)


@bare(["POST"])
def open_ticket_floor(request):
    """Issue #6's floor: INSERT the ticket (numbered by `bench_floor_ticket_number`, which the
    bench creates), its first message and one outbox event, in one transaction."""
    body = request.data
    business, customer = int(body["business"]), int(body["customer"])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO support_ticket (number, kind, subject, status, priority, tags, channel, sla_elapsed_minutes, "
            "first_response_breached, resolution_breached, created_at, updated_at, business_id, customer_id) "
            "SELECT nextval('bench_floor_ticket_number'), 'customer', %s, 'new', 'normal', '[]', 'api', 0, false, "
            "false, now(), now(), %s, %s RETURNING id, number",
            [str(body["subject"])[:200], business, customer],
        )
        ticket_id, number = cur.fetchone()
        cur.execute("INSERT INTO support_ticketmessage (author_kind, body, internal, note_code, note_params, "
                    "created_at, ticket_id) VALUES ('customer', %s, false, '', '{}'::jsonb, now(), %s)",
                    [str(body["message"]), ticket_id])
        cur.execute(
            "INSERT INTO shopchat_outboxevent (id, channel, event_type, payload, status, attempts, next_attempt_at, "
            "last_error, created_at, business_id) VALUES (gen_random_uuid(), 'webhook', 'ticket.created', "
            "jsonb_build_object('ticket', %s::int), 'pending', 0, now(), '', now(), %s)",
            [number, business],
        )
    return Response({"id": ticket_id, "number": number}, status=201)


# --- the gateway flow's floor (bench/gateway.py): the least SQL for each of its 5 steps ------------
PRODUCT_COLUMNS = "id, retailer_id, title, price_minor, sale_price_minor, stock_quantity, reserved_quantity"


def _rows(cur) -> list[dict]:
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@bare(["GET"])
def gateway_list_floor(request, business):
    """Step 1: a page of 20 products by title, one SELECT on the (business, title, id) index."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE business_id = %s AND is_active "
                    "ORDER BY title, id LIMIT 21", [business])
        rows = _rows(cur)
    return Response({"next": None, "results": rows[:20]})


@bare(["GET"])
def gateway_detail_floor(request, business, retailer_id):
    """Step 2: one product by its retailer id, one SELECT on the unique index."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT {PRODUCT_COLUMNS} FROM catalog_product WHERE business_id = %s AND retailer_id = %s "
                    "AND is_active", [business, retailer_id])
        rows = _rows(cur)
    return Response(rows[0] if rows else {}, status=200 if rows else 404)


@bare(["PUT"])
def gateway_customer_floor(request, business, wa_id):
    """Step 3: create or update the customer, one INSERT ... ON CONFLICT in autocommit."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO shopchat_customer (business_id, wa_id, name, locale, is_test, marketing_opt_in_source, "
            "marketing_opt_out_source, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, false, '', '', now(), now()) ON CONFLICT (business_id, wa_id) DO UPDATE "
            "SET name = EXCLUDED.name, locale = EXCLUDED.locale, updated_at = now() "
            "RETURNING id, wa_id, name, locale, (xmax = 0) AS created",
            [business, wa_id, str(request.data.get("name", "")), str(request.data.get("locale", ""))],
        )
        row = _rows(cur)[0]
    return Response(row, status=201 if row.pop("created") else 200)


@bare(["PUT"])
def gateway_cart_floor(request, business, wa_id, retailer_id):
    """Step 4: put one item in the customer's cart, creating the cart: one statement."""
    with connection.cursor() as cur:
        cur.execute(
            "WITH customer AS (SELECT id FROM shopchat_customer WHERE business_id = %s AND wa_id = %s), "
            "cart AS (INSERT INTO orders_cart (business_id, customer_id, created_at, updated_at) "
            "  SELECT %s, id, now(), now() FROM customer ON CONFLICT (customer_id) DO UPDATE "
            "  SET updated_at = now() RETURNING id), "
            "product AS (SELECT id FROM catalog_product WHERE business_id = %s AND retailer_id = %s AND is_active) "
            "INSERT INTO orders_cartitem (cart_id, product_id, quantity, created_at, updated_at) "
            "SELECT cart.id, product.id, %s, now(), now() FROM cart, product "
            "ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now() "
            "RETURNING id, quantity",
            [business, wa_id, business, business, retailer_id, int(request.data.get("quantity", 1))],
        )
        rows = _rows(cur)
    return Response(rows[0] if rows else {}, status=200 if rows else 404)


@bare(["POST"])
def gateway_order_floor(request, business):
    """Step 5: place the order from the cart: BEGIN, one SELECT locking the cart's stock rows in
    id order, one statement reserving the stock, inserting the order and its lines and emptying
    the cart, COMMIT. Numbered by `bench_floor_gateway_number` (the bench creates it)."""
    wa_id = str(request.data["customer"])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT c.id AS customer_id, i.cart_id, i.quantity, p.id, p.retailer_id, p.title, p.price_minor, "
            "p.stock_quantity, p.reserved_quantity FROM shopchat_customer c "
            "JOIN orders_cart k ON k.customer_id = c.id JOIN orders_cartitem i ON i.cart_id = k.id "
            "JOIN catalog_product p ON p.id = i.product_id WHERE c.business_id = %s AND c.wa_id = %s "
            "ORDER BY p.id FOR UPDATE OF p",
            [business, wa_id],
        )
        lines = _rows(cur)
        if not lines or any(r["stock_quantity"] is not None
                            and r["stock_quantity"] - r["reserved_quantity"] < r["quantity"] for r in lines):
            return Response({"error": "empty cart or out of stock"}, status=409)
        total = sum(r["price_minor"] * r["quantity"] for r in lines)
        ids = [r["id"] for r in lines]
        quantities = [r["quantity"] for r in lines]
        cur.execute(
            "WITH stock AS (UPDATE catalog_product p SET reserved_quantity = p.reserved_quantity + q.quantity "
            "  FROM unnest(%s::bigint[], %s::int[]) AS q(id, quantity) WHERE p.id = q.id), "
            "placed AS (INSERT INTO orders_order (business_id, customer_id, number, sequence, status, currency, "
            "  subtotal_minor, tax_minor, shipping_minor, discount_minor, total_minor, refunded_minor, address, "
            "  note, stock_reserved, tracking_number, carrier, created_at, updated_at) "
            "  SELECT %s, %s, 'GF-' || n, n, 'pending_payment', 'INR', %s, 0, 0, 0, %s, 0, '', '', true, '', '', "
            "  now(), now() FROM (SELECT nextval('bench_floor_gateway_number') AS n) s RETURNING id, number), "
            "emptied AS (DELETE FROM orders_cartitem WHERE cart_id = %s) "
            "INSERT INTO orders_orderline (order_id, product_id, retailer_id, title, unit_price_minor, quantity, "
            "  line_total_minor, stock_reserved) "
            "SELECT placed.id, p.id, p.retailer_id, p.title, p.price_minor, q.quantity, p.price_minor * q.quantity, "
            "  true FROM placed, unnest(%s::bigint[], %s::int[]) AS q(id, quantity) "
            "  JOIN catalog_product p ON p.id = q.id RETURNING (SELECT number FROM placed)",
            [ids, quantities, business, lines[0]["customer_id"], total, total, lines[0]["cart_id"], ids, quantities],
        )
        number = cur.fetchone()[0]
    return Response({"number": number, "total": total}, status=201)


urlpatterns = [
    path("floor/", floor, name="bench-floor"),
    path("floor/place-order/", place_order_floor, name="bench-floor-place-order"),
    path("floor/move-money/", move_money_floor, name="bench-floor-move-money"),
    path("floor/open-ticket/", open_ticket_floor, name="bench-floor-open-ticket"),
    path("floor/gateway/<int:business>/products/", gateway_list_floor, name="bench-floor-gateway-list"),
    path("floor/gateway/<int:business>/products/<str:retailer_id>/", gateway_detail_floor,
         name="bench-floor-gateway-detail"),
    path("floor/gateway/<int:business>/customers/<str:wa_id>/", gateway_customer_floor,
         name="bench-floor-gateway-customer"),
    path("floor/gateway/<int:business>/customers/<str:wa_id>/cart/items/<str:retailer_id>/", gateway_cart_floor,
         name="bench-floor-gateway-cart"),
    path("floor/gateway/<int:business>/orders/", gateway_order_floor, name="bench-floor-gateway-order"),
]
