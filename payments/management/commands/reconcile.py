"""`manage.py reconcile`: prove the ledger; exit status 1 when anything does not add up."""
import sys

from django.core.management.base import BaseCommand

from payments import services


class Command(BaseCommand):
    help = "Check ledger balances against payments, refunds, commission and payouts."

    def handle(self, *args, **options):
        differences = services.reconcile()
        for diff in differences:
            self.stdout.write(self.style.ERROR(str(diff)))
        if differences:
            self.stdout.write(self.style.ERROR(f"{len(differences)} difference(s)."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Ledger reconciled: no differences."))
