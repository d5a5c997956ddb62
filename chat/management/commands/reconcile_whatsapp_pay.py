"""reconcile_whatsapp_pay BUSINESS_SLUG [--days 7]: captured WhatsApp Pay payments checked
against Meta's payment lookup API; prints each difference, exit 1 when there is one."""
from django.core.management.base import BaseCommand, CommandError

from chat.whatsapp_pay import reconcile_payments
from shopchat.models import Business


class Command(BaseCommand):
    help = "Check captured WhatsApp Pay payments against Meta's payment lookup API."

    def add_arguments(self, parser):
        parser.add_argument("business_slug")
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business_slug"]).first()
        if business is None:
            raise CommandError(f"No business with the slug {opts['business_slug']!r}.")
        mismatches = reconcile_payments(business=business, days=opts["days"])
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        if mismatches:
            raise CommandError(f"{len(mismatches)} WhatsApp Pay payments differ.")
        self.stdout.write("WhatsApp Pay payments agree with Meta's lookup API.")
