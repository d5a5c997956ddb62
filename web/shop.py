"""What the shop page shows besides the catalog: the shop's chat link (WhatsApp's wa.me, else
the chat in the browser), each product's "Order on WhatsApp" link, prices in the shop's
currency, and the schema.org Product data of a product page. Also the page cache: a page is
cached under the catalog's version (bumped by the catalog services), the business's own
fields and the language, for CACHE_SECONDS (stock held by new orders shows within that)."""
import hashlib
import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from catalog.models import Product
from catalog.versions import catalog_version
from chat import links
from shopchat.models import Business
from shopchat.money import display, format_major

from .selectors import in_stock

CACHE_SECONDS = 60
SCHEMA_AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def chat_link(business: Business) -> str:
    """The shop's "Hi" link: WhatsApp when the business shows its number, else the browser chat
    (else, with that closed too, the shop page)."""
    return (links.wa_me_link(display_number=business.wa_display_number, text=links.greeting_text())
            or absolute(reverse("web:chat" if business.web_chat_enabled else "web:shop", args=[business.slug])))


def browser_chat_link(business: Business, text: str = "") -> str:
    """The chat in the browser, its message box prefilled with `text` ("" when it is closed)."""
    if not business.web_chat_enabled:
        return ""
    url = reverse("web:chat", args=[business.slug])
    return f"{url}?{urlencode({'text': text})}" if text else url


def order_link(business: Business, product: Product) -> str:
    """"Order on WhatsApp" of one product ("" when the business shows no WhatsApp number)."""
    return links.wa_me_link(display_number=business.wa_display_number,
                            text=links.order_text(title=product.title, retailer_id=product.retailer_id))


def card(business: Business, product: Product) -> dict:
    """A product as the shop page lists it."""
    price = product.current_price_minor
    return {
        "product": product,
        "price": display(price, business.currency),
        "was": display(product.price_minor, business.currency) if product.sale_price_minor is not None else "",
        "in_stock": in_stock(product),
        "url": reverse("web:product", args=[business.slug, product.retailer_id]),
        "order_link": order_link(business, product),
        "chat_order_link": browser_chat_link(
            business, links.order_text(title=product.title, retailer_id=product.retailer_id)),
    }


def product_json_ld(business: Business, product: Product, url: str) -> str:
    """schema.org Product with its Offer, as JSON safe inside <script type="application/ld+json">."""
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.title, "sku": product.retailer_id,
        "url": url,
        "offers": {"@type": "Offer", "price": format_major(product.current_price_minor, business.currency),
                   "priceCurrency": business.currency, "availability": SCHEMA_AVAILABILITY[in_stock(product)],
                   "url": url, "seller": {"@type": "Organization", "name": business.name}},
    }
    if product.description:
        data["description"] = product.description[:5000]
    if product.image_link:
        data["image"] = product.image_link
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    text = json.dumps(data, ensure_ascii=False)
    # what would end the script element or open a comment inside it, escaped as JSON allows
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def cached(request: HttpRequest, business: Business, build: Callable[[], str]) -> str:
    """The page `build()` renders, cached under the catalog's version, the business's shown
    fields, the language and the full path."""
    shown = "|".join(str(v) for v in (business.name, business.description, business.logo_url,
                                      business.wa_display_number, business.currency, business.web_chat_enabled))
    digest = hashlib.sha256("\x00".join((shown, get_language() or "", request.get_full_path())).encode()).hexdigest()
    key = f"web:page:{business.pk}:{catalog_version(business.pk)}:{digest}"
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, CACHE_SECONDS)
    return html
