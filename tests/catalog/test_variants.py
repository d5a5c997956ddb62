"""Variants (#18): products grouped by the feed's item_group_id, told apart by size, color, material,
pattern and gender (Meta's catalog columns); each variant its own product with its own id, price and
stock. The feed import and export read and write the columns (both the SQLite path and PostgreSQL's
COPY), bad values are rejected per row, and a group's variants are read in one query."""
import io

import pytest

from catalog import feeds, selectors, services
from catalog.models import Product
from tests.catalog.conftest import feed_row
from tests.conftest import requires_postgres
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

VARIANT_COLUMNS = ["item_group_id", "size", "color", "material", "pattern", "gender"]


def tshirt(n, size, color="Navy", **overrides):
    values = {"id": f"TEE-{size}-{color[:3].upper()}", "title": "Classic T-shirt", "item_group_id": "TEE",
              "size": size, "color": color, "material": "Cotton", "pattern": "Solid", "gender": "unisex"}
    return feed_row(n, **{**values, **overrides})


def test_the_feed_names_meta_s_variant_columns():
    assert feeds.COLUMNS[-6:] == VARIANT_COLUMNS


def test_import_stores_the_variant_columns_each_variant_a_product_with_its_own_price_and_stock(
        import_rows, business):
    result = import_rows([tshirt(1, "S", inventory="3"), tshirt(2, "M", price="14.00 INR", inventory="0"),
                          tshirt(3, "L"), feed_row(4)])
    assert (result.created, result.rejected) == (4, 0)
    medium = Product.objects.get(business=business, retailer_id="TEE-M-NAV")
    assert (medium.item_group_id, medium.size, medium.color, medium.material, medium.pattern, medium.gender) == (
        "TEE", "M", "Navy", "Cotton", "Solid", "unisex")
    assert (medium.price_minor, medium.stock_quantity) == (1400, 0)
    plain = Product.objects.get(business=business, retailer_id="SKU-0004")
    assert [getattr(plain, c) for c in VARIANT_COLUMNS] == [""] * 6


def test_gender_is_read_in_any_case(import_rows, business):
    import_rows([tshirt(1, "S", gender="Female")])
    assert Product.objects.get(business=business).gender == "female"


DEFECTS = [
    ("unknown_gender", {"gender": "kids"}, "gender", "unknown gender 'kids'; use one of: female, male, unisex"),
    ("group_id_too_long", {"item_group_id": "G" * 101}, "item_group_id", "longer than 100 characters"),
    ("group_id_characters", {"item_group_id": "TEE 1/2"}, "item_group_id", "letters, digits"),
    ("size_too_long", {"size": "S" * 201}, "size", "size is longer than 200 characters"),
    ("color_too_long", {"color": "R" * 201}, "color", "color is longer than 200 characters"),
    ("material_too_long", {"material": "C" * 201}, "material", "material is longer than 200 characters"),
    ("pattern_too_long", {"pattern": "P" * 101}, "pattern", "pattern is longer than 100 characters"),
]


@pytest.mark.parametrize("name,change,column,reason", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_a_bad_variant_value_rejects_the_row_with_its_column_and_reason(import_rows, business, name, change, column,
                                                                        reason):
    result = import_rows([tshirt(1, "S"), {**tshirt(2, "M"), **change}, tshirt(3, "L")])
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert reason in result.errors[0].reason
    assert result.created == 2
    assert not Product.objects.filter(business=business, retailer_id="TEE-M-NAV").exists()


def test_export_writes_the_variant_columns_and_imported_again_changes_nothing(import_rows, business):
    import_rows([tshirt(1, "S"), tshirt(2, "M", color="Red", gender="male"), feed_row(3)])
    before = list(Product.objects.filter(business=business).order_by("pk").values())
    exported = "".join(services.export_feed(business=business))
    header, first = exported.splitlines()[:2]
    assert header.split(",")[-6:] == VARIANT_COLUMNS
    assert first.split(",")[-6:] == ["TEE", "S", "Navy", "Cotton", "Solid", "unisex"]
    result = services.import_feed(business=business, source=io.BytesIO(exported.encode()))
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 3, 0)
    assert list(Product.objects.filter(business=business).order_by("pk").values()) == before


def test_the_meta_feed_carries_the_variant_columns(import_rows, business):
    import_rows([tshirt(1, "S")])
    lines = "".join(services.export_feed(business=business, for_meta=True)).splitlines()
    assert lines[1].endswith(",TEE,S,Navy,Cotton,Solid,unisex")


def test_a_changed_size_is_an_update_and_a_product_without_variants_keeps_its_old_digest(import_rows, business):
    import_rows([tshirt(1, "S")])
    assert import_rows([tshirt(1, "S")]).unchanged == 1
    assert import_rows([{**tshirt(1, "S"), "size": "XS"}]).updated == 1
    # a row setting none of the variant columns hashes as it did before they existed
    values, _ = feeds.clean_product(feed_row(2), currency="INR")
    legacy = "\x1f".join("" if values.get(f) is None else str(values[f]) for f in feeds.HASHED_FIELDS[:11])
    import hashlib
    assert feeds.feed_hash(values) == hashlib.blake2b(("1\x1f" + legacy).encode(), digest_size=16).hexdigest()


def test_a_feed_without_the_variant_columns_still_imports(business):
    content = b"id,title,price\nA,Assam Tea,120.00 INR\n"
    result = services.import_feed(business=business, source=io.BytesIO(content))
    assert result.created == 1 and Product.objects.get(business=business).item_group_id == ""


def test_colour_is_read_as_color(business):
    content = b"id,title,price,item_group_id,size,colour\nA,Tee,10.00 INR,TEE,M,Red\n"
    services.import_feed(business=business, source=io.BytesIO(content))
    assert Product.objects.get(business=business).color == "Red"


@requires_postgres
def test_the_copy_upsert_writes_the_variant_columns(import_rows, business):
    from shopchat import sql

    assert sql.is_postgres()
    import_rows([tshirt(1, "S"), tshirt(2, "M")])
    import_rows([tshirt(1, "S", gender="female"), tshirt(2, "M")])
    assert list(Product.objects.filter(business=business).order_by("retailer_id").values_list(
        "retailer_id", "item_group_id", "size", "gender")) == [("TEE-M-NAV", "TEE", "M", "unisex"),
                                                              ("TEE-S-NAV", "TEE", "S", "female")]


# --- the API's writes take the same columns --------------------------------------------------

def test_a_json_product_takes_the_variant_fields_by_the_same_rules():
    values, _, errors = feeds.clean_json_product(
        {"title": "Tee", "price": "10.00", "item_group_id": "TEE", "size": "M", "gender": "male"}, currency="INR")
    assert not errors and (values["item_group_id"], values["size"], values["gender"]) == ("TEE", "M", "male")
    _, _, errors = feeds.clean_json_product({"title": "Tee", "price": "10.00", "gender": "boy"}, currency="INR")
    assert errors == {"gender": ["unknown gender 'boy'; use one of: female, male, unisex"]}


# --- the group selector ------------------------------------------------------------------------

def test_group_variants_reads_the_active_variants_of_the_business_in_one_query(
        business, other_business, django_assert_num_queries):
    for size in ("XL", "S", "L", "M"):
        ProductFactory(business=business, retailer_id=f"TEE-{size}", item_group_id="TEE", size=size)
    ProductFactory(business=business, retailer_id="TEE-XS", item_group_id="TEE", size="XS", is_active=False)
    ProductFactory(business=other_business, retailer_id="TEE-XXL", item_group_id="TEE", size="XXL")
    with django_assert_num_queries(1):
        variants = selectors.group_variants(business=business, item_group_id="TEE")
    assert [p.size for p in variants] == ["S", "M", "L", "XL"]
    assert selectors.group_variants(business=business, item_group_id="") == []


def test_sizes_that_do_not_read_like_sizes_keep_the_feed_order(business):
    for size in ("6-12 months", "0-3 months", "3-6 months"):
        ProductFactory(business=business, item_group_id="BABY", size=size)
    assert [p.size for p in selectors.group_variants(business=business, item_group_id="BABY")] == [
        "6-12 months", "0-3 months", "3-6 months"]


def test_numeric_sizes_go_by_value(business):
    for size in ("42", "9.5", "38"):
        ProductFactory(business=business, item_group_id="SHOE", size=size)
    assert [p.size for p in selectors.group_variants(business=business, item_group_id="SHOE")] == ["9.5", "38", "42"]


def test_varying_attributes_names_what_tells_the_variants_apart(business):
    for size, color in (("S", "Red"), ("M", "Red"), ("S", "Blue")):
        ProductFactory(business=business, item_group_id="TEE", size=size, color=color, material="Cotton")
    variants = selectors.group_variants(business=business, item_group_id="TEE")
    assert selectors.varying_attributes(variants) == ["size", "color"]
