"""Orders bench: how fast chat customers can place orders, beside a bare SQL floor.

- HTTP: 16 concurrent chat customers adding items to their carts (PUT cart item), and placing
  orders of 3 items (POST /api/v1/orders/ with `items`, the WhatsApp order message), through
  gunicorn, beside the harness's floor endpoint.
- In process: 16 threads, each a chat customer doing the whole flow (3 cart adds, then place
  from the cart) through the API client, on PostgreSQL: orders/s and p50/p99 per flow.
- SQL floor: the least a placement can do, as one raw transaction per order: SELECT ... FOR
  UPDATE of the 3 stock rows in id order, UPDATE their reservations, INSERT the order and its
  lines. Placements run in the same conditions (random 3 of 200 tracked products).
- SQL queries per placement for 1 and 20 lines (should be equal: no per-line queries).
"""
import itertools
import random
import statistics
import threading
import time

ORDER = 30
TITLE = "Orders"

PRODUCTS = 200
CONCURRENCY = 16


def _products(business):
    from catalog.models import Product

    Product.objects.bulk_create(
        [Product(business=business, retailer_id=f"BENCH-{n}", title=f"Bench product {n}", price_minor=10000 + n,
                 stock_quantity=10**9) for n in range(PRODUCTS)],
        ignore_conflicts=True,
    )
    return dict(Product.objects.filter(business=business, retailer_id__startswith="BENCH-")
                .values_list("retailer_id", "pk"))


def _three(i):
    rng = random.Random(i)
    return rng.sample(range(PRODUCTS), 3)


def _percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def _flow_in_process(ctx, seconds):
    """16 threads, each a chat customer: add 3 items to the cart, place the order from it."""
    from django.db import connection
    from rest_framework.test import APIClient

    numbers = itertools.count()
    durations, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def customer_loop():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {ctx.api_key}")
        try:
            while time.monotonic() < deadline:
                i = next(numbers)
                wa_id = f"9198{i:09d}"
                started = time.perf_counter()
                ok = all(
                    client.put(f"/api/v1/customers/{wa_id}/cart/items/BENCH-{n}/", {"quantity": 1 + i % 3},
                               format="json").status_code == 200
                    for n in _three(i)
                )
                ok = ok and client.post("/api/v1/orders/", {"customer": wa_id, "from_cart": True},
                                        format="json").status_code == 201
                with lock:
                    (durations if ok else errors).append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=customer_loop) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"count": len(durations), "errors": len(errors), "rps": len(durations) / elapsed if elapsed else 0,
            "p50_ms": statistics.median(durations) if durations else 0.0,
            "p99_ms": _percentile(durations, 99)}


def _sql_floor(ctx, seconds):
    from shopchat.models import Customer

    floor_business, _ = ctx.new_business(order_prefix="FL")
    product_ids = sorted(_products(floor_business).values())
    customer = Customer.objects.create(business=floor_business, wa_id="919900000001", name="Floor")
    sequences = itertools.count(1)
    lock = threading.Lock()

    def place(conn):
        with lock:
            sequence = next(sequences)
        ids = sorted(random.sample(product_ids, 3))
        with conn.cursor() as cur:
            cur.execute("SELECT id, stock_quantity, reserved_quantity, price_minor, retailer_id, title "
                        "FROM catalog_product WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids])
            rows = cur.fetchall()
            cur.execute("UPDATE catalog_product SET reserved_quantity = reserved_quantity + 1 WHERE id = ANY(%s)",
                        [ids])
            total = sum(r[3] for r in rows)
            cur.execute(
                "INSERT INTO orders_order (business_id, customer_id, number, sequence, status, currency, "
                "subtotal_minor, tax_minor, shipping_minor, discount_minor, total_minor, refunded_minor, address, "
                "note, stock_reserved, tracking_number, carrier, created_at, updated_at) VALUES "
                "(%s, %s, %s, %s, 'pending_payment', 'INR', %s, 0, 0, 0, %s, 0, '', '', true, '', '', now(), now()) "
                "RETURNING id",
                [floor_business.pk, customer.pk, f"FL-{sequence}", sequence, total, total],
            )
            order_id = cur.fetchone()[0]
            cur.executemany(
                "INSERT INTO orders_orderline (order_id, product_id, retailer_id, title, unit_price_minor, quantity, "
                "line_total_minor, stock_reserved) VALUES (%s, %s, %s, %s, %s, 1, %s, true)",
                [(order_id, r[0], r[4], r[5], r[3], r[3]) for r in rows],
            )
        conn.commit()

    return ctx.sql_floor("SQL floor: lock 3 stock rows, UPDATE, INSERT order + lines", place,
                         concurrency=CONCURRENCY, seconds=seconds)


def run(ctx):
    from orders.models import OrderCounter

    seconds = 2 if ctx.quick else 10
    _products(ctx.business)

    def add_to_cart(i):
        n = _three(i)[0]
        return ("PUT", f"/api/v1/customers/9197{i % 100000:08d}/cart/items/BENCH-{n}/", {"quantity": 1 + i % 3}, {})

    def place(i):
        items = [{"retailer_id": f"BENCH-{n}", "quantity": 1} for n in _three(i)]
        return ("POST", "/api/v1/orders/", {"customer": f"9196{i:09d}", "items": items}, {})

    cart = ctx.load("cart: PUT item", add_to_cart, concurrency=CONCURRENCY, seconds=seconds)
    placed = ctx.load("place order of 3 items", place, concurrency=CONCURRENCY, seconds=seconds)
    flow = _flow_in_process(ctx, seconds)
    floor = _sql_floor(ctx, seconds)

    def one_placement(lines):
        counter = itertools.count()

        def go():
            items = [{"retailer_id": f"BENCH-{n}", "quantity": 1} for n in range(lines)]
            response = ctx.client.post("/api/v1/orders/", {"customer": f"919500{next(counter):06d}{lines:02d}",
                                                           "items": items}, format="json")
            assert response.status_code == 201, response.content
        return go

    OrderCounter.objects.get_or_create(business=ctx.business)
    queries_1 = ctx.count_queries(one_placement(1))
    queries_20 = ctx.count_queries(one_placement(20))

    def ratio(stats):
        return f"{ctx.ratio(stats):.2f}x" if getattr(ctx, "floor", None) else ""

    def sql_ratio(stats):
        return f"{stats['rps'] / floor['rps']:.2f}x" if floor.get("rps") else ""

    rows = [
        ["cart: PUT item (HTTP)", f"{cart['rps']:.0f}", f"{cart['p50_ms']:.1f}", f"{cart['p99_ms']:.1f}",
         ratio(cart), "", cart["errors"]],
        ["place order, 3 items (HTTP)", f"{placed['rps']:.0f}", f"{placed['p50_ms']:.1f}", f"{placed['p99_ms']:.1f}",
         ratio(placed), sql_ratio(placed), placed["errors"]],
        ["chat flow: 3 cart adds + place (in process)", f"{flow['rps']:.0f}", f"{flow['p50_ms']:.1f}",
         f"{flow['p99_ms']:.1f}", "", sql_ratio(flow), flow["errors"]],
        ["SQL floor: FOR UPDATE 3 rows + UPDATE + INSERT order/lines", f"{floor['rps']:.0f}",
         f"{floor['p50_ms']:.1f}", f"{floor['p99_ms']:.1f}", "", "1.00x", floor.get("errors", 0)],
    ]
    ctx.section(
        TITLE,
        ["measure", "per second", "p50 ms", "p99 ms", "vs floor endpoint", "vs SQL floor", "errors"],
        rows,
        notes=(f"{CONCURRENCY} concurrent chat customers; 3 of {PRODUCTS} tracked products per order. "
               f"SQL queries per placement (in process, incl. auth and idempotency-free path): "
               f"{queries_1} with 1 line, {queries_20} with 20 lines."),
    )
    return {"cart": cart, "placed": placed, "flow": flow, "floor": floor, "queries": (queries_1, queries_20)}
