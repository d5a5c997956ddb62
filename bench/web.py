"""Public web benchmark: server time of the shop page, a search and a product page at 50,000
products, each uncached (the page built from the database, as after a catalog change) and
cached (the business's status read, the page from the cache), plus the shop page under load
against gunicorn."""
import os
import tempfile
from urllib.parse import quote

ORDER = 70
TITLE = "Public web"
QUERIES = ["basmati", "tea", "organic ghee", "basm", "family pack", "xyzzy"]


def run(ctx):
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from catalog import demo, services
    from catalog.versions import KEY

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG is off: pages name hashed files
    rows = 2_000 if ctx.quick else 50_000
    business, _ = ctx.new_business(name="Bench web shop", wa_display_number="+91 98765 43210")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as out:
        demo.write_feed(out, rows, currency=business.currency)
        path = out.name
    try:
        with open(path, "rb") as source:
            services.import_feed(business=business, source=source, create_collections=True)
    finally:
        os.unlink(path)
    client = Client()
    from catalog.models import Product

    deep = list(Product.objects.filter(business=business, is_active=True).order_by("title", "id")
                .values_list("pk", flat=True)[min(rows - 30, 24_000):][:1])[0]
    base = f"/shop/{business.slug}/"
    pages = [
        ("shop page (first page of 24)", lambda i: base),
        ("shop page, 1,000 pages in (cursor)", lambda i: f"{base}?after={deep}"),
        ("search", lambda i: f"{base}?q={quote(QUERIES[i % len(QUERIES)])}"),
        ("product page", lambda i: f"{base}p/DG-{i * 7919 % rows + 1:06d}/"),
    ]
    repeat = 20 if ctx.quick else 100
    table = []
    for label, url in pages:
        assert client.get(url(0)).status_code == 200, url(0)
        position = iter(range(10**9))

        def uncached(url=url, position=position):
            cache.delete(KEY.format(business.pk))  # a new catalog version: the page is built again
            client.get(url(next(position)))

        cold = ctx.timeit(f"{label}, uncached", uncached, repeat=repeat)
        for i in range(len(QUERIES)):
            client.get(url(i))
        warm_position = iter(range(10**9))
        warm = ctx.timeit(f"{label}, cached", lambda url=url, p=warm_position: client.get(url(next(p) % len(QUERIES))),
                          repeat=repeat)
        cold_queries = ctx.count_queries(lambda url=url: (cache.delete(KEY.format(business.pk)), client.get(url(1))))
        warm_queries = ctx.count_queries(lambda url=url: client.get(url(1)))
        table.append([label, f"{cold['p50_ms']:.1f}", f"{cold['p95_ms']:.1f}", cold_queries,
                      f"{warm['p50_ms']:.1f}", f"{warm['p95_ms']:.1f}", warm_queries])
        print(f"   {label}: uncached p50 {cold['p50_ms']:.1f} ms, cached p50 {warm['p50_ms']:.1f} ms", flush=True)
    ctx.section(
        f"Public shop pages at {rows:,} products (in-process server time)",
        ["page", "uncached p50 ms", "uncached p95 ms", "queries", "cached p50 ms", "cached p95 ms", "queries"],
        table,
        notes="Django's test client in the bench process: the whole request through the middleware, templates "
              "included. Uncached: the catalog version is dropped before each request, so the page is built from "
              "the database. Cached: the page comes from the cache (Redis) under the catalog version; the business "
              "row is read every time (a suspended shop answers 404 at once). Target < 50 ms.",
    )
    load = ctx.load("GET /shop/<slug>/ (cached)", lambda i: ("GET", base, None, {}), auth=False,
                    seconds=2 if ctx.quick else 10)
    ctx.section("Shop page under load (gunicorn, 2 workers)", ctx.LOAD_HEADER,
                [ctx.load_row("GET /shop/<slug>/", load, queries=1, target="< 50 ms server time")],
                notes=f"Floor: {ctx.floor['rps']:.0f} req/s." if ctx.floor else "")
