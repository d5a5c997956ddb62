"""The chat's search reads the best matches once when none belongs to a variant group, and
reads further only to show each group once."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.selectors import find_products
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _search(business, limit):
    with CaptureQueriesContext(connection) as captured:
        found = find_products(business=business, query="tea", limit=limit, one_per_group=True)
    return found, len(captured.captured_queries)


def test_a_catalog_without_groups_is_searched_in_one_read(business):
    for n in range(6):
        ProductFactory(business=business, retailer_id=f"TEA-{n}", title=f"Green tea {n}")

    found, reads = _search(business, limit=4)

    assert (len(found), reads) == (4, 1)


def test_a_group_among_the_best_matches_shows_once_with_more_products_read(business):
    for size in ("S", "M", "L"):
        ProductFactory(business=business, retailer_id=f"TEE-{size}", title="Tea shirt", item_group_id="TEE", size=size)
    for n in range(3):
        ProductFactory(business=business, retailer_id=f"TEA-{n}", title=f"Green tea {n}")

    found, reads = _search(business, limit=4)

    assert reads == 2
    assert len(found) == 4
    assert sum(1 for p in found if p.item_group_id == "TEE") == 1
