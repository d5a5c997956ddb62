"""Back-office benchmark: the dashboard (home page) over 100,000 orders of one business, spread
over 60 days with payments, refunds and chat customers, in-process through the admin as the
owner: server time and the number of queries (the same at any size)."""
ORDER = 60
TITLE = "Back office"


def seed_orders(business, count):
    """Bulk-insert `count` orders over the last 60 days: most paid, some shipped, delivered,
    refunded in part, cancelled or pending; 5,000 customers who wrote in the last 30 days."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from orders.models import Order
    from shopchat.models import Customer

    now = timezone.now()
    customers = Customer.objects.bulk_create(
        [Customer(business=business, wa_id=f"1555{8000000 + i:07d}", name=f"Bench {i}",
                  last_inbound_at=now - timedelta(hours=i % 720)) for i in range(5000)], batch_size=5000)
    statuses = ["paid", "shipped", "delivered", "delivered", "delivered", "partly_refunded", "cancelled",
                "pending_payment", "expired", "delivered"]
    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            rows = []
            for i in range(start, min(start + batch, count)):
                status = statuses[i % len(statuses)]
                created = now - timedelta(minutes=(i * 61) % (60 * 24 * 60))
                paid = status not in ("pending_payment", "expired", "cancelled")
                total = 10_000 + (i % 50) * 1_000
                rows.append(Order(
                    business=business, customer=customers[i % len(customers)], number=f"B-{i + 1}",
                    sequence=i + 1, status=status, currency=business.currency, subtotal_minor=total,
                    total_minor=total, refunded_minor=total // 4 if status == "partly_refunded" else 0,
                    paid_at=created + timedelta(minutes=2) if paid else None,
                ))
            created_orders = Order.objects.bulk_create(rows, batch_size=batch)
            # created_at is auto_now_add: spread it over the 60 days in one UPDATE per batch
            for order in created_orders:
                order.created_at = (order.paid_at - timedelta(minutes=2)) if order.paid_at else now - timedelta(
                    minutes=(order.sequence * 61) % (60 * 24 * 60))
            Order.objects.bulk_update(created_orders, ["created_at"], batch_size=batch)


def run(ctx):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings

    business = ctx.business
    count = 10_000 if ctx.quick else 100_000
    seed_orders(business, count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_order")
            cursor.execute("ANALYZE shopchat_customer")
    owner = get_user_model().objects.get(memberships__business=business, memberships__role="owner")
    client = Client()
    client.force_login(owner)
    plain_static = override_settings(STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    })
    rows = []
    with plain_static:
        for label, url in [("Dashboard (home page)", "/admin/"),
                           ("Orders paid today (the revenue tile's list)", "/admin/orders/order/?paid_in=today"),
                           ("Orders, 30 days", "/admin/orders/order/?placed_in=30d")]:
            def get(url=url):
                response = client.get(url, secure=True)
                assert response.status_code == 200, response.status_code

            get()  # warm up
            queries = ctx.count_queries(get)
            stats = ctx.timeit(label, get, repeat=5 if ctx.quick else 20)
            rows.append([label, f"{count:,}", queries, f"{stats['p50_ms']:.1f}", f"{stats['p95_ms']:.1f}"])
    ctx.section(
        "Back-office dashboard (in-process, as the owner)",
        ["page", "orders", "queries", "p50 ms", "p95 ms"], rows,
        notes="Revenue today / 7 / 30 days with the periods before, orders, AOV, paid vs unpaid, "
              "conversations that ordered, refunds, tickets, low stock and the two charts: aggregate "
              "queries whose count does not grow with the data (target: under 300 ms).",
    )
