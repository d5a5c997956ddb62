"""Export in the feed's columns, and the secret feed URL's token."""
from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet

from shopchat.models import Business, new_feed_token

from .. import feeds
from ..models import Product
from .upsert import BATCH_SIZE


def export_feed(*, business: Business, delimiter: str = ",", for_meta: bool = False,
                queryset: QuerySet[Product] | None = None) -> Iterator[str]:
    """The business's active products as feed lines (a generator: streamed, 2,000 rows at a
    time). Imported again, an export (not `for_meta`) changes nothing."""
    qs = queryset if queryset is not None else Product.objects.all()
    rows = (qs.filter(business=business, is_active=True).order_by("pk")
            .values_list(*feeds.EXPORT_FIELDS).iterator(chunk_size=BATCH_SIZE))
    return feeds.feed_lines(rows, currency=business.currency, delimiter=delimiter, for_meta=for_meta)


def rotate_feed_token(*, business: Business) -> str:
    """A new secret for the public feed URL; the old URL answers 404 from now on."""
    token = new_feed_token()
    with transaction.atomic():
        Business.objects.filter(pk=business.pk).update(feed_token=token)
    business.feed_token = token
    return token
