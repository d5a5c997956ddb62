"""What the public shop page reads: the business behind a slug (only an active one is
public), its collections, a page of its products (all, one collection's, or a search's), and
one product. Each read is bounded: a page is PAGE_SIZE products whatever the catalog's size,
ordered by an index (business, title, id), so 50,000 products cost what 50 do."""
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from catalog.models import Collection, Product
from catalog.selectors import search_products
from shopchat.models import Business

PAGE_SIZE = 24
MAX_COLLECTIONS = 50
MAX_QUERY = 100
LISTED_FIELDS = ("id", "business_id", "retailer_id", "title", "price_minor", "sale_price_minor", "image_link",
                 "availability", "stock_quantity", "reserved_quantity")
SELLABLE = {Product.Availability.IN_STOCK, Product.Availability.PREORDER, Product.Availability.AVAILABLE_FOR_ORDER}


def public_business(slug: str) -> Business:
    """The active business of `slug`; a pending or suspended one is not public (404, like none)."""
    business = Business.objects.filter(slug=slug, status=Business.Status.ACTIVE).first()
    if business is None:
        raise Http404("No such shop.")
    return business


def shop_collections(business: Business) -> list[Collection]:
    return list(Collection.objects.filter(business=business, is_active=True).order_by("position", "name")
                .only("id", "name", "slug")[:MAX_COLLECTIONS])


@dataclass
class ProductPage:
    page: Page
    query: str
    collection: Collection | None


def product_page(business: Business, *, query: str = "", collection_slug: str = "", number: str | int = 1,
                 collections: list[Collection] | None = None) -> ProductPage:
    """One page of the shop's active products: a search's best first, a collection's in its
    order, else all by title. A page number out of range gives the last page."""
    query = (query or "").strip()[:MAX_QUERY]
    collection = None
    products: QuerySet[Product]
    if collection_slug:
        collection = next((c for c in collections or [] if c.slug == collection_slug), None) or \
            Collection.objects.filter(business=business, is_active=True, slug=collection_slug).first()
    if query:
        products = search_products(business=business, query=query)
        if collection is not None:
            products = products.filter(collection_entries__collection=collection)
    elif collection is not None:
        products = (Product.objects.filter(business=business, is_active=True, collection_entries__collection=collection)
                    .order_by("collection_entries__position", "id"))
    else:
        products = Product.objects.filter(business=business, is_active=True).order_by("title", "id")
    page = Paginator(products.only(*LISTED_FIELDS), PAGE_SIZE).get_page(number)
    return ProductPage(page=page, query=query, collection=collection)


def shop_product(business: Business, retailer_id: str) -> Product:
    product = Product.objects.filter(business=business, retailer_id=retailer_id, is_active=True).first()
    if product is None:
        raise Http404("No such product.")
    return product


def in_stock(product: Product) -> bool:
    """Whether a shopper can order it now: offered for sale, and units left when stock is counted."""
    available = product.available_quantity
    return product.availability in SELLABLE and (available is None or available > 0)
