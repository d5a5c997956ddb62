"""The public shop page, its product pages and QR codes. Pending and suspended businesses
answer 404 (their status is read on every request; only the page body is cached)."""
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import qr, selectors, shop


@require_GET
def shop_page(request: HttpRequest, slug: str) -> HttpResponse:
    business = selectors.public_business(slug)

    def build() -> str:
        collections = selectors.shop_collections(business)
        listing = selectors.product_page(business, query=request.GET.get("q", ""),
                                         collection_slug=request.GET.get("collection", ""),
                                         number=request.GET.get("page", 1), after=request.GET.get("after"),
                                         before=request.GET.get("before"), collections=collections)
        url = shop.absolute(reverse("web:shop", args=[business.slug]))
        return render_to_string("web/shop.html", {
            "business": business, "collections": collections, "listing": listing,
            "cards": [shop.card(business, p) for p in listing.products],
            "chat_link": shop.chat_link(business), "url": url,
            "browser_chat": shop.browser_chat_link(business),
        }, request=request)

    return HttpResponse(shop.cached(request, business, build))


@require_GET
def product_page(request: HttpRequest, slug: str, retailer_id: str) -> HttpResponse:
    business = selectors.public_business(slug)

    def build() -> str:
        product = selectors.shop_product(business, retailer_id)
        url = shop.absolute(reverse("web:product", args=[business.slug, product.retailer_id]))
        return render_to_string("web/product.html", {
            "business": business, "card": shop.card(business, product), "product": product, "url": url,
            "json_ld": shop.product_json_ld(business, product, url), "chat_link": shop.chat_link(business),
            "browser_chat": shop.browser_chat_link(business),
        }, request=request)

    return HttpResponse(shop.cached(request, business, build))


def _qr(slug: str, kind: str) -> HttpResponse:
    business = selectors.public_business(slug)
    link = shop.chat_link(business)
    body, content_type = (qr.qr_svg(link), "image/svg+xml") if kind == "svg" else (qr.qr_png(link), "image/png")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{business.slug}-qr.{kind}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def qr_svg(request: HttpRequest, slug: str) -> HttpResponse:
    return _qr(slug, "svg")


@require_GET
def qr_png(request: HttpRequest, slug: str) -> HttpResponse:
    return _qr(slug, "png")
