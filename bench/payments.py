"""Benchmarks of payments: wallet order payments and P2P transfers at 16 concurrent customers
beside their floor, and a set-based settlement of 100,000 captured payments across 100
businesses.

The floor is a bare view in the same gunicorn (bench/floor_urls.py) doing the essential SQL of
a money movement as one raw transaction: lock the two balances in primary-key order, move
them, insert one ledger transaction with a balanced pair of entries. It moves money between the
same accounts as the operation measured beside it (customer wallet -> merchant payable for
payments, wallet -> wallet for transfers). The same SQL on raw psycopg connections without
HTTP is shown for reference."""
import time

ORDER = 40
TITLE = "Payments"
CONCURRENCY = 16


def run(ctx):
    from django.db import connection
    from rest_framework.test import APIClient

    # A business of our own, so order numbers and customers never meet another section's.
    business, key = ctx.new_business()
    ctx.payments_business, ctx.payments_auth = business, {"Authorization": f"Api-Key {key}"}
    ctx.payments_client = APIClient()
    ctx.payments_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    rows = []
    pay_stats, pay_queries, floor_pay, sql_pay = _wallet_payments(ctx)
    rows.append(_row("Order payment from the wallet (POST /orders/{n}/payments/)", pay_stats, floor_pay, sql_pay,
                     pay_queries))
    transfer_stats, transfer_queries, floor_transfer, sql_transfer = _transfers(ctx)
    rows.append(_row("P2P transfer (POST /customers/{wa_id}/wallet/transfers/)", transfer_stats, floor_transfer,
                     sql_transfer, transfer_queries))
    ctx.section(
        "Payments: money movements at 16 concurrent customers",
        ["operation", "req/s", "p50 ms", "p99 ms", "errors", "floor req/s", "x floor", "queries/request",
         "raw SQL floor req/s (no HTTP)"],
        rows,
        notes=("The floor: a bare view in the same gunicorn running `SELECT ... FOR UPDATE` of the two ledger "
               "balances in id order, two balance UPDATEs, one transaction INSERT and one INSERT of a balanced "
               "pair of entries, between the same accounts as the operation (so floor payments also all credit "
               "the one merchant-payable account), measured just before it. Target: >= 0.5x the floor. Queries "
               "per request are counted in process with the API key cached and an Idempotency-Key sent."),
    )
    businesses, payments = (10, 1_000) if ctx.quick else (100, 100_000)
    seconds, queries = _settlement(ctx, businesses, payments)
    ctx.section(
        "Payments: settlement",
        ["payments", "businesses", "seconds", "queries", "queries per business", "payments/s"],
        [[f"{payments:,}", businesses, f"{seconds:.2f}", queries, f"{queries / businesses:.1f}",
          f"{payments / seconds:,.0f}"]],
        notes=("`settle_business` per business: claim with `UPDATE ... WHERE settlement_id IS NULL` in batches of "
               "10,000, lines with one INSERT ... SELECT, totals with one aggregate, one payout posting. "
               f"Target: <= 30 s for 100,000 payments. Database: {connection.vendor}."),
    )


def _row(label, stats, floor, sql_floor, queries):
    ratio = stats["rps"] / floor["rps"] if floor["rps"] else 0
    return [label, f"{stats['rps']:.0f}", f"{stats['p50_ms']:.1f}", f"{stats['p99_ms']:.1f}", stats["errors"],
            f"{floor['rps']:.0f}", f"{ratio:.2f}x", queries, f"{sql_floor['rps']:.0f}"]


def _floor_endpoint(ctx, label, pairs, seconds):
    """The money-movement floor over HTTP (bench/floor_urls.py) between `pairs` of accounts."""
    def move(i):
        source, target = pairs[i % len(pairs)]
        return ("POST", "/bench/floor/move-money/", {"from": source, "to": target}, {})

    return ctx.load(label, move, concurrency=CONCURRENCY, seconds=seconds, auth=False)


def _funded_customers(business, count, prefix, amount_minor=10**12):
    """Customers with a wallet holding `amount_minor`, funded by one top-up posting each."""
    from django.db import transaction

    from payments import ledger
    from payments.ledger import Kind
    from shopchat.models import Customer

    customers = []
    for i in range(count):
        customer, _ = Customer.objects.get_or_create(business=business, wa_id=f"{prefix}{i:04d}")
        with transaction.atomic():
            ledger.ensure_wallet(customer)
            accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING,), customers=[customer.pk])
            ledger.post(business=business, postings=[ledger.move(
                "top_up", accounts[Kind.PROVIDER_CLEARING], accounts.wallet(customer.pk), amount_minor, "bench")])
        customers.append(customer)
    return customers


def _orders(business, customers, count, start=0, total_minor=1_000):
    from orders.models import Order

    Order.objects.bulk_create([
        Order(business=business, customer=customers[i % len(customers)], number=f"BP-{start + i}",
              sequence=start + i + 1, currency=business.currency, subtotal_minor=total_minor,
              total_minor=total_minor)
        for i in range(count)
    ], batch_size=2_000)
    return [f"BP-{start + i}" for i in range(count)]


def _floor_fn(pairs):
    """The floor's SQL (bench/floor_urls.py) on a raw psycopg connection, without HTTP."""
    import itertools

    from bench.floor_urls import move_money_sql

    counter = itertools.count()

    def fn(conn):
        source, target = pairs[next(counter) % len(pairs)]
        with conn.cursor() as cur:
            move_money_sql(cur, source=source, target=target)
        conn.commit()

    return fn


def _wallet_payments(ctx):
    from payments.ledger import Kind
    from payments.models import LedgerAccount

    business = ctx.payments_business
    customers = _funded_customers(business, CONCURRENCY, "9198100")
    seconds = 2 if ctx.quick else 10
    numbers = _orders(business, customers, 3_000 if ctx.quick else 30_000)
    probe = _orders(business, customers, 1, start=len(numbers))[0]

    def pay(i):
        return ("POST", f"/api/v1/orders/{numbers[i % len(numbers)]}/payments/", {"method": "wallet"},
                {**ctx.payments_auth, "Idempotency-Key": f"bench-pay-{i}"})

    payable, _ = LedgerAccount.objects.get_or_create(business=business, kind=Kind.MERCHANT_PAYABLE, customer=None,
                                                     currency=business.currency)
    payable = payable.pk
    wallets = list(LedgerAccount.objects.filter(customer__in=customers).values_list("pk", flat=True))
    pairs = [(w, payable) for w in wallets]
    floor = _floor_endpoint(ctx, "wallet payment floor (bare view, raw SQL)", pairs, seconds)
    stats = ctx.load("wallet payment", pay, concurrency=CONCURRENCY, seconds=seconds)
    queries = ctx.count_queries(lambda: ctx.payments_client.post(f"/api/v1/orders/{probe}/payments/",
                                                                 {"method": "wallet"}, format="json",
                                                                 HTTP_IDEMPOTENCY_KEY="bench-pay-probe"))
    sql_floor = ctx.sql_floor("wallet payment SQL floor", _floor_fn(pairs), concurrency=CONCURRENCY, seconds=seconds)
    return stats, queries, floor, sql_floor


def _transfers(ctx):
    from payments.models import LedgerAccount

    business = ctx.payments_business
    senders = _funded_customers(business, CONCURRENCY, "9198200")
    seconds = 2 if ctx.quick else 10

    def send(i):
        sender, recipient = senders[i % CONCURRENCY], senders[(i + 1) % CONCURRENCY]
        return ("POST", f"/api/v1/customers/{sender.wa_id}/wallet/transfers/",
                {"to": recipient.wa_id, "amount": "1.00"}, {**ctx.payments_auth, "Idempotency-Key": f"bench-p2p-{i}"})

    ids = {c: a for c, a in LedgerAccount.objects.filter(customer__in=senders).values_list("customer_id", "pk")}
    pairs = [(ids[senders[i].pk], ids[senders[(i + 1) % CONCURRENCY].pk]) for i in range(CONCURRENCY)]
    floor = _floor_endpoint(ctx, "p2p transfer floor (bare view, raw SQL)", pairs, seconds)
    stats = ctx.load("p2p transfer", send, concurrency=CONCURRENCY, seconds=seconds)
    queries = ctx.count_queries(lambda: ctx.payments_client.post(
        f"/api/v1/customers/{senders[0].wa_id}/wallet/transfers/", {"to": senders[1].wa_id, "amount": "1.00"},
        format="json", HTTP_IDEMPOTENCY_KEY="bench-p2p-probe"))
    sql_floor = ctx.sql_floor("p2p transfer SQL floor", _floor_fn(pairs), concurrency=CONCURRENCY, seconds=seconds)
    return stats, queries, floor, sql_floor


def _settlement(ctx, businesses, payments):
    """Seed `payments` captured card payments across `businesses` (bulk rows and one balanced
    capture posting per business), then time and count settling them all."""
    from django.db import transaction
    from django.utils import timezone

    from payments import ledger, services
    from payments.ledger import Kind
    from payments.models import Payment
    from shopchat.models import Customer

    per_business = payments // businesses
    shops = []
    for n in range(businesses):
        business, _ = ctx.new_business(payout_account=f"benchshop{n}@okaxis")
        customer = Customer.objects.create(business=business, wa_id=f"91983{n:07d}")
        numbers = _orders(business, [customer], per_business, total_minor=10_000)
        from orders.models import Order

        order_ids = list(Order.objects.filter(business=business, number__in=numbers).values_list("pk", flat=True))
        commission = services.commission_for(business, 10_000)
        now = timezone.now()
        Payment.objects.bulk_create([
            Payment(business=business, order_id=oid, customer=customer, method="card", amount_minor=10_000,
                    currency=business.currency, status="captured", provider="sandbox",
                    provider_reference=f"ch_bench_{business.pk}_{oid}", commission_minor=commission, captured_at=now)
            for oid in order_ids
        ], batch_size=5_000)
        Order.objects.filter(pk__in=order_ids).update(status="paid", paid_at=now)
        with transaction.atomic():
            accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING, Kind.MERCHANT_PAYABLE,
                                                             Kind.PLATFORM_REVENUE))
            ledger.post(business=business, postings=[
                ledger.move("payment", accounts[Kind.PROVIDER_CLEARING], accounts[Kind.MERCHANT_PAYABLE],
                            10_000 * len(order_ids), "bench"),
                ledger.move("commission", accounts[Kind.MERCHANT_PAYABLE], accounts[Kind.PLATFORM_REVENUE],
                            commission * len(order_ids), "bench"),
            ])
        shops.append(business)
    started = time.perf_counter()
    queries = ctx.count_queries(lambda: [services.settle_business(business=b) for b in shops])
    return time.perf_counter() - started, queries
