"""The public catalog feed Meta's Commerce Manager fetches on a schedule:
`/feeds/<business slug>/<secret token>.csv` (or `.tsv`). Streamed row by row, with ETag and
Last-Modified so an unchanged catalog answers 304; a wrong token or slug is a plain 404."""
import hmac

from django.http import Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from shopchat.models import Business

from . import selectors, services

CONTENT_TYPES = {"csv": ("text/csv; charset=utf-8", ","), "tsv": ("text/tab-separated-values; charset=utf-8", "\t")}


@require_safe
def catalog_feed(request, slug, token, fmt):
    business = Business.objects.filter(slug=slug, status=Business.Status.ACTIVE).first()
    if business is None or not hmac.compare_digest(business.feed_token.encode(), token.encode()):
        raise Http404("No such feed.")
    content_type, delimiter = CONTENT_TYPES[fmt]
    etag, last_modified = selectors.feed_version(business=business, fmt=fmt)
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=last_modified.timestamp() if last_modified else None)
    if not_modified is not None:
        return not_modified
    lines = services.export_feed(business=business, delimiter=delimiter, for_meta=True)
    response = StreamingHttpResponse(lines if request.method == "GET" else iter(()), content_type=content_type)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Content-Disposition"] = f'inline; filename="{business.slug}.{fmt}"'
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex"
    return response
