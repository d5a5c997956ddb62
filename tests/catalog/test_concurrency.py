"""An import racing an order's stock reservation (real threads, PostgreSQL): the import waits
for the order's row lock and then rejects the row, instead of breaking the stock CHECK."""
import threading

import pytest
from django.db import connection, transaction
from django.db.models import F

from catalog import services
from catalog.models import Product
from tests.catalog.conftest import feed_row, make_feed
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, ProductFactory


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_import_waits_for_a_reservation_and_rejects_inventory_below_it():
    business = BusinessFactory()
    product = ProductFactory(business=business, retailer_id="SKU-0001", stock_quantity=10, reserved_quantity=0)
    locked, release = threading.Event(), threading.Event()

    def place_order():
        try:
            with transaction.atomic():
                Product.objects.select_for_update().get(pk=product.pk)
                Product.objects.filter(pk=product.pk).update(reserved_quantity=F("reserved_quantity") + 5)
                locked.set()
                release.wait(5)
        finally:
            connection.close()

    order = threading.Thread(target=place_order)
    order.start()
    assert locked.wait(5)
    outcome = {}

    def run_import():
        try:
            outcome["result"] = services.import_feed(business=business, source=make_feed([feed_row(1, inventory="3")]))
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    importer.join(0.3)
    assert importer.is_alive()  # waiting for the order's row lock
    release.set()
    order.join(5)
    importer.join(5)
    result = outcome["result"]
    assert [(e.row, e.column) for e in result.errors] == [(1, "inventory")]
    product.refresh_from_db()
    assert (product.stock_quantity, product.reserved_quantity) == (10, 5)
