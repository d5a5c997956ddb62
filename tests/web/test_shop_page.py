"""The public shop page, product pages, click-to-chat links and QR codes."""
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services as catalog_services
from chat import links
from shopchat.models import Business
from tests.factories import BusinessFactory, CollectionFactory, CollectionProductFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return BusinessFactory(name="Asha's Pantry", slug="ashas-pantry", currency="INR",
                           wa_display_number="+91 98765 43210", description="Spices and rice from Kerala.", logo_url="https://cdn.example.com/logo.png")


def test_shop_page_shows_name_description_logo_and_products_with_price_and_stock(client, shop):
    ProductFactory(business=shop, title="Basmati rice 5 kg", price_minor=64900, stock_quantity=3)
    ProductFactory(business=shop, title="Cardamom 100 g", price_minor=25000, stock_quantity=0)
    html = client.get("/shop/ashas-pantry/").content.decode()
    assert "Asha&#x27;s Pantry" in html and "Spices and rice from Kerala." in html
    assert 'src="https://cdn.example.com/logo.png"' in html
    assert "Basmati rice 5 kg" in html and "INR 649.00" in html
    rice, cardamom = html.index("Basmati rice"), html.index("Cardamom 100 g")
    assert "In stock" in html[rice:cardamom] and "Out of stock" in html[cardamom:]


def test_products_of_another_business_never_appear(client, shop):
    ProductFactory(business=BusinessFactory(), title="Someone else's tea")
    assert "Someone else" not in client.get("/shop/ashas-pantry/").content.decode()


@pytest.mark.parametrize("status", [Business.Status.PENDING, Business.Status.SUSPENDED])
def test_pending_and_suspended_shops_answer_404_on_every_page(client, shop, status):
    product = ProductFactory(business=shop)
    client.get("/shop/ashas-pantry/")  # cached while active
    Business.objects.filter(pk=shop.pk).update(status=status)
    for url in ("/shop/ashas-pantry/", f"/shop/ashas-pantry/p/{product.retailer_id}/", "/shop/ashas-pantry/qr.svg",
                "/shop/ashas-pantry/qr.png"):
        assert client.get(url).status_code == 404, url


def test_unknown_shop_and_unknown_product_answer_404(client, shop):
    assert client.get("/shop/nope/").status_code == 404
    assert client.get("/shop/ashas-pantry/p/NOPE/").status_code == 404


def test_product_of_another_business_answers_404_on_this_shop(client, shop):
    other = ProductFactory(business=BusinessFactory(), retailer_id="THEIRS")
    assert client.get(f"/shop/ashas-pantry/p/{other.retailer_id}/").status_code == 404


def test_search_uses_the_catalog_search(client, shop):
    ProductFactory(business=shop, title="Basmati rice 5 kg")
    ProductFactory(business=shop, title="Black pepper")
    html = client.get("/shop/ashas-pantry/", {"q": "basmati"}).content.decode()
    assert "Basmati rice 5 kg" in html and "Black pepper" not in html
    assert "1 product matches" in html


def test_collection_filter_lists_the_collections_products(client, shop):
    spices = CollectionFactory(business=shop, name="Spices", slug="spices")
    CollectionProductFactory(collection=spices, product=ProductFactory(business=shop, title="Black pepper"))
    ProductFactory(business=shop, title="Basmati rice")
    html = client.get("/shop/ashas-pantry/", {"collection": "spices"}).content.decode()
    assert "Black pepper" in html and "Basmati rice" not in html
    assert 'aria-current="page">Spices' in html


def next_link(html, rel):
    return re.search(rf'rel="{rel}" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")


def test_the_catalog_is_paged_24_at_a_time_by_cursor_both_ways(client, shop):
    for n in range(30):
        ProductFactory(business=shop, title=f"Item {n:02d}")
    first = client.get("/shop/ashas-pantry/").content.decode()
    assert first.count('class="product-card"') == 24 and 'rel="prev"' not in first
    second = client.get("/shop/ashas-pantry/?" + next_link(first, "next")).content.decode()
    assert second.count('class="product-card"') == 6 and "Item 24" in second and "Item 23" not in second
    assert 'rel="next"' not in second
    back = client.get("/shop/ashas-pantry/?" + next_link(second, "prev")).content.decode()
    assert back.count('class="product-card"') == 24 and "Item 00" in back and "Item 23" in back


def test_a_searchs_results_are_paged_by_number(client, shop):
    for n in range(30):
        ProductFactory(business=shop, title=f"Rice {n:02d}")
    first = client.get("/shop/ashas-pantry/", {"q": "rice"}).content.decode()
    assert first.count('class="product-card"') == 24 and "Page 1 of 2" in first
    second = client.get("/shop/ashas-pantry/?" + next_link(first, "next")).content.decode()
    assert second.count('class="product-card"') == 6 and "Page 2 of 2" in second


def test_deep_pages_cost_the_same_few_queries(client, shop, django_assert_max_num_queries):
    for n in range(60):
        ProductFactory(business=shop, title=f"Item {n:02d}")
    last = ProductFactory(business=shop, title="Item 99")
    with django_assert_max_num_queries(4):  # business, collections, the cursor's title, the page
        html = client.get("/shop/ashas-pantry/", {"after": last.pk - 5}).content.decode()
    assert "Item 99" in html


def test_a_page_or_cursor_that_is_not_a_number_shows_a_page_not_an_error(client, shop):
    ProductFactory(business=shop)
    for params in ({"page": "x'; drop"}, {"page": "99999"}, {"after": "abc"}, {"before": "-1"}, {"after": "99999999"}):
        assert client.get("/shop/ashas-pantry/", params).status_code == 200, params
    assert client.get("/shop/ashas-pantry/", {"q": "x", "page": "nope"}).status_code == 200


def test_order_on_whatsapp_prefills_a_text_the_engine_reads_back(client, shop):
    ProductFactory(business=shop, retailer_id="RICE-5", title="Basmati rice 5 kg")
    html = client.get("/shop/ashas-pantry/").content.decode()
    link = re.search(r'href="(https://wa.me/[^"]+)"[^>]*>Order on WhatsApp', html).group(1).replace("&amp;", "&")
    url = urlparse(link)
    assert url.path == "/919876543210"
    text = parse_qs(url.query)["text"][0]
    assert "Basmati rice 5 kg" in text and links.product_reference(text) == "RICE-5"


def test_the_shop_has_a_hi_link(client, shop):
    html = client.get("/shop/ashas-pantry/").content.decode()
    assert 'href="https://wa.me/919876543210?text=Hi"' in html


def test_without_a_whatsapp_number_there_is_no_order_on_whatsapp_link(client):
    BusinessFactory(slug="no-number", wa_display_number="")
    html = client.get("/shop/no-number/").content.decode()
    assert "wa.me" not in html


def test_product_page_has_opengraph_and_schema_org_product(client, shop):
    ProductFactory(business=shop, retailer_id="RICE-5", title="Basmati <rice>", price_minor=64900,
                   image_link="https://cdn.example.com/rice.jpg", description="Aged two years.")
    html = client.get("/shop/ashas-pantry/p/RICE-5/").content.decode()
    assert '<meta property="og:title" content="Basmati &lt;rice&gt;">' in html
    assert '<meta property="og:image" content="https://cdn.example.com/rice.jpg">' in html
    assert '<meta property="og:url" content="http://testserver/shop/ashas-pantry/p/RICE-5/">' in html or \
        'og:url" content="http' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block  # nothing in the data can close the script element
    data = json.loads(block)
    assert data["@type"] == "Product" and data["name"] == "Basmati <rice>" and data["sku"] == "RICE-5"
    assert data["offers"] == {**data["offers"], "price": "649.00", "priceCurrency": "INR",
                              "availability": "https://schema.org/InStock"}


def test_the_page_is_served_from_the_cache_until_the_catalog_changes(client, shop, django_capture_on_commit_callbacks):
    product = ProductFactory(business=shop, title="Basmati rice")
    client.get("/shop/ashas-pantry/")
    with CaptureQueriesContext(connection) as cached:
        html = client.get("/shop/ashas-pantry/").content.decode()
    assert "Basmati rice" in html
    assert len(cached) == 1  # the business's status, nothing of the catalog
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.update_product(business=shop, retailer_id=product.retailer_id,
                                        changes={"title": "Jasmine rice"})
    html = client.get("/shop/ashas-pantry/").content.decode()
    assert "Jasmine rice" in html and "Basmati" not in html


def test_a_feed_import_refreshes_the_page(client, shop, django_capture_on_commit_callbacks):
    client.get("/shop/ashas-pantry/")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.put_product(business=shop, retailer_id="NEW-1",
                                     values={"title": "Fresh curry leaves", "price_minor": 3000})
    assert "Fresh curry leaves" in client.get("/shop/ashas-pantry/").content.decode()


def test_a_change_of_another_business_keeps_this_shops_cache(client, shop, django_capture_on_commit_callbacks):
    ProductFactory(business=shop)
    client.get("/shop/ashas-pantry/")
    other = BusinessFactory()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.put_product(business=other, retailer_id="X", values={"title": "X", "price_minor": 1})
    with CaptureQueriesContext(connection) as queries:
        client.get("/shop/ashas-pantry/")
    assert len(queries) == 1


def test_qr_codes_encode_the_shops_chat_link(client, shop):
    svg = client.get("/shop/ashas-pantry/qr.svg")
    png = client.get("/shop/ashas-pantry/qr.png")
    assert svg["Content-Type"] == "image/svg+xml" and png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    import io
    expected = io.BytesIO()
    segno.make("https://wa.me/919876543210?text=Hi", error="m", micro=False).save(expected, kind="png", scale=10,
                                                                                 border=4)
    assert png.content == expected.getvalue()
