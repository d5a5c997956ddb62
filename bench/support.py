"""Support desk benchmark: the agents' queue pages over 100,000 tickets (time and a fixed number
of queries, in-process through the admin changelist), and ticket creation from the API under
load beside its floor: a bare view in the same gunicorn inserting the ticket, its first message
and one outbox event in one raw transaction (bench/floor_urls.py)."""
ORDER = 50
TITLE = "Support desk"

QUEUE_URLS = [
    ("All open, newest activity first", "?queue=open"),
    ("All open, by SLA due", "?queue=open&o=7"),
    ("Mine", "?queue=mine"),
    ("Unassigned, by SLA due", "?queue=unassigned&o=7"),
    ("Breaching soon", "?queue=breaching&o=7"),
    ("Pending", "?queue=pending"),
    ("Search by subject", "?q=parcel"),
]


def seed_tickets(business, count, agents, stdout=None):
    """Bulk-insert `count` tickets spread over statuses, priorities, agents and customers."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from shopchat.models import Customer
    from support.models import DeskState, Ticket, TicketMessage

    now = timezone.now()
    customers = Customer.objects.bulk_create(
        [Customer(business=business, wa_id=f"1555{7000000 + i:07d}", name=f"Bench {i}") for i in range(2000)],
        batch_size=2000,
    )
    statuses = ["new", "open", "open", "pending", "on_hold", "solved", "closed", "closed", "closed", "closed"]
    priorities = ["low", "normal", "normal", "high", "urgent"]
    subjects = ["Where is my parcel", "Refund please", "Wrong item", "Change address", "Payment failed"]
    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            rows = []
            for i in range(start, min(start + batch, count)):
                status = statuses[i % len(statuses)]
                running = status in ("new", "open")
                due = now + timedelta(minutes=(i % 600) - 60) if running else None
                rows.append(Ticket(
                    business=business, number=i + 1, customer=customers[i % len(customers)],
                    subject=f"{subjects[i % len(subjects)]} #{i}", status=status,
                    priority=priorities[i % len(priorities)],
                    assignee_id=agents[i % len(agents)] if i % 3 else None,
                    next_sla_due_at=due, resolution_due_at=due,
                ))
            Ticket.objects.bulk_create(rows, batch_size=batch)
        DeskState.objects.update_or_create(business=business, defaults={"last_number": count})
        first = Ticket.objects.filter(business=business).order_by("pk")[:1000]
        TicketMessage.objects.bulk_create(
            [TicketMessage(ticket=t, author_kind="customer", body="Hello, where is my order?") for t in first])
    return customers


def queue_rows(ctx, client, count):
    rows = []
    for label, query in QUEUE_URLS:
        url = "/admin/support/ticket/" + query

        def get(url=url):
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code

        get()  # warm up
        queries = ctx.count_queries(get)
        stats = ctx.timeit(label, get, repeat=10 if ctx.quick else 30)
        rows.append([label, f"{count:,}", queries, f"{stats['p50_ms']:.1f}", f"{stats['p95_ms']:.1f}"])
    return rows


def run(ctx):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings

    from shopchat.models import Customer, Membership

    business = ctx.business
    count = 5_000 if ctx.quick else 100_000
    User = get_user_model()
    agents = []
    for n in range(3):
        user, _ = User.objects.get_or_create(username=f"bench-agent-{business.pk}-{n}@example.com",
                                             defaults={"is_staff": True, "email": f"agent{n}@example.com"})
        Membership.objects.get_or_create(user=user, business=business, defaults={"role": "agent"})
        agents.append(user.pk)
    seed_tickets(business, count, agents)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE support_ticket")

    client = Client()
    client.force_login(User.objects.get(pk=agents[0]))
    # The admin pages link static files; without `collectstatic` the manifest storage of a
    # DEBUG-off process has no entries, and static URLs are not what is measured here.
    plain_static = override_settings(STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    })
    with plain_static:
        rows = queue_rows(ctx, client, count)
    ctx.section(
        "Support queue pages (admin changelist, in-process)",
        ["queue", "tickets", "queries", "p50 ms", "p95 ms"], rows,
        notes="An agent's changelist of 50 rows per page; the query count is the same for every queue "
              "and every table size (target: under 300 ms).",
    )

    customers = list(Customer.objects.filter(business=business).values_list("pk", "wa_id")[:2000])
    seconds = 2 if ctx.quick else 10
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE IF EXISTS bench_floor_ticket_number")
        cursor.execute("CREATE SEQUENCE bench_floor_ticket_number START WITH 1000000")

    def floor_request(i):
        body = {"business": business.pk, "customer": customers[i % len(customers)][0],
                "subject": "Order has not arrived", "message": f"Help, my order has not arrived ({i})"}
        return "POST", "/bench/floor/open-ticket/", body, {}

    def make_request(i):
        body = {"customer": customers[i % len(customers)][1], "subject": "Order has not arrived",
                "message": f"Help, my order has not arrived ({i})"}
        return "POST", "/api/v1/support/tickets/", body, {}

    floor = ctx.load("ticket floor (bare view, raw SQL)", floor_request, seconds=seconds, auth=False)
    stats = ctx.load("POST /api/v1/support/tickets/", make_request, seconds=seconds)
    probe = customers[0][1]
    queries = ctx.count_queries(lambda: ctx.client.post("/api/v1/support/tickets/", {
        "customer": probe, "subject": "Probe", "message": "Counting queries"}, format="json"))
    ctx.section(
        "Ticket creation under load",
        ["call", "rps", "p50 ms", "p95 ms", "p99 ms", "errors", "vs floor", "queries/request"],
        [
            [floor["label"], f"{floor['rps']:.0f}", f"{floor['p50_ms']:.1f}", f"{floor['p95_ms']:.1f}",
             f"{floor['p99_ms']:.1f}", floor["errors"], "1.00x", "3 + BEGIN/COMMIT"],
            [stats["label"], f"{stats['rps']:.0f}", f"{stats['p50_ms']:.1f}", f"{stats['p95_ms']:.1f}",
             f"{stats['p99_ms']:.1f}", stats["errors"], f"{stats['rps'] / floor['rps']:.2f}x" if floor["rps"] else "",
             queries],
        ],
        notes="16 concurrent clients, existing chat customers, no order reference. The floor inserts the ticket, "
              "its first message and one outbox event in one raw transaction in a bare view of the same gunicorn, "
              "measured just before. The endpoint also validates, computes the SLA due times, numbers the ticket "
              "per business and answers with the ticket (target >= 0.6x the floor).",
    )
