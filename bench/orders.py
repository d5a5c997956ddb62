"""Orders bench: how fast chat customers place orders, beside the floor of a placement.

- Placement (the headline): 16 concurrent chat customers each sending WhatsApp's native cart as
  one `order` message of 3 items (POST /api/v1/orders/ with `items`), through gunicorn.
- The placement floor: a bare view in the same gunicorn running the least a placement can do,
  as one raw transaction: SELECT ... FOR UPDATE of the 3 stock rows in id order, UPDATE their
  reservations, INSERT the order and its lines (bench/floor_urls.py). Same concurrency, same
  random 3 of 200 tracked products.
- The API cart: 16 concurrent new chat customers each adding 3 items one request at a time,
  then placing the order from the cart (4 requests per order), in orders/s beside the same floor.
- For reference, the floor's SQL on raw psycopg connections without HTTP, and queries per
  placement for 1 and 20 lines (equal: no per-line queries).
"""
import random

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


def _sql_floor(ctx, seconds):
    """The floor's SQL (bench/floor_urls.py) on raw psycopg connections, without HTTP; run
    after _floor_endpoint, which creates the floor's order-number sequence."""
    from bench.floor_urls import place_order_sql
    from shopchat.models import Customer

    floor_business, _ = ctx.new_business(order_prefix="FL")
    product_ids = sorted(_products(floor_business).values())
    customer = Customer.objects.create(business=floor_business, wa_id="919900000001", name="Floor")

    def place(conn):
        with conn.cursor() as cur:
            place_order_sql(cur, business=floor_business.pk, customer=customer.pk,
                            product_ids=random.sample(product_ids, 3))
        conn.commit()

    return ctx.sql_floor("SQL floor: lock 3 stock rows, UPDATE, INSERT order + lines", place,
                         concurrency=CONCURRENCY, seconds=seconds)


def _floor_endpoint(ctx, seconds):
    """The placement floor over HTTP (bench/floor_urls.py), on a business of its own."""
    from django.db import connection

    from shopchat.models import Customer

    floor_business, _ = ctx.new_business(order_prefix="FV")
    product_ids = list(_products(floor_business).values())
    customer = Customer.objects.create(business=floor_business, wa_id="919900000002", name="Floor")
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE IF EXISTS bench_floor_order_number")
        cursor.execute("CREATE SEQUENCE bench_floor_order_number START WITH 1")

    def place(i):
        rng = random.Random(i)
        return ("POST", "/bench/floor/place-order/",
                {"business": floor_business.pk, "customer": customer.pk, "products": rng.sample(product_ids, 3)}, {})

    return ctx.load("placement floor (bare view, raw SQL)", place, concurrency=CONCURRENCY, seconds=seconds,
                    auth=False)


def run(ctx):
    seconds = 2 if ctx.quick else 10
    _products(ctx.business)

    def place(i):
        items = [{"retailer_id": f"BENCH-{n}", "quantity": 1} for n in _three(i)]
        return ("POST", "/api/v1/orders/", {"customer": f"9196{i % CONCURRENCY:09d}", "items": items}, {})

    def cart_flow(i):
        wa_id = f"9197{i:09d}"
        adds = [("PUT", f"/api/v1/customers/{wa_id}/cart/items/BENCH-{n}/", {"quantity": 1 + i % 3}, {})
                for n in _three(i)]
        return adds + [("POST", "/api/v1/orders/", {"customer": wa_id, "from_cart": True}, {})]

    floor = _floor_endpoint(ctx, seconds)
    placed = ctx.load("place order of 3 items", place, concurrency=CONCURRENCY, seconds=seconds)
    flow = ctx.load_flow("cart flow: 3 adds + place", cart_flow, concurrency=CONCURRENCY, seconds=seconds)
    sql_floor = _sql_floor(ctx, seconds)

    def one_placement(lines):
        def go():
            items = [{"retailer_id": f"BENCH-{n}", "quantity": 1} for n in range(lines)]
            response = ctx.client.post("/api/v1/orders/", {"customer": "919500000001", "items": items}, format="json")
            assert response.status_code == 201, response.content
        return go

    one_placement(1)()  # a returning customer; the business's numbering is set up by its first order
    queries_1 = ctx.count_queries(one_placement(1))
    queries_20 = ctx.count_queries(one_placement(20))

    def vs(stats, base):
        return f"{stats['rps'] / base['rps']:.2f}x" if base.get("rps") else ""

    def row(label, stats, unit_ratio=True):
        return [label, f"{stats['rps']:.0f}", f"{stats['p50_ms']:.1f}", f"{stats['p99_ms']:.1f}",
                vs(stats, floor) if unit_ratio else "", stats.get("errors", 0)]

    rows = [
        row("place order, 3 items (WhatsApp order message), orders/s", placed),
        row("API cart: 3 cart adds + place from the cart, orders/s (4 requests each)", flow),
        row("placement floor: bare view, FOR UPDATE 3 rows + UPDATE + INSERT order/lines", floor),
        row("the floor's SQL on raw psycopg connections (no HTTP), for reference", sql_floor, unit_ratio=False),
    ]
    ctx.section(
        TITLE,
        ["measure", "per second", "p50 ms", "p99 ms", "vs placement floor", "errors"],
        rows,
        notes=(f"{CONCURRENCY} concurrent chat customers; 3 of {PRODUCTS} tracked products per order; the floor "
               "is a bare view in the same gunicorn running the placement's essential SQL as one raw transaction, "
               f"measured just before. Target: >= 0.5x the floor. SQL queries per placement (in process, API key "
               f"lookup cached, returning customer, no Idempotency-Key): {queries_1} with 1 line, {queries_20} "
               "with 20 lines."),
    )
    return {"placed": placed, "flow": flow, "floor": floor, "sql_floor": sql_floor,
            "queries": (queries_1, queries_20)}
