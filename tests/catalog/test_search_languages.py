"""Search follows the catalog's language: on PostgreSQL stems of German, Italian, Spanish and
Portuguese match ("Äpfel" finds "Apfel"), Hindi and English words match as typed; SQLite keeps
its substring search."""
import pytest

from catalog.models import Product
from catalog.selectors import search_products
from tests.conftest import api_client_for, requires_postgres
from tests.factories import BusinessFactory, ProductFactory

pytestmark = pytest.mark.django_db


def ids(products):
    return [p.retailer_id for p in products]


def shop(language: str, *titles: str):
    business = BusinessFactory(language=language)
    for i, title in enumerate(titles):
        ProductFactory(business=business, retailer_id=f"P{i}", title=title)
    return business


@requires_postgres
@pytest.mark.parametrize(("language", "title", "query"), [
    ("de", "Apfel aus dem Alten Land", "Äpfel"),
    ("de", "Frische Birnen", "Birne"),
    ("it", "Mele rosse del Trentino", "mela"),
    ("es", "Camisetas azules", "camiseta azul"),
    ("pt-br", "Sapatos de couro", "sapato"),
])
def test_a_word_finds_its_other_forms_in_the_catalogs_language(language, title, query):
    business = shop(language, title, "Something else")
    assert ids(search_products(business=business, query=query)) == ["P0"]


@requires_postgres
def test_words_as_typed_and_their_beginnings_still_match_in_a_stemmed_catalog():
    business = shop("de", "Äpfel Elstar", "Basmati Reis")
    assert ids(search_products(business=business, query="äpf")) == ["P0"]
    assert ids(search_products(business=business, query="basm")) == ["P1"]
    assert ids(search_products(business=business, query="und")) == []  # a stop word: nothing, and no error


@requires_postgres
def test_a_hindi_catalog_matches_words_as_typed():
    business = shop("hi", "मसाला चाय", "सफ़ेद कप")
    assert ids(search_products(business=business, query="चाय")) == ["P0"]
    assert ids(search_products(business=business, query="मसा")) == ["P0"]


@requires_postgres
def test_an_english_catalog_does_not_stem_in_german():
    business = shop("en", "Apfel")
    assert ids(search_products(business=business, query="Äpfel")) == []


@requires_postgres
def test_changing_the_business_language_rebuilds_its_products_search_documents():
    business = shop("en", "Apfel")
    business.language = "de"
    business.save()
    assert ids(search_products(business=business, query="Äpfel")) == ["P0"]


@requires_postgres
def test_the_api_search_follows_the_catalogs_language():
    business = shop("it", "Mele rosse")
    response = api_client_for(business).get("/api/v1/catalog/products/", {"q": "mela"})
    assert response.status_code == 200
    assert [p["retailer_id"] for p in response.json()["results"]] == ["P0"]


def test_search_in_any_language_works_on_both_databases():
    business = shop("de", "Apfel Elstar", "Birnen")
    assert ids(search_products(business=business, query="apfel")) == ["P0"]
    assert ids(search_products(business=business, query="birnen")) == ["P1"]
    assert Product.objects.filter(business=business).count() == 2


def test_hindi_words_are_searched_whole_with_their_vowel_signs():
    from catalog.selectors import search_terms

    assert search_terms("मसाला चाय।") == ["मसाला", "चाय"]
