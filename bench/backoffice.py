"""Back-office benchmark: the dashboard (home page) over 100,000 orders of one business, spread
over 60 days with their payments and refunds, 5,000 chat customers, 2,000 tickets and 20,000
chat messages, in-process through the admin as the owner: server time and the number of queries
(the same at any size) of the dashboard, the lists its tiles open and an order's page."""
ORDER = 60
TITLE = "Back office"


def seed_orders(business, count, customer_count=5000):
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
                  last_inbound_at=now - timedelta(hours=i % 720)) for i in range(customer_count)], batch_size=5000)
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
            seed_money(business, created_orders)
    seed_support_and_chat(business, customers, now, tickets=min(2000, count), messages=min(10_000, count))


def seed_money(business, orders):
    """A captured payment for every paid order, and a refund for each one refunded in part (so
    the refunds tile and the order page read real rows)."""
    from payments.models import Payment, Refund

    paid = [o for o in orders if o.paid_at is not None]
    payments = Payment.objects.bulk_create([
        Payment(business=business, order=o, customer_id=o.customer_id, method="wallet", amount_minor=o.total_minor,
                currency=o.currency, status="captured", provider="wallet", refunded_minor=o.refunded_minor,
                captured_at=o.paid_at) for o in paid], batch_size=5000)
    for payment, order in zip(payments, paid, strict=True):
        payment.created_at = order.paid_at
    Payment.objects.bulk_update(payments, ["created_at"], batch_size=5000)
    refunds = Refund.objects.bulk_create([
        Refund(business=business, payment=p, amount_minor=p.refunded_minor, currency=p.currency, reason="bench")
        for p in payments if p.refunded_minor], batch_size=5000)
    by_payment = {p.pk: p for p in payments}
    for refund in refunds:
        refund.created_at = by_payment[refund.payment_id].captured_at
    Refund.objects.bulk_update(refunds, ["created_at"], batch_size=5000)


def seed_support_and_chat(business, customers, now, tickets=2000, messages=10_000):
    """2,000 tickets in every status (some breaching their SLA) and 20,000 chat messages, 1,000
    of them failed: the ticket, failed-message and conversation tiles count real rows."""
    from datetime import timedelta

    from chat.models import InboundMessage, OutboundMessage
    from support.models import DeskState, Ticket

    statuses = ["new", "open", "open", "pending", "solved", "closed"]
    first = (DeskState.objects.filter(business=business).values_list("last_number", flat=True).first() or 0) + 1
    DeskState.objects.update_or_create(business=business, defaults={"last_number": first + tickets - 1})
    Ticket.objects.bulk_create([
        Ticket(business=business, number=first + i, customer=customers[i % len(customers)], subject=f"Bench ticket {i}",
               status=statuses[i % len(statuses)], next_sla_due_at=now + timedelta(minutes=(i % 240) - 60)
               if statuses[i % len(statuses)] in ("new", "open") else None) for i in range(tickets)], batch_size=2000)
    writers = [customers[i % len(customers)] for i in range(messages)]
    InboundMessage.objects.bulk_create([
        InboundMessage(business=business, customer=c, wa_id=c.wa_id, wa_message_id=f"bench.{i}", type="text",
                       payload={"type": "text", "text": {"body": "hi"}}, processed_at=now)
        for i, c in enumerate(writers)], batch_size=5000)
    OutboundMessage.objects.bulk_create([
        OutboundMessage(business=business, customer=customers[i % len(customers)], kind="text",
                        body={"type": "text", "text": {"body": "hello"}},
                        status="failed" if i % 10 == 0 else "delivered", error_code=131047 if i % 10 == 0 else None,
                        status_at=now - timedelta(minutes=i)) for i in range(messages)], batch_size=5000)


def run(ctx):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings

    business, _ = ctx.new_business(name="Bench back office")  # its own shop: exactly `count` orders
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
        from orders.models import Order

        refunded = Order.objects.filter(business=business, status="partly_refunded").order_by("-id").first()
        pages = [("Dashboard (home page)", "/admin/"),
                 ("Orders paid today (the revenue tile's list)", "/admin/orders/order/?paid_in=today"),
                 ("Orders, 30 days", "/admin/orders/order/?placed_in=30d"),
                 ("Tickets, open queue", "/admin/support/ticket/?queue=open")]
        if refunded is not None:
            pages.append(("An order's page (workspace, timeline)", f"/admin/orders/order/{refunded.pk}/change/"))
        for label, url in pages:
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
