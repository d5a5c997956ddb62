"""Gateway flow bench (issue #21): what a chat gateway (a WhatsApp BSP) costs per customer.

Every flow is a new chat customer and 5 requests one after the other: the product list page,
one product's sheet, the customer upsert, one item into the cart, the order placed from the
cart. 16 clients, over a catalog of 50,000 products, measured side by side in one run:

- shopchat, through the real API with an API key;
- its floor: bare views in the same gunicorn doing the least SQL for the same 5 steps
  (bench/floor_urls.py, `gateway_*_floor`: one SELECT, one SELECT, one upsert, one statement
  for the cart, BEGIN + a locking SELECT + one write statement + COMMIT for the order);
- django-oscar + django-oscar-api as a peer (bench/oscar_peer: its own Django, virtualenv
  var/bench-oscar-venv set up by `make bench`, database <bench database>_oscar), doing its own
  list / detail / basket add / anonymous checkout (4 requests: it has no customer step) on
  50,000 products, one new anonymous session per flow.

Each is served twice: by gunicorn with 2 sync workers, and by the `make run` pool (2 gthread
workers x 4 threads, gunicorn.conf.py). CPU per request is the serving thread's CPU time in the
Django process (bench/cpu.py's Server-Timing header), averaged per step. SQL per step is counted
in process on the same database: every statement Django sends (SAVEPOINTs included), plus
BEGIN, COMMIT and ROLLBACK, and beside them the foreign-key checks PostgreSQL runs for those
statements (counted from auto_explain's nested statements, `SELECT 1 ... FOR KEY SHARE`).
"""
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ORDER = 15
TITLE = "Gateway flow"

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = 50_000
CONCURRENCY = 16
STEPS = ["list", "detail", "customer", "cart", "order"]
OSCAR_STEPS = ["list", "detail", "basket", "checkout"]
OSCAR_VENV = ROOT / "var" / "bench-oscar-venv"


# --- load: flows of steps, per-step latency and CPU, cookies per flow ------------------------
def _cpu_ms(response) -> float | None:
    timing = response.headers.get("server-timing", "")
    if timing.startswith("cpu;dur="):
        return float(timing.split("=", 1)[1])
    return None


async def _run_flows(base_url, make_flow, steps, seconds, concurrency, headers):
    import httpx

    flow_latencies, errors, first_errors = [], 0, []
    step_latency: dict[str, list[float]] = {s: [] for s in steps}
    step_cpu: dict[str, list[float]] = {s: [] for s in steps}
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        client.cookies.extract_cookies = lambda response: None  # each flow keeps its own cookies
        deadline = time.monotonic() + seconds

        async def worker():
            nonlocal errors
            while time.monotonic() < deadline:
                flow = make_flow(next(counter))
                cookies: dict[str, str] = {}
                started = time.perf_counter()
                ok = True
                for step, (method, path, body) in zip(steps, flow, strict=True):
                    sent = dict(headers)
                    if cookies:
                        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
                    if callable(body):
                        body = body()
                    t0 = time.perf_counter()
                    try:
                        response = await client.request(method, path, json=body, headers=sent)
                    except httpx.HTTPError as exc:
                        ok = False
                        if len(first_errors) < 3:
                            first_errors.append(f"{step}: {exc!r}")
                        break
                    step_latency[step].append(time.perf_counter() - t0)
                    cpu = _cpu_ms(response)
                    if cpu is not None:
                        step_cpu[step].append(cpu)
                    cookies.update(response.cookies)
                    if not 200 <= response.status_code < 300:
                        ok = False
                        if len(first_errors) < 3:
                            first_errors.append(f"{step}: {response.status_code} {response.text[:200]}")
                        break
                    if hasattr(flow, "send_result"):
                        flow.send_result(step, response)  # a later step's body needs this answer
                flow_latencies.append(time.perf_counter() - started)
                if not ok:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    from bench.harness import summarize

    stats = summarize("flows", flow_latencies, errors, elapsed)
    stats["first_errors"] = first_errors
    stats["steps"] = {
        s: {"p50_ms": statistics.median(step_latency[s]) * 1000 if step_latency[s] else 0.0,
            "cpu_ms": statistics.fmean(step_cpu[s]) if step_cpu[s] else 0.0}
        for s in steps
    }
    return stats


def measure(label, base_url, make_flow, steps, seconds, headers=None):
    stats = asyncio.run(_run_flows(base_url, make_flow, steps, seconds, CONCURRENCY, headers or {}))
    cpu = " ".join(f"{s} {v['cpu_ms']:.1f}" for s, v in stats["steps"].items())
    print(f"   {label}: {stats['rps']:.1f} flows/s p50 {stats['p50_ms']:.1f} ms errors {stats['errors']} "
          f"cpu ms/step: {cpu}", flush=True)
    if stats["first_errors"]:
        print(f"   {label}: first errors: {stats['first_errors']}", flush=True)
    return stats


# --- servers -----------------------------------------------------------------------------------
def start_server(*, python_bin: Path, app: str, threads: int, env: dict, log_name: str, probe: str):
    import httpx

    from bench.run import free_port

    port = free_port()
    log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115 - gunicorn writes to it while it runs
    proc = subprocess.Popen(
        [str(python_bin.parent / "gunicorn"), app, "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env={**env, "WEB_WORKERS": "2", "WEB_THREADS": str(threads)}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code < 500:
                return proc, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"gunicorn ({app}) did not start; see var/{log_name}")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- shopchat and its floor ----------------------------------------------------------------------
def _catalog(business, prefix):
    """PRODUCTS tracked products in one INSERT ... SELECT (the ORM's bulk_create takes minutes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product (business_id, retailer_id, title, description, price_minor, availability, "
            "condition, brand, link, image_link, product_type, stock_quantity, reserved_quantity, is_active, "
            "created_at, updated_at, feed_hash, item_group_id, size, color, material, pattern, gender) "
            "SELECT %s, %s || '-' || n, 'Product ' || lpad(n::text, 5, '0'), '', 10000 + n %% 1000, 'in stock', "
            "'new', '', '', '', '', 1000000000, 0, true, now(), now(), '', '', '', '', '', '', '' "
            "FROM generate_series(0, %s - 1) AS n",
            [business.pk, prefix, PRODUCTS],
        )


def shopchat_flow(tag):
    def make(i):
        rng = random.Random(i)
        wa_id = f"91{tag}{i:09d}"
        sku = f"GW-{rng.randrange(PRODUCTS)}"
        return [
            ("GET", "/api/v1/catalog/products/", None),
            ("GET", f"/api/v1/catalog/products/{sku}/", None),
            ("PUT", f"/api/v1/customers/{wa_id}/", {"name": "Asha", "locale": "en_IN"}),
            ("PUT", f"/api/v1/customers/{wa_id}/cart/items/{sku}/", {"quantity": 1}),
            ("POST", "/api/v1/orders/", {"customer": wa_id, "from_cart": True}),
        ]
    return make


def floor_flow(business_id, tag):
    def make(i):
        rng = random.Random(i)
        wa_id = f"91{tag}{i:09d}"
        sku = f"GF-{rng.randrange(PRODUCTS)}"
        base = f"/bench/floor/gateway/{business_id}"
        return [
            ("GET", f"{base}/products/", None),
            ("GET", f"{base}/products/{sku}/", None),
            ("PUT", f"{base}/customers/{wa_id}/", {"name": "Asha", "locale": "en_IN"}),
            ("PUT", f"{base}/customers/{wa_id}/cart/items/{sku}/", {"quantity": 1}),
            ("POST", f"{base}/orders/", {"customer": wa_id}),
        ]
    return make


# --- SQL per step, counted in process ------------------------------------------------------------
class StatementCounter:
    """Counts what Django sends on the default connection: statements (SAVEPOINTs included) and
    BEGIN / COMMIT / ROLLBACK; and, through auto_explain's nested statements (PostgreSQL), the
    foreign-key checks those statements make the server run."""

    def __init__(self):
        self.statements: list[str] = []
        self.fk_checks = 0

    def __enter__(self):
        from django.db import connection

        self.connection = connection
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            cursor.execute("SET auto_explain.log_min_duration = 0")
            cursor.execute("SET auto_explain.log_nested_statements = on")
            cursor.execute("SET auto_explain.log_level = 'notice'")
            cursor.execute("SET client_min_messages = 'notice'")
        self._handler = self._notice
        connection.connection.add_notice_handler(self._handler)
        self._originals = (connection._commit, connection._rollback, connection._set_autocommit)

        def commit():
            self.statements.append("COMMIT")
            return self._originals[0]()

        def rollback():
            self.statements.append("ROLLBACK")
            return self._originals[1]()

        def set_autocommit(autocommit):
            if not autocommit:
                self.statements.append("BEGIN")
            return self._originals[2](autocommit)

        connection._commit, connection._rollback, connection._set_autocommit = commit, rollback, set_autocommit
        self._wrapper = connection.execute_wrapper(self._execute)
        self._wrapper.__enter__()
        return self

    def _execute(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)

    def _notice(self, diagnostic):
        if "FOR KEY SHARE OF" in (diagnostic.message_primary or ""):
            self.fk_checks += 1

    def reset(self):
        self.statements, self.fk_checks = [], 0

    def __exit__(self, *exc):
        connection = self.connection
        self._wrapper.__exit__(*exc)
        connection._commit, connection._rollback, connection._set_autocommit = self._originals
        connection.connection.remove_notice_handler(self._handler)
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")


def count_steps(client, flow):
    """[(statements, of which transaction control, fk checks)] for each step of one flow."""
    counts = []
    with StatementCounter() as counter:
        for method, path, body in flow:
            counter.reset()
            response = client.generic(method, path, data=b"" if body is None else json.dumps(body),
                                      content_type="application/json")
            assert 200 <= response.status_code < 300, (path, response.status_code, response.content[:300])
            control = sum(1 for s in counter.statements
                          if s.split(None, 1)[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
            counts.append((len(counter.statements), control, counter.fk_checks, list(counter.statements)))
    return counts


# --- the oscar peer ------------------------------------------------------------------------------
def oscar_database_url(dsn):
    base, _, name = dsn.rpartition("/")
    return f"{base}/{name.split('?')[0]}_oscar"


def oscar_setup(dsn):
    """Create (once) and seed the peer's database; answers its environment and the product ids."""
    import psycopg

    url = oscar_database_url(dsn)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update({"OSCAR_DATABASE_URL": url, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE":
                "bench.oscar_peer.settings"})
    started = time.monotonic()
    out = subprocess.run([str(OSCAR_VENV / "bin" / "python"), "-m", "bench.oscar_peer.seed", str(PRODUCTS),
                          "127.0.0.1"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    low, high = (int(x) for x in out.stdout.split()[-2:])
    print(f"   oscar peer seeded ({high - low + 1} product ids) in {time.monotonic() - started:.0f} s", flush=True)
    return env, low, high


def oscar_flow(base_url, low, high):
    address = {"country": f"{base_url}/api/countries/IN/", "first_name": "Asha", "last_name": "K",
               "line1": "1 MG Road", "line4": "Mumbai", "postcode": "400001", "phone_number": "+91 98200 00000"}

    class Flow(list):
        basket = None

        def send_result(self, step, response):
            if step == "basket":
                self.basket = response.json()["url"]

    def make(i):
        pk = random.Random(i).randint(low, high)
        flow = Flow()
        flow.extend([
            ("GET", "/api/products/", None),
            ("GET", f"/api/products/{pk}/", None),
            ("POST", "/api/basket/add-product/", {"url": f"{base_url}/api/products/{pk}/", "quantity": 1}),
            ("POST", "/api/checkout/", lambda: {"basket": flow.basket, "guest_email": "guest@example.com",
                                               "shipping_address": address}),
        ])
        return flow
    return make


# --- run -----------------------------------------------------------------------------------------
def run(ctx):
    from django.db import connection
    from django.test import Client

    seconds = 2 if ctx.quick else 10
    business, api_key = ctx.new_business(name="Gateway shop", order_prefix="GW")
    floor_business, _ = ctx.new_business(name="Gateway floor", order_prefix="GF")
    started = time.monotonic()
    _catalog(business, "GW")
    _catalog(floor_business, "GF")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")  # as a feed import does: the planner knows the 100,000 rows
        cursor.execute("DROP SEQUENCE IF EXISTS bench_floor_gateway_number")
        cursor.execute("CREATE SEQUENCE bench_floor_gateway_number START WITH 1")
    print(f"   2 x {PRODUCTS} products in {time.monotonic() - started:.0f} s", flush=True)
    auth = {"Authorization": f"Api-Key {api_key}"}

    # SQL per step, in process: a warm-up flow (key lookup cached, numbering set up), then one counted.
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    count_steps(client, shopchat_flow(8)(0))
    shop_counts = count_steps(client, shopchat_flow(8)(1))
    count_steps(client, floor_flow(floor_business.pk, 8)(0))
    floor_counts = count_steps(client, floor_flow(floor_business.pk, 8)(1))
    for step, (n, control, fk, statements) in zip(STEPS, shop_counts, strict=True):
        print(f"   SQL {step}: {n} ({control} transaction control), {fk} FK checks", flush=True)
        if os.environ.get("BENCH_SHOW_SQL"):
            for s in statements:
                print(f"      {s[:160]}")

    oscar = None
    oscar_note = ""
    if (OSCAR_VENV / "bin" / "python").exists():
        try:
            oscar = oscar_setup(ctx.dsn)
        except subprocess.CalledProcessError as exc:
            oscar_note = f"the oscar peer's set-up failed: {exc.stderr.strip().splitlines()[-1:]}"
    else:
        oscar_note = f"the oscar peer is not set up ({OSCAR_VENV} missing: `make bench` creates it)"
    if oscar_note:
        print(f"   {oscar_note}", flush=True)

    results = {}
    for pool, threads in (("2 sync workers", 1), ("`make run` pool: 2 workers x 4 threads", 4)):
        tag = 1 if threads == 1 else 2
        if threads == 1:
            server, base_url = start_server(python_bin=Path(sys.executable), app="shopchat.wsgi", threads=1,
                                            env=dict(os.environ), log_name="bench-gateway-sync.log",
                                            probe="/bench/floor/")
        else:
            server, base_url = None, ctx.base_url
        try:
            shop = measure(f"shopchat, {pool}", base_url, shopchat_flow(tag), STEPS, seconds, auth)
            floor = measure(f"floor, {pool}", base_url, floor_flow(floor_business.pk, tag), STEPS, seconds)
        finally:
            if server:
                stop(server)
        peer = None
        if oscar:
            env, low, high = oscar
            proc, oscar_url = start_server(python_bin=OSCAR_VENV / "bin" / "python", app="bench.oscar_peer.wsgi",
                                           threads=threads, env=env, log_name="bench-gateway-oscar.log",
                                           probe="/api/")
            try:
                peer = measure(f"oscar-api, {pool}", oscar_url, oscar_flow(oscar_url, low, high), OSCAR_STEPS,
                               seconds)
            finally:
                stop(proc)
        results[pool] = (shop, floor, peer)

    _report(ctx, results, shop_counts, floor_counts, oscar_note)
    return results


def _report(ctx, results, shop_counts, floor_counts, oscar_note):
    rows = []
    for pool, (shop, floor, peer) in results.items():
        def ratio(a, b):
            return f"{a['rps'] / b['rps']:.2f}x" if b and b["rps"] else "-"

        def cpu(stats, steps):
            return " / ".join(f"{stats['steps'][s]['cpu_ms']:.1f}" for s in steps)

        rows.append([pool, "shopchat", f"{shop['rps']:.1f}", ratio(shop, floor), ratio(shop, peer),
                     f"{shop['p50_ms']:.0f}", f"{shop['p99_ms']:.0f}", shop["errors"], cpu(shop, STEPS)])
        rows.append([pool, "floor (bare views, least SQL)", f"{floor['rps']:.1f}", "1.00x", ratio(floor, peer),
                     f"{floor['p50_ms']:.0f}", f"{floor['p99_ms']:.0f}", floor["errors"], cpu(floor, STEPS)])
        if peer:
            rows.append([pool, "django-oscar 4.2 + oscar-api 3.3 (4 steps)", f"{peer['rps']:.1f}",
                         ratio(peer, floor), "1.00x", f"{peer['p50_ms']:.0f}", f"{peer['p99_ms']:.0f}",
                         peer["errors"], cpu(peer, OSCAR_STEPS)])
    gaps = []
    for pool, (shop, floor, peer) in results.items():
        if peer and peer["rps"] and floor["rps"]:
            shop_cpu = sum(shop["steps"][s]["cpu_ms"] for s in STEPS)
            floor_cpu = sum(floor["steps"][s]["cpu_ms"] for s in STEPS)
            reach = ("is above what the least SQL through Django and DRF reaches here"
                     if floor["rps"] < 5 * peer["rps"] else "is within reach")
            gaps.append(f"{pool}: the floor itself is {floor['rps'] / peer['rps']:.1f}x oscar-api, so 5x oscar-api "
                        f"{reach}"
                        f"; shopchat spends {shop_cpu:.1f} ms of CPU per flow in Django against the floor's "
                        f"{floor_cpu:.1f} ms (authentication by API key, tenancy, validation, the idempotent order "
                        f"placement with its stock locks and outbox event)")
    gap_note = (" Where the gap to a target remains: " + "; ".join(gaps) + ".") if gaps else ""
    ctx.section(
        f"{TITLE}: 5 requests per flow, a new customer each, 16 clients, {PRODUCTS:,} products",
        ["server", "who", "flows/s", "vs floor", "vs oscar-api", "flow p50 ms", "flow p99 ms", "errors",
         "CPU ms per request: list / detail / customer / cart / order (oscar: list / detail / basket / checkout)"],
        rows,
        notes=("Targets: >= 0.6x the floor and >= 5x oscar-api in flows/s. CPU: the serving thread's CPU time "
               "inside Django per request (Server-Timing), mean per step. The floor runs in the same gunicorn as "
               "shopchat; oscar-api runs in its own gunicorn with the same worker configuration, on its own "
               "database, with one anonymous session per flow. " + oscar_note + gap_note),
    )
    sql_rows = []
    targets = {"list": 1, "detail": 1, "customer": 2, "cart": 3, "order": 8}
    for step, shop, floor in zip(STEPS, shop_counts, floor_counts, strict=True):
        sql_rows.append([step, shop[0], shop[1], shop[2], floor[0], floor[1], floor[2], f"<= {targets[step]}"])
    ctx.section(
        f"{TITLE}: SQL per step",
        ["step", "shopchat statements", "of which BEGIN/COMMIT/SAVEPOINT", "FK checks", "floor statements",
         "floor BEGIN/COMMIT", "floor FK checks", "target (shopchat)"],
        sql_rows,
        notes=("Counted in process on PostgreSQL for one new customer's flow after a warm-up flow (API key "
               "cached): every statement Django sends, SAVEPOINT/RELEASE and BEGIN/COMMIT included; FK checks "
               "are the `SELECT 1 ... FOR KEY SHARE` statements PostgreSQL runs for the foreign keys of the "
               "rows written (deferred to COMMIT), counted with auto_explain's nested statements."),
    )
