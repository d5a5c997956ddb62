"""erase_customer SLUG WA_ID [--reason TEXT]: replace the customer's personal data with
tombstones everywhere (docs/PRIVACY.md); money records stay. Exit status 1 when refused."""
from django.core.management.base import BaseCommand, CommandError

from shopchat.errors import DomainError
from shopchat.models import ErasureRecord
from shopchat.privacy import services

from ._customer import find_customer


class Command(BaseCommand):
    help = "Erase one customer's personal data (GDPR Art. 17); orders, payments and the ledger are kept."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("wa_id")
        parser.add_argument("--reason", default="", help="why (no personal data), kept on the erasure record")

    def handle(self, *args, **opts):
        customer = find_customer(opts["slug"], opts["wa_id"])
        try:
            record = services.erase_customer(customer=customer, actor="manage.py erase_customer",
                                             reason=opts["reason"], source=ErasureRecord.Source.COMMAND)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        total = sum(record.counts.values())
        self.stdout.write(self.style.SUCCESS(f"Erasure #{record.pk}: {total} row(s) changed."))
        for what, rows in sorted(record.counts.items()):
            self.stdout.write(f"  {what}: {rows}")
