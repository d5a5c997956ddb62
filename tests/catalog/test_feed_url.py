"""The secret feed URL Meta's Commerce Manager fetches: the live catalog, streamed, with
ETag / Last-Modified; a wrong token or an old rotated one answers 404."""
import pytest

from catalog import services
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def feed_url(business, ext="csv", token=None):
    return f"/feeds/{business.slug}/{token or business.feed_token}.{ext}"


def body(response):
    return b"".join(response.streaming_content).decode()


def test_feed_serves_active_products_with_sellable_inventory(client, business):
    ProductFactory(business=business, retailer_id="A", title="Rice", price_minor=1250, stock_quantity=5,
                   reserved_quantity=2)
    ProductFactory(business=business, retailer_id="B", stock_quantity=3, reserved_quantity=3)
    ProductFactory(business=business, retailer_id="OFF", is_active=False)
    response = client.get(feed_url(business))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    lines = body(response).splitlines()
    assert lines[0].startswith("id,title,description,availability")
    assert lines[1] == "A,Rice,,in stock,new,12.50 INR,,,,,,3,,,,,,"  # no variant columns set
    assert lines[2].startswith("B,") and ",out of stock," in lines[2] and lines[2].endswith(",0,,,,,,")
    assert len(lines) == 3


def test_tsv_feed_uses_tabs(client, business):
    ProductFactory(business=business, retailer_id="A", title="Rice\tlong grain")
    lines = body(client.get(feed_url(business, "tsv"))).splitlines()
    assert lines[0].split("\t")[:2] == ["id", "title"]
    assert lines[1].split("\t")[:2] == ["A", "Rice long grain"]


def test_wrong_token_or_slug_answers_404(client, business, other_business):
    assert client.get(feed_url(business, token="not-the-token")).status_code == 404
    assert client.get(f"/feeds/{other_business.slug}/{business.feed_token}.csv").status_code == 404


def test_rotated_token_retires_the_old_url(client, business):
    old = business.feed_token
    services.rotate_feed_token(business=business)
    assert client.get(feed_url(business, token=old)).status_code == 404
    assert client.get(feed_url(business)).status_code == 200


def test_suspended_business_has_no_feed(client, business):
    business.status = "suspended"
    business.save()
    assert client.get(feed_url(business)).status_code == 404


def test_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(client, business):
    product = ProductFactory(business=business)
    first = client.get(feed_url(business))
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert client.get(feed_url(business), HTTP_IF_NONE_MATCH=etag).status_code == 304
    product.reserved_quantity = 1
    product.save(update_fields=["reserved_quantity"])
    changed = client.get(feed_url(business), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_feed_query_count_does_not_grow_with_products(client, business, django_assert_max_num_queries):
    ProductFactory.create_batch(30, business=business)
    with django_assert_max_num_queries(4):
        body(client.get(feed_url(business)))
