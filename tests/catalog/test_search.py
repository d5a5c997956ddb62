"""search_products: the same results on SQLite and PostgreSQL for simple queries; prefixes
match; title hits rank above brand hits above description hits; only active products of
the business are found. (This module runs on both databases; the last tests only on PostgreSQL.)"""
import pytest

from catalog.models import Product
from catalog.selectors import search_products
from tests.conftest import requires_postgres
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(business):
    make = lambda rid, title, brand="", description="", **kw: ProductFactory(  # noqa: E731
        business=business, retailer_id=rid, title=title, brand=brand, description=description, **kw)
    return {
        "basmati5": make("R1", "Royal Basmati Rice 5 kg", "Kisan", "Long grain rice from the hills"),
        "basmati1": make("R2", "Basmati Rice 1 kg", "Annapurna", "Aged rice"),
        "brown": make("R3", "Brown Rice 1 kg", "Basmati House", "Whole grain"),
        "pulao": make("R4", "Pulao Mix", "Annapurna", "Ready mix made with basmati"),
        "tea": make("T1", "Assam Tea 250 g", "Chai Point", "Strong black tea"),
        "hidden": make("R5", "Basmati Rice Old Stock", "Kisan", "", is_active=False),
    }


def ids(qs):
    return [p.retailer_id for p in qs]


def test_a_word_prefix_finds_the_product(business, shelf):
    assert set(ids(search_products(business=business, query="basm"))) == {"R1", "R2", "R3", "R4"}


def test_title_hit_outranks_brand_hit_outranks_description_hit(business, shelf):
    found = ids(search_products(business=business, query="basmati"))
    assert found.index("R1") < found.index("R3") < found.index("R4")
    assert found.index("R2") < found.index("R3")


def test_every_word_must_match(business, shelf):
    assert ids(search_products(business=business, query="basmati 5 kg")) == ["R1"]
    assert ids(search_products(business=business, query="rice annapurna")) == ["R2"]


def test_search_is_case_insensitive_and_ignores_punctuation(business, shelf):
    assert ids(search_products(business=business, query="  ASSAM-tea!! ")) == ["T1"]


def test_brand_names_are_searchable(business, shelf):
    assert ids(search_products(business=business, query="chai point")) == ["T1"]


def test_no_hit_and_empty_queries_find_nothing(business, shelf):
    assert ids(search_products(business=business, query="zucchini")) == []
    assert ids(search_products(business=business, query="   ")) == []
    assert ids(search_products(business=business, query="%_'\\")) == []


def test_inactive_products_are_not_found(business, shelf):
    assert "R5" not in ids(search_products(business=business, query="old stock"))


def test_another_business_products_are_not_found(business, other_business, shelf):
    ProductFactory(business=other_business, retailer_id="X1", title="Basmati Supreme")
    assert "X1" not in ids(search_products(business=business, query="basmati"))
    assert ids(search_products(business=other_business, query="basmati")) == ["X1"]


def test_a_queryset_narrows_the_search(business, shelf):
    cheap = Product.objects.filter(retailer_id__in=["R2", "R3"])
    assert ids(search_products(business=business, query="rice", queryset=cheap)) == ["R2", "R3"]


@requires_postgres
def test_postgres_keeps_the_search_document_in_step_with_edits(business, shelf):
    product = shelf["tea"]
    product.title = "Darjeeling Tea"
    product.save()
    assert ids(search_products(business=business, query="darj")) == ["T1"]
    assert ids(search_products(business=business, query="assam")) == []
