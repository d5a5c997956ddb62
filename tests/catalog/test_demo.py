"""seed_demo fills the demo business with a deterministic catalog, and running it again changes nothing."""
import pytest
from django.core.management import call_command

from catalog.models import Collection, Product

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_catalog_and_is_idempotent(capsys):
    call_command("seed_demo", "--products", "40")
    products = list(Product.objects.order_by("retailer_id").values_list("retailer_id", "title", "price_minor"))
    assert len(products) == 40 + 6 and products[0][0] == "DG-000001"
    assert Collection.objects.exists()
    call_command("seed_demo", "--products", "40")
    assert list(Product.objects.order_by("retailer_id").values_list("retailer_id", "title", "price_minor")) == products
    out = capsys.readouterr().out
    assert "40 unchanged" in out and "6 unchanged" in out


def test_the_demo_has_a_t_shirt_in_sizes_and_colours_large_white_sold_out(capsys):
    from catalog import selectors
    from shopchat.models import Business

    call_command("seed_demo", "--products", "5")
    business = Business.objects.get(slug="demo-grocer")
    variants = selectors.group_variants(business=business, item_group_id="DG-TEE")
    assert [(v.size, v.color) for v in variants] == [
        ("S", "Navy"), ("S", "White"), ("M", "Navy"), ("M", "White"), ("L", "Navy"), ("L", "White")]
    assert [v.retailer_id for v in variants if v.is_sold_out] == ["DG-TEE-WL"]
    assert selectors.varying_attributes(variants) == ["size", "color"]
    assert Collection.objects.get(business=business, slug="clothing").products.count() == 6
