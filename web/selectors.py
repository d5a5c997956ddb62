"""What the public shop page reads: the business behind a slug (only an active one is
public), its collections, a page of its products (all, one collection's, or a search's), and
one product. Each read is bounded whatever the catalog's size: the whole catalog is paged by
its (title, id) index with a cursor (`after` / `before` a product), so the thousandth page
costs what the first does, and without a count; a collection's or a search's products by page
number, their counts taken once per catalog version (`catalog.versions`) and kept in the cache."""
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404

from catalog.models import Collection, Product
from catalog.selectors import search_products
from catalog.versions import catalog_version
from shopchat.models import Business

PAGE_SIZE = 24
MAX_COLLECTIONS = 50
MAX_QUERY = 100
COUNT_SECONDS = 24 * 3600  # the key changes with the catalog version anyway
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
    products: list[Product]
    count: int | None  # None for the whole catalog's pages (they need no count)
    query: str = ""
    collection: Collection | None = None
    number: int | None = None  # page number (collections and searches); None for the cursor pages
    pages: int | None = None
    next_query: str = ""  # the query string of the next / previous page, "" when there is none
    previous_query: str = ""
    filters: dict[str, str] = field(default_factory=dict)


def _count(business: Business, products: QuerySet[Product], what: str) -> int:
    key = f"web:count:{business.pk}:{catalog_version(business.pk)}:{hashlib.sha256(what.encode()).hexdigest()[:32]}"
    count = cache.get(key)
    if count is None:
        count = products.order_by().count()
        cache.set(key, count, COUNT_SECONDS)
    return int(count)


def _number(value: str | int | None) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except (TypeError, ValueError):
        return 1


def _pk(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def product_page(business: Business, *, query: str = "", collection_slug: str = "", number: str | int | None = 1,
                 after: str | None = None, before: str | None = None,
                 collections: list[Collection] | None = None) -> ProductPage:
    """One page of the shop's active products: a search's best first, a collection's in its
    order (both by page number), else the whole catalog by title (by cursor)."""
    query = (query or "").strip()[:MAX_QUERY]
    collection = None
    if collection_slug:
        collection = next((c for c in collections or [] if c.slug == collection_slug), None) or \
            Collection.objects.filter(business=business, is_active=True, slug=collection_slug).first()
    filters = {k: v for k, v in (("q", query), ("collection", collection.slug if collection else "")) if v}
    if not query and collection is None:
        return _catalog_page(business, after=_pk(after), before=_pk(before))
    products: QuerySet[Product]
    if query:
        products = search_products(business=business, query=query)
        if collection is not None:
            products = products.filter(collection_entries__collection=collection)
    else:
        assert collection is not None
        products = (Product.objects.filter(business=business, is_active=True, collection_entries__collection=collection)
                    .order_by("collection_entries__position", "id"))
    count = _count(business, products, f"{query}\x00{collection.pk if collection else ''}")
    paginator = Paginator(products.only(*LISTED_FIELDS), PAGE_SIZE)
    paginator.count = count  # a cached_property: the count taken once per catalog version
    page = paginator.get_page(_number(number))
    return ProductPage(
        products=list(page.object_list), count=count, query=query, collection=collection, number=page.number,
        pages=paginator.num_pages, filters=filters,
        next_query=urlencode({**filters, "page": page.next_page_number()}) if page.has_next() else "",
        previous_query=urlencode({**filters, "page": page.previous_page_number()}) if page.has_previous() else "",
    )


def _catalog_page(business: Business, *, after: int | None, before: int | None) -> ProductPage:
    active = Product.objects.filter(business=business, is_active=True)
    anchor_pk = after or before
    anchor = active.filter(pk=anchor_pk).values_list("title", flat=True).first() if anchor_pk else None
    listed = active.only(*LISTED_FIELDS)
    if anchor is not None and before:
        # `title <= anchor` bounds the index range; the OR only filters within it
        rows = list(listed.filter(Q(title__lte=anchor), Q(title__lt=anchor) | Q(pk__lt=before))
                    .order_by("-title", "-id")[:PAGE_SIZE + 1])
        more_before = len(rows) > PAGE_SIZE
        products = rows[:PAGE_SIZE][::-1]
        has_next, has_previous = True, more_before
    else:
        if anchor is not None:
            listed = listed.filter(Q(title__gte=anchor), Q(title__gt=anchor) | Q(pk__gt=after))
        rows = list(listed.order_by("title", "id")[:PAGE_SIZE + 1])
        products = rows[:PAGE_SIZE]
        has_next, has_previous = len(rows) > PAGE_SIZE, anchor is not None
    return ProductPage(
        products=products, count=None,
        next_query=urlencode({"after": products[-1].pk}) if has_next and products else "",
        previous_query=urlencode({"before": products[0].pk}) if has_previous and products else "",
    )


def shop_product(business: Business, retailer_id: str) -> Product:
    product = Product.objects.filter(business=business, retailer_id=retailer_id, is_active=True).first()
    if product is None:
        raise Http404("No such product.")
    return product


def in_stock(product: Product) -> bool:
    """Whether a shopper can order it now: offered for sale, and units left when stock is counted."""
    available = product.available_quantity
    return product.availability in SELLABLE and (available is None or available > 0)
