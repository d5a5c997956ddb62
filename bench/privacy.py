"""Privacy benchmark: export and erasure of one customer with 1,000 orders and 10,000 chat
messages (plus their lines, history, outbox events and tickets), built with bulk_create, timed
in-process on PostgreSQL with their query counts (constant per table, whatever the rows)."""
ORDER = 80
TITLE = "Privacy"


def seed_customer(business, n, orders, messages):
    """A customer with `orders` delivered orders (2 lines, 2 history rows, 2 outbox events each),
    `messages` chat messages received and as many sent, and 20 tickets of 5 messages."""
    from django.db import transaction
    from django.utils import timezone

    from chat.models import InboundMessage, OutboundMessage
    from orders.models import Order, OrderLine, OrderTransition
    from shopchat.models import Customer, OutboxEvent
    from support.models import Ticket, TicketMessage

    now = timezone.now()
    wa_id = f"49151{n:07d}"
    with transaction.atomic():
        customer = Customer.objects.create(business=business, wa_id=wa_id, name=f"Bench Privacy {n}")
        start = Order.objects.filter(business=business).count() + 1
        rows = [Order(business=business, customer=customer, number=f"P{n}-{start + i}", sequence=10_000_000 * n + i,
                      status="delivered", currency="INR", subtotal_minor=24_000, total_minor=24_000,
                      address=f"{i} Bench Street, Pune", note=f"ring the bell {i}", stock_reserved=False,
                      paid_at=now, delivered_at=now) for i in range(orders)]
        Order.objects.bulk_create(rows, batch_size=2000)
        OrderLine.objects.bulk_create([OrderLine(order=o, retailer_id=f"SKU-{k}", title=f"Tea {k}",
                                                 unit_price_minor=12_000, quantity=1, line_total_minor=12_000)
                                       for o in rows for k in range(2)], batch_size=5000)
        steps = (("", "pending_payment"), ("paid", "delivered"))
        OrderTransition.objects.bulk_create([OrderTransition(order=o, from_status=a, to_status=b, actor_label="bench")
                                             for o in rows for a, b in steps], batch_size=5000)
        OutboxEvent.objects.bulk_create([OutboxEvent(
            business=business, event_type="order.delivered", status="delivered", next_attempt_at=now,
            payload={"order": o.number, "customer": {"wa_id": wa_id, "name": customer.name}, "address": o.address})
            for o in rows for _ in range(2)], batch_size=5000)
        InboundMessage.objects.bulk_create([InboundMessage(
            business=business, customer=customer, wa_message_id=f"wamid.P{n}.{i}", wa_id=wa_id, type="text",
            profile_name=customer.name, processed_at=now,
            payload={"from": wa_id, "type": "text", "text": {"body": f"message {i} of mine"}})
            for i in range(messages)], batch_size=5000)
        OutboundMessage.objects.bulk_create([OutboundMessage(
            business=business, customer=customer, kind="text", body={"text": {"body": f"answer {i}"}}, status="read")
            for i in range(messages)], batch_size=5000)
        base = Ticket.objects.filter(business=business).count() + 1
        tickets = Ticket.objects.bulk_create([Ticket(business=business, number=base + i, customer=customer,
                                                     subject=f"Question {i}") for i in range(20)])
        TicketMessage.objects.bulk_create([TicketMessage(ticket=t, author_kind="customer" if k % 2 == 0 else "agent",
                                                         body=f"ticket text {t.number}.{k}")
                                           for t in tickets for k in range(5)])
    return Customer.objects.select_related("business").get(pk=customer.pk)


def run(ctx):
    import json
    import time

    from django.core.serializers.json import DjangoJSONEncoder

    from shopchat.privacy import services

    orders, messages = (100, 1_000) if ctx.quick else (1_000, 10_000)
    business = ctx.business
    rows = []
    customer = seed_customer(business, 1, orders, messages)

    def export():
        json.dumps(services.export_customer(customer=customer), cls=DjangoJSONEncoder)

    export()
    queries = ctx.count_queries(export)
    stats = ctx.timeit("export", export, repeat=3 if ctx.quick else 5)
    size = len(json.dumps(services.export_customer(customer=customer), cls=DjangoJSONEncoder))
    rows.append(["export (JSON document)", f"{orders:,}", f"{2 * messages:,}", queries, f"{stats['p50_ms']:.0f}",
                 f"{size / 1e6:.1f} MB"])

    for n in (2, 3):
        target = seed_customer(business, n, orders, messages)
        started = time.perf_counter()
        queries = ctx.count_queries(lambda target=target: services.erase_customer(customer=target, actor="bench"))
        elapsed = (time.perf_counter() - started) * 1000
        rows.append([f"erasure #{n - 1} (one transaction)", f"{orders:,}", f"{2 * messages:,}", queries,
                     f"{elapsed:.0f}", ""])
    ctx.section(
        "Privacy: export and erasure of one customer (in-process)",
        ["operation", "orders", "chat messages (in + out)", "queries", "ms", "size"], rows,
        notes="Each customer also has 2 order lines, 2 history rows and 2 outbox events per order and 20 "
              "tickets of 5 messages. The query count does not grow with the rows (per table, not per row); "
              "erasure runs once per customer, so its time is one run (after the first erasure, the business "
              "has more outbox rows to scan).",
    )
