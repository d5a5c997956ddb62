"""seed_demo: a demo business with an owner login and API keys, printed; each app adds its
demo rows (catalog, orders, tickets) through settings.DEMO_SEEDERS. Safe to run again: an
existing demo business is kept and a fresh API key is printed."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from shopchat.models import Business
from shopchat.services import add_member, create_api_key, create_business

DEMO_SLUG = "demo-grocer"
OWNER = "owner@demo.shopchat.local"
PASSWORD = "demo-owner-pass"


class Command(BaseCommand):
    help = "Create (or refresh) the demo business and print its logins and API key."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=300, help="demo catalog size")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=DEMO_SLUG).first()
        created = business is None
        if created:
            business = create_business(
                name="Demo Grocer", slug=DEMO_SLUG, currency="INR", owner_email=OWNER, password=PASSWORD,
                wa_display_number="15550001000", wa_phone_number_id="100000000000002", order_prefix="DG",
                tax_rate_percent="5.00", shipping_fee_minor=4000, free_shipping_over_minor=100000,
                payout_account="demogrocer@okbank",
            )
            add_member(business=business, email="manager@demo.shopchat.local", role="manager", password=PASSWORD)
            add_member(business=business, email="agent@demo.shopchat.local", role="agent", password=PASSWORD)
        with transaction.atomic():
            for dotted in settings.DEMO_SEEDERS:
                import_string(dotted)(business=business, products=opts["products"], stdout=self.stdout)
        _, gateway_key = create_api_key(business=business, name="demo gateway", scopes=["gateway"])
        _, integration_key = create_api_key(business=business, name="demo integration",
                                            scopes=["gateway", "integration"])
        self.stdout.write(self.style.SUCCESS(f"Demo business: {business.name} (slug {business.slug})"
                                             + ("" if created else ", already there")))
        self.stdout.write(f"  back office:  {settings.SITE_URL}/admin/")
        self.stdout.write(f"  owner login:  {OWNER} / {PASSWORD}")
        self.stdout.write(f"  manager:      manager@demo.shopchat.local / {PASSWORD}")
        self.stdout.write(f"  agent:        agent@demo.shopchat.local / {PASSWORD}")
        self.stdout.write(f"  API docs:     {settings.SITE_URL}/api/docs/")
        self.stdout.write(f"  integration key (gateway + integration): {integration_key}")
        self.stdout.write("  gateway API key (Authorization: Api-Key <key>):")
        self.stdout.write(gateway_key)
