"""Catalog benchmark: a 50,000-row feed import beside a PostgreSQL COPY floor, the unchanged
re-import, the import's peak memory, search latency over 200 mixed queries, and the product
list / detail endpoints under load beside the foundation floor."""
import os
import tempfile
import time
from urllib.parse import quote

ORDER = 20
TITLE = "Catalog"

SEARCH_WORDS = ["rice", "basmati 5 kg", "tea", "toor dal", "organic ghee", "dark chocolate", "shampoo",
                "mineral water", "family pack", "premium rice 10 kg"]
SEARCH_PREFIXES = ["basm", "chai", "org", "cook", "deter", "pan", "mang", "sun", "whol", "lem"]
SEARCH_BRANDS = ["Kisan Gold", "Nilgiri", "Annapurna", "Desi Dairy", "Spice Route", "Green Basket",
                 "Royal Harvest", "Sparkle", "Crunchy", "Pure Leaf"]
SEARCH_MISSES = ["zucchini", "xyzzy", "iphone", "kombucha", "sashimi", "quux 7", "tofu burger", "laptop",
                 "ramen", "gin"]


def search_queries(count=200):
    pools = [SEARCH_WORDS, SEARCH_PREFIXES, SEARCH_BRANDS, SEARCH_MISSES]
    return [pools[i % 4][(i // 4) % 10] for i in range(count)]


def _import_in_child(business_id, path, queue):
    """Run one import in a forked process and report its time and the process's peak RSS."""
    import resource

    from django.db import connections

    from catalog import services
    from shopchat.models import Business

    try:
        with open("/proc/self/statm") as statm:  # RSS when the import starts (Linux)
            start_mb = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        start_mb = 0.0
    try:
        business = Business.objects.get(pk=business_id)
        started = time.perf_counter()
        with open(path, "rb") as source:
            result = services.import_feed(business=business, source=source)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put((seconds, peak_mb, peak_mb - start_mb, result.summary()))
    except Exception as exc:  # reported to the parent, which raises
        queue.put(exc)
    finally:
        connections.close_all()


def timed_import(business, path):
    import multiprocessing

    from django.db import connections

    connections.close_all()  # the child opens its own connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_import_in_child, args=(business.pk, path, queue))
    child.start()
    outcome = queue.get()
    child.join()
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def copy_floor(path):
    """Seconds for PostgreSQL to COPY the same file into a bare table (text columns, no index)."""
    from django.db import connection, transaction

    from catalog.feeds import COLUMNS

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_feed_floor (" + ", ".join(f"{c} text" for c in COLUMNS)
                       + ") ON COMMIT DROP")
        started = time.perf_counter()
        with open(path, "rb") as source, cursor.cursor.copy(
                "COPY bench_feed_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        return time.perf_counter() - started


def run(ctx):
    from catalog import demo
    from catalog.selectors import search_products

    rows = 2_000 if ctx.quick else 50_000
    seconds = 2 if ctx.quick else 10
    business = ctx.business
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as out:
        demo.write_feed(out, rows, currency=business.currency)
        path = out.name
    try:
        floor_s = copy_floor(path)
        first_s, first_mb, first_growth, first_summary = timed_import(business, path)
        again_s, again_mb, again_growth, again_summary = timed_import(business, path)
    finally:
        os.unlink(path)
    ctx.section(
        f"Feed import ({rows:,} rows, PostgreSQL)",
        ["what", "seconds", "rows/s", "x COPY floor", "peak RSS (MB)", "RSS growth (MB)", "result"],
        [
            ["COPY into a bare table (floor)", f"{floor_s:.2f}", f"{rows / floor_s:,.0f}", "1.0", "-", "-", "-"],
            ["first import", f"{first_s:.2f}", f"{rows / first_s:,.0f}", f"{first_s / floor_s:.1f}",
             f"{first_mb:.0f}", f"{first_growth:.0f}", first_summary],
            ["re-import, unchanged", f"{again_s:.2f}", f"{rows / again_s:,.0f}", f"{again_s / floor_s:.1f}",
             f"{again_mb:.0f}", f"{again_growth:.0f}", again_summary],
        ],
        notes="Each import runs in a forked process: peak RSS is that process's high-water mark (it includes "
              "what the bench process held before), growth is what the import added. "
              "Targets: first import <= 10 s, re-import faster, peak RSS < 300 MB "
              "(the file is streamed; rows are validated one by one and written 2,000 at a time through "
              "COPY into a temporary table and one INSERT ... ON CONFLICT).",
    )

    queries = search_queries()
    position = iter(range(10**9))

    def one_search():
        query = queries[next(position) % len(queries)]
        return list(search_products(business=business, query=query)[:20])

    for q in queries[:20]:  # warm the cache the way a running server has it
        list(search_products(business=business, query=q)[:20])
    stats = ctx.timeit("search_products, 200 mixed queries", one_search, repeat=len(queries))
    ctx.section(
        f"Search over {rows:,} products (in-process)",
        ["queries", "p50 ms", "p95 ms", "p99 ms"],
        [[len(queries), f"{stats['p50_ms']:.1f}", f"{stats['p95_ms']:.1f}", f"{stats['p99_ms']:.1f}"]],
        notes="Words, prefixes (basm -> basmati), brand names and no-hit queries, first page of 20 each. "
              "Target p95 <= 20 ms.",
    )

    list_url = "/api/v1/catalog/products/?page_size=20"
    detail = lambda i: ("GET", f"/api/v1/catalog/products/DG-{i % rows + 1:06d}/", None, {})  # noqa: E731
    searches = lambda i: ("GET", f"/api/v1/catalog/products/?q={quote(queries[i % 40])}", None, {})  # noqa: E731
    loads = [
        ctx.load("GET /catalog/products/ (page of 20)", lambda i: ("GET", list_url, None, {}), seconds=seconds),
        ctx.load("GET /catalog/products/{retailer_id}/", detail, seconds=seconds),
        ctx.load("GET /catalog/products/?q=...", searches, seconds=seconds),
    ]
    query_counts = [
        ctx.count_queries(lambda: ctx.client.get(list_url)),
        ctx.count_queries(lambda: ctx.client.get("/api/v1/catalog/products/DG-000001/")),
        ctx.count_queries(lambda: ctx.client.get("/api/v1/catalog/products/?q=basm")),
    ]
    ctx.section(
        "Catalog API under load (gunicorn, 2 workers, PostgreSQL)",
        ["endpoint", "req/s", "x floor", "p50 ms", "p95 ms", "errors", "SQL queries"],
        [[s["label"], f"{s['rps']:.0f}", f"{ctx.ratio(s):.2f}", f"{s['p50_ms']:.1f}", f"{s['p95_ms']:.1f}",
          s["errors"], n]
         for s, n in zip(loads, query_counts, strict=True)],
        notes=f"Floor: {ctx.floor['rps']:.0f} req/s. Target >= 0.6x floor for list and detail.",
    )
