"""`manage.py settle [--business SLUG]`: settle one business or all of them now."""
from django.core.management.base import BaseCommand, CommandError

from payments import services
from payments.errors import NoPayoutAccount
from shopchat.models import Business
from shopchat.money import display


class Command(BaseCommand):
    help = "Settle captured, unsettled payments into statements and pay them out."

    def add_arguments(self, parser):
        parser.add_argument("--business", metavar="SLUG", help="Only this business.")

    def handle(self, *args, business=None, **options):
        if business:
            try:
                found = Business.objects.get(slug=business)
            except Business.DoesNotExist:
                raise CommandError(f"No business with slug {business!r}.") from None
            try:
                settlement = services.settle_business(business=found)
            except NoPayoutAccount as exc:
                raise CommandError(exc.message) from None
            settlements = [settlement] if settlement else []
        else:
            settlements = services.settle_all()
        for s in settlements:
            self.stdout.write(f"{s.business.slug}: settlement {s.pk}, {s.payment_count} payments, "
                              f"payout {display(s.payout_minor, s.currency)}")
        self.stdout.write(self.style.SUCCESS(f"{len(settlements)} settlement(s)."))
