"""seed_demo's orders: one in every state, made through the services, once."""
import io

import pytest

from catalog.models import Product
from orders import demo
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_places_an_order_per_story_and_runs_once(business):
    demo.seed(business=business, products=10, stdout=io.StringIO())
    assert Order.objects.filter(business=business).count() == len(demo.DEMO_ORDERS)
    assert {"pending_payment", "cancelled", "expired"} <= set(Order.objects.values_list("status", flat=True))
    count = Order.objects.count()
    demo.seed(business=business, products=10, stdout=io.StringIO())
    assert Order.objects.count() == count


def test_demo_uses_the_catalog_products_when_there_are_some(business):
    Product.objects.create(business=business, retailer_id="CAT-1", title="Catalog thing", price_minor=1000)
    Product.objects.create(business=business, retailer_id="CAT-2", title="Other", price_minor=2000, stock_quantity=50)
    Product.objects.create(business=business, retailer_id="CAT-3", title="Third", price_minor=3000)
    demo.seed(business=business)
    assert not Product.objects.filter(retailer_id__startswith="DEMO-").exists()
    assert set(Order.objects.values_list("lines__retailer_id", flat=True)) <= {"CAT-1", "CAT-2", "CAT-3"}


def test_seed_demo_command_includes_orders(db):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", products=5, stdout=out)
    assert "orders:" in out.getvalue()
    assert Order.objects.filter(business__slug="demo-grocer").count() == len(demo.DEMO_ORDERS)
