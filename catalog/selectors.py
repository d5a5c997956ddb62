"""Catalog reads that are more than a filter: text search, and the querysets the API lists.

Search on PostgreSQL is full-text over a weighted document (title A > brand B > description C),
every word a prefix ("basm" finds basmati), all words required, ranked by ts_rank. The document
holds each word as typed (the 'simple' configuration) and, for a catalog in German, Italian,
Spanish or Portuguese (the business's language), also its stem in that language, so "Äpfel" finds
"Apfel" and "mela" finds "mele"; a query asks for either form of each word. Hindi and English
catalogs keep the words as typed. The trigger of migration 0003 builds the document, and builds
it again for every product of a business whose language changes. On SQLite the same call
matches each word as a substring of title, brand or description and ranks title hits before
brand hits before description hits, so simple queries give the same products in the same
order of relevance.
"""
import datetime
import functools
import operator
import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import BigIntegerField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Coalesce

from shopchat import sql
from shopchat.models import Business

from .models import VARIANT_ATTRIBUTES, Collection, Product

MAX_TERMS = 8
# Letters, digits and the vowel signs of the Indic scripts (Devanagari to Sinhala), which \w leaves
# out; not the danda (।, ॥), which ends a sentence.
WORD_RE = re.compile(r"(?:\w|[\u0900-\u0963\u0966-\u0DFF])+", re.UNICODE)
SEARCH_CONFIG = "simple"
# The business's language -> PostgreSQL's text-search configuration that stems its words (the same
# table is written into the trigger's SQL by migration 0003); other languages: words as typed.
STEMMING_CONFIGS = {"de": "german", "it": "italian", "es": "spanish", "pt-br": "portuguese"}
# ts_rank weights for D, C, B, A: a title hit counts ten times a description hit.
RANK_WEIGHTS = [0.05, 0.1, 0.4, 1.0]


def search_config(language: str | None) -> str:
    """The stemming configuration of a catalog in `language` ('simple' when there is none)."""
    return STEMMING_CONFIGS.get(str(language or ""), SEARCH_CONFIG)


def search_document(language: str | None = None) -> CombinedExpression:
    """The weighted tsvector expression the trigger stores in Product.search_vector."""
    document = (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("brand", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )
    config = search_config(language)
    if config != SEARCH_CONFIG:
        document = (document + SearchVector("title", weight="A", config=config)
                    + SearchVector("brand", weight="B", config=config)
                    + SearchVector("description", weight="C", config=config))
    return document


def search_terms(query: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(query or "")][:MAX_TERMS]


def search_products(*, business: Business, query: str,
                    queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """The business's active products matching `query`, best first (annotated `search_score`,
    an integer, higher is better; ties by id). An empty query matches nothing."""
    if queryset is None:
        queryset = Product.objects.all()
    queryset = queryset.filter(business=business, is_active=True).defer("search_vector")
    return rank_matches(queryset, query, language=business.language).order_by("-search_score", "id")


def rank_matches(queryset: QuerySet[Product], query: str, language: str | None = None) -> QuerySet[Product]:
    """`queryset` cut to the rows matching `query`, annotated with `search_score` (not ordered).
    `language`: the catalog's (the business's), whose stems also match; without it, words match
    as typed. Used by search_products, the API's `q` and the back office's search box."""
    terms = search_terms(query)
    if not terms:
        return queryset.none().annotate(search_score=Value(0, output_field=BigIntegerField()))
    if sql.is_postgres():
        config = search_config(language)

        def word(term: str) -> SearchQuery:
            as_typed = SearchQuery(f"{term}:*", search_type="raw", config=SEARCH_CONFIG)
            if config == SEARCH_CONFIG:
                return as_typed
            # A stop word stems to nothing; the word as typed still counts.
            return as_typed | SearchQuery(f"{term}:*", search_type="raw", config=config)

        tsquery = functools.reduce(operator.and_, (word(t) for t in terms))
        rank = SearchRank(F("search_vector"), tsquery, weights=RANK_WEIGHTS)
        return queryset.filter(search_vector=tsquery).annotate(
            search_score=Cast(rank * Value(1_000_000.0), output_field=BigIntegerField())
        )
    return _rank_by_substring(queryset, terms)


def _rank_by_substring(queryset: QuerySet[Product], terms: list[str]) -> QuerySet[Product]:
    """SQLite (and any other database): every term in title, brand or description; a term in
    the title scores 100, in the brand 10, in the description 1."""
    match = Q()
    score: Any = Value(0, output_field=BigIntegerField())
    for term in terms:
        match &= Q(title__icontains=term) | Q(brand__icontains=term) | Q(description__icontains=term)
        score = score + Case(
            When(title__icontains=term, then=Value(100)),
            When(brand__icontains=term, then=Value(10)),
            default=Value(1), output_field=IntegerField(),
        ) + Case(When(description__icontains=term, then=Value(1)), default=Value(0), output_field=IntegerField())
    return queryset.filter(match).annotate(search_score=Cast(score, output_field=BigIntegerField()))


def current_price() -> Coalesce:
    """The price a customer pays now: the sale price when there is one."""
    return Coalesce("sale_price_minor", "price_minor")


def api_products(*, business: Business) -> QuerySet[Product]:
    """What the API shows: the business's active products."""
    return Product.objects.filter(business=business, is_active=True).defer("search_vector")


def in_stock_q() -> Q:
    """Sellable now: marked in stock and, when stock is tracked, units left after reservations."""
    return Q(availability=Product.Availability.IN_STOCK) & (
        Q(stock_quantity__isnull=True) | Q(stock_quantity__gt=F("reserved_quantity"))
    )


def collections_with_counts(*, business: Business) -> QuerySet[Collection]:
    """Active collections of the business with `product_count` (active products only)."""
    from django.db.models import Count

    return Collection.objects.filter(business=business, is_active=True).annotate(
        product_count=Count("entries", filter=Q(entries__product__is_active=True))
    )


def feed_version(*, business: Business, fmt: str = "csv") -> tuple[str, datetime.datetime | None]:
    """(ETag, Last-Modified) of the business's live feed, from one aggregate query: any edit,
    new product, stock or reservation change gives a new ETag."""
    import hashlib

    from django.db.models import Count, Max, Sum

    agg = Product.objects.filter(business=business, is_active=True).aggregate(
        n=Count("pk"), changed=Max("updated_at"), stock=Sum("stock_quantity"), reserved=Sum("reserved_quantity"))
    key = f"{fmt}|{business.currency}|{agg['n']}|{agg['changed']}|{agg['stock']}|{agg['reserved']}"
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"', agg["changed"]


# --- variants ----------------------------------------------------------------------------------

# Letter sizes smallest first; "2xl" and "xxl" are one size.
_LETTER_SIZES = {name: rank for rank, names in enumerate([
    ("xxxs", "3xs"), ("xxs", "2xs"), ("xs", "extra small"), ("s", "small"), ("m", "medium"), ("l", "large"),
    ("xl", "extra large"), ("xxl", "2xl"), ("xxxl", "3xl"), ("xxxxl", "4xl"), ("5xl",), ("6xl",),
]) for name in names}
_NUMBER_RE = re.compile(r"\d{1,4}(?:[.,]\d{1,2})?")


def _size_key(size: str) -> tuple[int, float] | None:
    """Where a size goes among sizes: letter sizes by size, numbers ("38", "9.5") by value; None
    for anything else ("one size", "6-12 months")."""
    text = size.strip().lower()
    if text in _LETTER_SIZES:
        return (0, float(_LETTER_SIZES[text]))
    if _NUMBER_RE.fullmatch(text):
        return (1, float(text.replace(",", ".")))
    return None


def sort_variants(variants: list[Product]) -> list[Product]:
    """A group's variants in the order a customer reads them: by size when every size reads like
    one (S, M, L, XL or 36, 38, 40), then as they were created (the feed's order)."""
    variants = sorted(variants, key=lambda p: p.pk or 0)
    keys = [_size_key(p.size) for p in variants]
    if not variants or None in keys:
        return variants
    ranked = sorted(zip(keys, range(len(variants)), variants, strict=True), key=lambda k: (k[0], k[1]))
    return [product for _key, _position, product in ranked]


def group_variants(*, business: Business, item_group_id: str) -> list[Product]:
    """The active variants of the business's group `item_group_id` (one query on the
    (business, item_group_id) index), in `sort_variants` order; [] for no such group."""
    if not item_group_id:
        return []
    variants = Product.objects.filter(business=business, item_group_id=item_group_id,
                                      is_active=True).defer("search_vector")
    return sort_variants(list(variants))


def varying_attributes(variants: list[Product]) -> list[str]:
    """The variant attributes (`VARIANT_ATTRIBUTES` order) whose values differ within `variants`."""
    return [name for name in VARIANT_ATTRIBUTES if len({getattr(p, name) for p in variants}) > 1]
