"""Feed import: broken rows are rejected with row, column and reason, the rest goes live;
files that are not feeds import nothing; re-imports and export round trips change nothing."""
import io

import pytest
from django.core.management import call_command

from catalog import services
from catalog.feeds import FeedError
from catalog.models import Collection, Product
from tests.catalog.conftest import feed_row, make_feed
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

DEFECTS = [
    ("missing_price", {"price": ""}, "price", "price is missing"),
    ("non_numeric_price", {"price": "twelve INR"}, "price", "is not a number"),
    ("negative_price", {"price": "-12.50 INR"}, "price", "must not be negative"),
    ("other_currency", {"price": "12.50 EUR"}, "price", "differs from the business currency INR"),
    ("too_many_decimals", {"price": "12.505 INR"}, "price", "is not a number"),
    ("sale_not_below_price", {"sale_price": "13.00 INR"}, "sale_price", "must be below price"),
    ("missing_title", {"title": "  "}, "title", "title is missing"),
    ("title_too_long", {"title": "X" * 201}, "title", "longer than 200"),
    ("unknown_availability", {"availability": "maybe"}, "availability", "unknown availability"),
    ("unknown_condition", {"condition": "broken"}, "condition", "unknown condition"),
    ("empty_id", {"id": "   "}, "id", "id is empty"),
    ("bad_id_characters", {"id": "SKU 1/2"}, "id", "letters, digits"),
    ("non_http_link", {"link": "ftp://shop.example/p"}, "link", "http:// or https://"),
    ("script_image_link", {"image_link": "javascript:alert(1)"}, "image_link", "http:// or https://"),
    ("negative_inventory", {"inventory": "-3"}, "inventory", "must not be negative"),
    ("non_numeric_inventory", {"inventory": "lots"}, "inventory", "not a whole number"),
]


@pytest.mark.parametrize("name,change,column,reason", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_is_rejected_with_row_column_and_reason_and_the_rest_imported(
        import_rows, business, name, change, column, reason):
    rows = [feed_row(1), feed_row(2, **change), feed_row(3)]
    result = import_rows(rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert reason in result.errors[0].reason
    assert result.created == 2 and result.rejected == 1
    assert set(Product.objects.filter(business=business).values_list("retailer_id", flat=True)) == {
        "SKU-0001", "SKU-0003"}


def test_duplicate_id_in_the_file_rejects_the_later_row(import_rows, business):
    result = import_rows([feed_row(1), feed_row(2), feed_row(3, id="SKU-0001", title="Imposter")])
    assert [(e.row, e.column) for e in result.errors] == [(3, "id")]
    assert "first at row 1" in result.errors[0].reason
    assert Product.objects.get(business=business, retailer_id="SKU-0001").title == "Product 1"


def test_a_row_with_several_defects_lists_each(import_rows):
    result = import_rows([feed_row(1, title="", price="abc INR")])
    assert {e.column for e in result.errors} == {"title", "price"}
    assert result.rejected == 1


def test_prices_are_stored_exactly_in_minor_units(import_rows, business):
    import_rows([feed_row(1, price="1249.50 INR", sale_price="999.99 INR", inventory="")])
    product = Product.objects.get(business=business)
    assert (product.price_minor, product.sale_price_minor, product.stock_quantity) == (124950, 99999, None)


def test_tsv_is_detected_by_its_delimiter(import_rows, business):
    result = import_rows([feed_row(1, title="Rice, long grain"), feed_row(2)], delimiter="\t")
    assert result.created == 2 and not result.errors
    assert Product.objects.get(business=business, retailer_id="SKU-0001").title == "Rice, long grain"


@pytest.mark.parametrize("content,message", [
    (b"name,colour\nshirt,red\n", "not a catalog feed"),
    (b"id,title,description\nA,B,C\n", "price is missing"),
    ("id,title,price\nA,Caf\u00e9,1.00 INR\n".encode("latin-1"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    (b"", "empty"),
], ids=["other_columns", "no_price_column", "latin1", "binary", "empty"])
def test_a_file_that_is_not_a_feed_gets_one_clear_error_and_imports_nothing(business, content, message):
    with pytest.raises(FeedError, match=message):
        services.import_feed(business=business, source=io.BytesIO(content))
    assert not Product.objects.filter(business=business).exists()


def test_a_bad_byte_late_in_the_file_still_imports_nothing(business):
    good = make_feed([feed_row(n) for n in range(1, 50)]).getvalue()
    with pytest.raises(FeedError, match="not UTF-8"):
        services.import_feed(business=business, source=io.BytesIO(good + b"SKU-X,Bad \xff title,1.00 INR\n"),
                             batch_size=10)
    assert not Product.objects.filter(business=business).exists()


def test_reimporting_the_same_file_changes_nothing(import_rows, business):
    rows = [feed_row(n) for n in range(1, 6)]
    import_rows(rows)
    before = list(Product.objects.filter(business=business).order_by("pk").values())
    again = import_rows(rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert list(Product.objects.filter(business=business).order_by("pk").values()) == before


def test_a_changed_row_is_updated_in_place(import_rows, business):
    import_rows([feed_row(1), feed_row(2)])
    pk = Product.objects.get(business=business, retailer_id="SKU-0002").pk
    result = import_rows([feed_row(1), feed_row(2, price="15.00 INR")])
    assert (result.updated, result.unchanged) == (1, 1)
    product = Product.objects.get(business=business, retailer_id="SKU-0002")
    assert (product.pk, product.price_minor) == (pk, 1500)


def test_import_reactivates_a_deactivated_product(import_rows, business):
    import_rows([feed_row(1)])
    services.deactivate_product(business=business, retailer_id="SKU-0001")
    result = import_rows([feed_row(1)])
    assert result.updated == 1
    assert Product.objects.get(business=business).is_active


def test_export_then_import_changes_nothing(import_rows, business):
    import_rows([feed_row(1, sale_price="9.99 INR"), feed_row(2, inventory="", description='Says "hi",\nnewline'),
                 feed_row(3, availability="preorder", brand="Gut&G\u00fcnstig")])
    before = list(Product.objects.filter(business=business).order_by("pk").values())
    exported = "".join(services.export_feed(business=business)).encode()
    result = services.import_feed(business=business, source=io.BytesIO(exported))
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 3, 0)
    assert list(Product.objects.filter(business=business).order_by("pk").values()) == before


def test_inventory_below_units_held_by_open_orders_is_rejected(import_rows, business):
    ProductFactory(business=business, retailer_id="SKU-0001", stock_quantity=10, reserved_quantity=4)
    result = import_rows([feed_row(1, inventory="3"), feed_row(2)])
    assert [(e.row, e.column) for e in result.errors] == [(1, "inventory")]
    assert "below the 4 units held by open orders" in result.errors[0].reason
    product = Product.objects.get(business=business, retailer_id="SKU-0001")
    assert (product.stock_quantity, product.reserved_quantity) == (10, 4)


def test_import_keeps_units_reserved_by_orders(import_rows, business):
    ProductFactory(business=business, retailer_id="SKU-0001", stock_quantity=10, reserved_quantity=4)
    import_rows([feed_row(1, inventory="8")])
    product = Product.objects.get(business=business, retailer_id="SKU-0001")
    assert (product.stock_quantity, product.reserved_quantity) == (8, 4)


def test_import_does_not_touch_another_business(import_rows, business, other_business):
    theirs = ProductFactory(business=other_business, retailer_id="SKU-0001", title="Theirs")
    import_rows([feed_row(1)])
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert Product.objects.filter(retailer_id="SKU-0001").count() == 2


def test_collections_can_be_created_from_product_type(import_rows, business):
    import_rows([feed_row(1, product_type="Dairy"), feed_row(2, product_type="Dairy"),
                 feed_row(3, product_type="Fruit & Vegetables"), feed_row(4, product_type="")],
                create_collections=True)
    collections = {c.slug: c for c in Collection.objects.filter(business=business)}
    assert set(collections) == {"dairy", "fruit-vegetables"}
    assert collections["dairy"].products.count() == 2
    import_rows([feed_row(1, product_type="Dairy")], create_collections=True)
    assert collections["dairy"].products.count() == 2


def test_import_writes_in_batches_not_per_row(business, django_assert_max_num_queries):
    rows = [feed_row(n) for n in range(1, 101)]
    with django_assert_max_num_queries(12):
        services.import_feed(business=business, source=make_feed(rows), batch_size=50)


def test_command_prints_a_summary_and_exits_1_when_rows_were_rejected(business, tmp_path, capsys):
    path = tmp_path / "feed.csv"
    path.write_bytes(make_feed([feed_row(1), feed_row(2, price="")]).getvalue())
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_catalog", business.slug, str(path))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "1 created" in out and "1 rejected" in out and "row 2, price: price is missing" in out


def test_command_exits_0_when_every_row_was_imported(business, tmp_path, capsys):
    path = tmp_path / "feed.csv"
    path.write_bytes(make_feed([feed_row(1)]).getvalue())
    call_command("import_catalog", business.slug, str(path))
    assert "1 created" in capsys.readouterr().out


def test_export_command_writes_a_file_the_import_reads_back_unchanged(import_rows, business, tmp_path, capsys):
    import_rows([feed_row(n) for n in range(1, 4)])
    path = tmp_path / "out.tsv"
    call_command("export_catalog", business.slug, str(path))
    assert "\t" in path.read_text().splitlines()[0]
    call_command("import_catalog", business.slug, str(path))
    assert "3 unchanged" in capsys.readouterr().out


def test_demo_feed_is_deterministic_and_imports_cleanly(business):
    from catalog import demo

    assert demo.feed_bytes(50) == demo.feed_bytes(50)
    result = services.import_feed(business=business, source=io.BytesIO(demo.feed_bytes(50)))
    assert (result.created, result.rejected) == (50, 0)


def test_semicolon_separated_spreadsheet_exports_are_read(business):
    content = "id;title;price\nSKU-1;Tee, gr\u00fcn;4.50 INR\n".encode()
    result = services.import_feed(business=business, source=io.BytesIO(content))
    assert result.created == 1 and not result.errors
    assert Product.objects.get(business=business).title == "Tee, gr\u00fcn"


def test_full_catalog_mode_deactivates_products_missing_from_the_file(import_rows, business):
    import_rows([feed_row(1), feed_row(2), feed_row(3), feed_row(4)])
    result = import_rows([feed_row(1), feed_row(3, price="")], deactivate_missing=True)
    assert result.deactivated == 2
    active = set(Product.objects.filter(business=business, is_active=True).values_list("retailer_id", flat=True))
    assert active == {"SKU-0001", "SKU-0003"}  # row 3 was rejected but is in the file: kept on sale


def test_without_full_catalog_mode_missing_products_stay(import_rows, business):
    import_rows([feed_row(1), feed_row(2)])
    assert import_rows([feed_row(1)]).deactivated == 0
    assert Product.objects.filter(business=business, is_active=True).count() == 2
