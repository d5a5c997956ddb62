"""export_catalog BUSINESS_SLUG [FILE]: the active catalog as a CSV (or .tsv) feed; stdout by default."""
from django.core.management.base import BaseCommand, CommandError

from catalog import services
from shopchat.models import Business


class Command(BaseCommand):
    help = "Export the business's active products in the feed format (import_catalog reads it back unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("business_slug")
        parser.add_argument("file", nargs="?", help="output file; .tsv for tabs; stdout when left out")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business_slug"]).first()
        if business is None:
            raise CommandError(f"No business with slug {opts['business_slug']!r}.")
        target = opts["file"]
        delimiter = "\t" if target and target.lower().endswith(".tsv") else ","
        lines = services.export_feed(business=business, delimiter=delimiter)
        if not target:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        count = -1
        with open(target, "w", encoding="utf-8", newline="") as out:
            for line in lines:
                out.write(line)
                count += 1
        self.stderr.write(f"{count} products written to {target}")
