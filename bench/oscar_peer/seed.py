"""Seed the oscar peer: migrate, then 50,000 public standalone products with a stock record each
(price, ample stock), one shipping country and a site at the bench's address.

    OSCAR_DATABASE_URL=... python -m bench.oscar_peer.seed <products> <host:port>
"""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.oscar_peer.settings")
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.sites.models import Site
    from django.core.management import call_command
    from oscar.core.loading import get_model

    products, host = int(sys.argv[1]), sys.argv[2]
    call_command("migrate", verbosity=0)
    Site.objects.update_or_create(pk=1, defaults={"domain": host, "name": "bench"})
    country = get_model("address", "Country")
    country.objects.update_or_create(iso_3166_1_a2="IN", defaults={
        "iso_3166_1_a3": "IND", "iso_3166_1_numeric": "356", "printable_name": "India", "name": "India",
        "is_shipping_country": True})
    product_class, _ = get_model("catalogue", "ProductClass").objects.get_or_create(
        name="Groceries", defaults={"requires_shipping": True, "track_stock": True})
    partner, _ = get_model("partner", "Partner").objects.get_or_create(name="Bench partner")
    product_model = get_model("catalogue", "Product")
    stock_model = get_model("partner", "StockRecord")
    have = product_model.objects.count()
    batch = 2000
    for start in range(have, products, batch):
        made = product_model.objects.bulk_create([
            product_model(structure="standalone", title=f"Bench product {n}", slug=f"bench-product-{n}",
                          upc=f"BENCH-{n}", product_class=product_class, is_public=True)
            for n in range(start, min(start + batch, products))
        ])
        stock_model.objects.bulk_create([
            stock_model(product=p, partner=partner, partner_sku=p.upc, price=Decimal("100.00") + p.pk % 100,
                        price_currency="INR", num_in_stock=10**9)
            for p in made
        ])
    ids = product_model.objects.order_by("pk").values_list("pk", flat=True)
    print(ids.first(), ids.last(), flush=True)


if __name__ == "__main__":
    main()
