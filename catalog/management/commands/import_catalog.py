"""import_catalog BUSINESS_SLUG FILE: import a CSV/TSV feed; exit status 1 when rows were rejected."""
import sys

from django.core.management.base import BaseCommand, CommandError

from catalog import services
from catalog.feeds import FeedError
from shopchat.models import Business


class Command(BaseCommand):
    help = "Import a catalog feed (CSV or TSV) into a business; prints a summary and the rejected rows."

    def add_arguments(self, parser):
        parser.add_argument("business_slug")
        parser.add_argument("file")
        parser.add_argument("--create-collections", action="store_true",
                            help="put products in collections named after their product_type")
        parser.add_argument("--deactivate-missing", action="store_true",
                            help="the file is the whole catalog: deactivate active products not in it")
        parser.add_argument("--max-errors", type=int, default=50, help="rejected rows to print (default 50)")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business_slug"]).first()
        if business is None:
            raise CommandError(f"No business with slug {opts['business_slug']!r}.")
        try:
            with open(opts["file"], "rb") as source:
                result = services.import_feed(business=business, source=source,
                                              create_collections=opts["create_collections"],
                                              deactivate_missing=opts["deactivate_missing"])
        except OSError as exc:
            raise CommandError(f"Cannot read {opts['file']}: {exc.strerror or exc}") from None
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
        for error in result.errors[: opts["max_errors"]]:
            self.stdout.write(f"  row {error.row}, {error.column or 'line'}: {error.reason}")
        if len(result.errors) > opts["max_errors"]:
            self.stdout.write(f"  ... and {len(result.errors) - opts['max_errors']} more")
        if result.errors:
            sys.exit(1)
