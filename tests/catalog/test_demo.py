"""seed_demo fills the demo business with a deterministic catalog, and running it again changes nothing."""
import pytest
from django.core.management import call_command

from catalog.models import Collection, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_catalog_and_is_idempotent(capsys):
    call_command("seed_demo", "--products", "40")
    products = list(Product.objects.order_by("retailer_id").values_list("retailer_id", "title", "price_minor"))
    assert len(products) == 40 and products[0][0] == "DG-000001"
    assert Collection.objects.exists()
    call_command("seed_demo", "--products", "40")
    assert list(Product.objects.order_by("retailer_id").values_list("retailer_id", "title", "price_minor")) == products
    assert "40 unchanged" in capsys.readouterr().out
