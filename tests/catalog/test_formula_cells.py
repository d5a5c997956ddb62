"""CSV formula injection: every CSV meant for spreadsheets escapes cells a spreadsheet would run;
the Meta feed (read by a machine) is written as stored, and formula titles are refused at import."""
import csv
import io

import pytest
from django.core.exceptions import ValidationError

from catalog.feeds.writing import EXPORT_FIELDS, feed_lines
from catalog.models import Product
from shopchat.spreadsheets import escape_cell, unescape_cell
from tests.catalog.conftest import feed_row
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("cell", HOSTILE)
def test_cells_that_would_run_as_formulas_are_escaped_and_unescaped(cell):
    assert escape_cell(cell) == "'" + cell and unescape_cell(escape_cell(cell)) == cell


@pytest.mark.parametrize("cell", ["-100.00", "12.50", "+44", "Chai", "", 5, None, "a=b"])
def test_numbers_and_plain_text_are_left_alone(cell):
    assert escape_cell(cell) == cell


def test_the_catalog_export_escapes_formula_cells(owner_client, business):
    product = ProductFactory(business=business, retailer_id="SKU-1", title=HOSTILE[0], description=HOSTILE[1],
                             brand=HOSTILE[2], product_type=HOSTILE[3])
    response = owner_client.post("/admin/catalog/product/", {"action": "export_feed", "_selected_action": [product.pk]})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [rows[1][1], rows[1][2], rows[1][9], rows[1][10]] == ["'" + v for v in HOSTILE[:4]]


def test_the_meta_feed_is_written_as_stored(business):
    ProductFactory(business=business, retailer_id="SKU-1", description="- 100% cotton")
    rows = Product.objects.filter(business=business).values_list(*EXPORT_FIELDS)
    meta = list(csv.reader(io.StringIO("".join(feed_lines(rows, currency="INR", for_meta=True)))))
    export = list(csv.reader(io.StringIO("".join(feed_lines(rows, currency="INR")))))
    assert meta[1][2] == "- 100% cotton" and export[1][2] == "'- 100% cotton"


@pytest.mark.parametrize("title", HOSTILE[:4] + [" =1+1"])
def test_a_formula_title_is_refused_at_import_with_row_and_reason(import_rows, business, title):
    result = import_rows([feed_row(1), feed_row(2, title=title), feed_row(3)])
    assert [(e.row, e.column) for e in result.errors] == [(2, "title")]
    assert "formula" in result.errors[0].reason and result.created == 2


def test_an_exported_file_imported_again_is_unchanged(import_rows, business):
    result = import_rows([feed_row(1, description="'- 100% cotton", brand="'@home")])
    assert result.created == 1
    product = Product.objects.get(business=business)
    assert product.description == "- 100% cotton" and product.brand == "@home"


@pytest.mark.parametrize("prefix", ["=1+2", "SC-", "A B", "@x", "ÄB", ""])
def test_order_prefix_takes_letters_and_digits_only(business, prefix):
    business.order_prefix = prefix
    with pytest.raises(ValidationError) as refused:
        business.full_clean()
    assert "order_prefix" in refused.value.message_dict


def test_a_settlement_csv_escapes_an_order_number_made_before_the_rule(owner_client, business):
    from payments import services
    from shopchat.models import Business
    from tests.factories import CustomerFactory
    from tests.payments.conftest import add_card, order_for

    Business.objects.filter(pk=business.pk).update(order_prefix="=1+2", payout_account="acme@okaxis")
    customer = CustomerFactory(business=business)
    order = order_for(customer, 10_000, number="=1+2-7")
    services.pay_order(order=order, method="card", funding_source=add_card(customer))
    settlement = services.settle_business(business=Business.objects.get(pk=business.pk))
    body = owner_client.get(f"/admin/payments/settlement/{settlement.pk}/statement.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1] == "'=1+2-7" and ",100.00," in body  # amounts stay numbers
