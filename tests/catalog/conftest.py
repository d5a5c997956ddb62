"""Catalog test helpers: feeds written in the test, products saved the way the services save them."""
import io

import pytest

from catalog import feeds, services

HEADER = feeds.COLUMNS


def feed_row(n, **overrides):
    row = {
        "id": f"SKU-{n:04d}", "title": f"Product {n}", "description": f"Description {n}",
        "availability": "in stock", "condition": "new", "price": "12.50 INR", "sale_price": "",
        "link": f"https://shop.example/p/{n}", "image_link": f"https://cdn.shop.example/{n}.jpg",
        "brand": "Acme", "product_type": "Staples", "inventory": "20",
    }
    row.update(overrides)
    return row


def make_feed(rows, delimiter=",", header=HEADER) -> io.BytesIO:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


@pytest.fixture
def import_rows(business):
    """import_rows([row, ...], **options) -> ImportResult, into `business`."""

    def run(rows, business=business, delimiter=",", **options):
        return services.import_feed(business=business, source=make_feed(rows, delimiter), **options)

    return run


@pytest.fixture
def put(business):
    """put("SKU-1", title=..., price="12.50", ...) -> Product, through the catalog service."""

    def run(retailer_id, business=business, is_active=True, **data):
        data.setdefault("title", retailer_id)
        data.setdefault("price", "10.00")
        values, _, errors = feeds.clean_json_product(data, currency=business.currency)
        assert not errors, errors
        product, _ = services.put_product(business=business, retailer_id=retailer_id, values=values,
                                          is_active=is_active)
        return product

    return run


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded feeds go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
