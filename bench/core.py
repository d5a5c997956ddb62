"""Core: the chat customer upsert (PUT /api/v1/customers/{wa_id}/) against the floor."""
ORDER = 10
TITLE = "Core: customer upsert"


def run(ctx):
    from shopchat.models import Customer

    Customer.objects.bulk_create(
        [Customer(business=ctx.business, wa_id=f"1555{n:07d}", name="Same name", locale="en_IN") for n in range(1000)]
    )

    def upsert(i):
        # 1,000 known customers whose name changes on every pass: a real UPDATE each time.
        return "PUT", f"/api/v1/customers/1555{i % 1000:07d}/", {"name": f"Customer {i // 1000}", "locale": "en_IN"}, {}

    def unchanged(i):
        return "PUT", f"/api/v1/customers/1555{i % 1000:07d}/", {"name": "Same name", "locale": "en_IN"}, {}

    ctx.load("warm-up", unchanged, seconds=2)
    changing = ctx.load("customer upsert (changing name)", upsert)
    same = ctx.load("customer upsert (unchanged)", unchanged)
    get = ctx.load("customer read", lambda i: ("GET", f"/api/v1/customers/1555{i % 1000:07d}/", None, {}))
    q_change = ctx.count_queries(lambda: ctx.client.put("/api/v1/customers/15559999999/", {"name": "x"}, format="json"))
    q_update = ctx.count_queries(lambda: ctx.client.put("/api/v1/customers/15559999999/", {"name": "y"}, format="json"))
    q_same = ctx.count_queries(lambda: ctx.client.put("/api/v1/customers/15559999999/", {"name": "y"}, format="json"))
    q_get = ctx.count_queries(lambda: ctx.client.get("/api/v1/customers/15559999999/"))
    ctx.section(
        TITLE, ctx.LOAD_HEADER,
        [
            ctx.load_row("PUT /api/v1/customers/{wa_id}/ (name changes: UPDATE)", changing, q_update, ">= 0.7x"),
            ctx.load_row("PUT /api/v1/customers/{wa_id}/ (unchanged: no write)", same, q_same, ">= 0.7x"),
            ctx.load_row("GET /api/v1/customers/{wa_id}/", get, q_get, ""),
        ],
        notes="16 concurrent clients, 10 s each, over 1,000 customers. Queries per request counted in-process "
              f"(API-key lookup included; creating a new customer takes {q_change}).",
    )
