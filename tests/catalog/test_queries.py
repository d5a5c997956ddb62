"""The catalog's hand-written statements: locks in primary-key order on the business's own rows,
typed rows by name, the COPY upsert, and PostgreSQL's maintenance and estimates."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog import feeds, queries
from catalog.models import Product
from tests.conftest import requires_postgres
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_lock_products_loads_the_business_products_as_the_orm_does_in_primary_key_order(business, other_business):
    second = ProductFactory(business=business, retailer_id="B", sale_price_minor=500, stock_quantity=None)
    first = ProductFactory(business=business, retailer_id="A", reserved_quantity=3)
    ProductFactory(business=other_business, retailer_id="A")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        locked = queries.lock_products_by_retailer_id(business_id=business.pk, retailer_ids=["A", "B", "C"])
    assert list(locked) == ["B", "A"]  # primary-key order
    for product in (first, second):
        stored = Product.objects.get(pk=product.pk)
        assert locked[product.retailer_id].get_deferred_fields() == {"search_vector"}
        assert [getattr(locked[product.retailer_id], f) for f in queries.LOCKED_FIELDS] == \
            [getattr(stored, f) for f in queries.LOCKED_FIELDS]
    if connection.features.has_select_for_update:
        assert captured.captured_queries[-1]["sql"].endswith("FOR UPDATE")
    assert queries.lock_products_by_retailer_id(business_id=business.pk, retailer_ids=[]) == {}


def test_lock_import_states_answers_typed_rows_by_name(business):
    product = ProductFactory(business=business, retailer_id="A", reserved_quantity=2, feed_hash="abc",
                             is_active=False)
    with transaction.atomic():
        states = queries.lock_import_states(business_id=business.pk, retailer_ids=["A", "MISSING"])
    assert states == [queries.ImportState(retailer_id="A", id=product.pk, reserved_quantity=2, feed_hash="abc",
                                          is_active=False)]
    assert states[0].is_active is False  # a bool on SQLite too, not 0


def _upsert(retailer_id, **values):
    full = {f: None if f in ("sale_price_minor", "stock_quantity") else "" for f in feeds.HASHED_FIELDS}
    full.update({"title": retailer_id, "price_minor": 1000, "availability": "in stock", "condition": "new", **values})
    return queries.ProductUpsert(retailer_id, full, True, feeds.feed_hash(full))


@requires_postgres
def test_the_copy_upsert_creates_and_overwrites_keeping_reserved_stock_and_creation_time(business):
    kept = ProductFactory(business=business, retailer_id="OLD", stock_quantity=10, reserved_quantity=4)
    with transaction.atomic():
        written = queries.upsert_products_by_copy(business_id=business.pk, rows=[
            _upsert("OLD", title="Renamed", stock_quantity=8), _upsert("NEW", brand="Acme")])
    assert sorted(written, key=lambda w: w.retailer_id) == sorted([
        queries.WrittenProduct("OLD", kept.pk),
        queries.WrittenProduct("NEW", Product.objects.get(business=business, retailer_id="NEW").pk),
    ], key=lambda w: w.retailer_id)
    old = Product.objects.get(pk=kept.pk)
    assert (old.title, old.stock_quantity, old.reserved_quantity, old.created_at) == \
        ("Renamed", 8, 4, kept.created_at)
    assert old.feed_hash == _upsert("OLD", title="Renamed", stock_quantity=8).feed_hash
    from django.contrib.postgres.search import SearchQuery

    found = Product.objects.filter(business=business, search_vector=SearchQuery("acme", config="simple"))
    assert [p.retailer_id for p in found] == ["NEW"]  # the trigger filled the search document


@requires_postgres
def test_search_statistics_refresh_and_row_estimates_on_postgresql(business):
    ProductFactory.create_batch(3, business=business)
    queries.refresh_search_statistics()
    estimate = queries.planned_rows(Product.objects.filter(business=business))
    assert isinstance(estimate, int) and estimate >= 1


def test_other_databases_refresh_nothing_and_estimate_nothing(business, settings):
    if settings.IS_POSTGRES:
        pytest.skip("PostgreSQL answers both")
    queries.refresh_search_statistics()
    assert queries.planned_rows(Product.objects.filter(business=business)) is None


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_copy_upsert_leaves_nothing_in_the_session_for_transaction_pooling(business):
    """Behind PgBouncer in transaction mode the next transaction may run on another server
    connection: the upsert works called outside a transaction, in batches inside one, and its
    temporary table is gone once the transaction ends."""
    def temporary_tables():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relname = %s AND relpersistence = 't'",
                           [queries.COPY_TABLE])
            return cursor.fetchone()[0]

    queries.upsert_products_by_copy(business_id=business.pk, rows=[_upsert("ALONE")])  # autocommit
    assert temporary_tables() == 0
    with transaction.atomic():
        queries.upsert_products_by_copy(business_id=business.pk, rows=[_upsert("FIRST")])
        queries.upsert_products_by_copy(business_id=business.pk, rows=[_upsert("SECOND")])
    assert temporary_tables() == 0
    assert set(Product.objects.filter(business=business).values_list("retailer_id", flat=True)) == \
        {"ALONE", "FIRST", "SECOND"}
