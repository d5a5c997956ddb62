"""export_customer SLUG WA_ID [--output FILE]: the customer's data export (docs/PRIVACY.md) as
JSON, on stdout or into FILE."""
import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from shopchat.privacy import services

from ._customer import find_customer


class Command(BaseCommand):
    help = "Export everything a business holds about one customer (GDPR Art. 15/20) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("wa_id")
        parser.add_argument("--output", help="write the document into this file instead of stdout")

    def handle(self, *args, **opts):
        customer = find_customer(opts["slug"], opts["wa_id"])
        text = json.dumps(services.export_customer(customer=customer), cls=DjangoJSONEncoder, indent=2,
                          ensure_ascii=False)
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
            self.stderr.write(f"Export written to {opts['output']}.")
        else:
            self.stdout.write(text)
