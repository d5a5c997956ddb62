"""create_api_key BUSINESS_SLUG [--name N] [--scopes gateway,integration]

Prints the key once, alone on its last line."""
from django.core.management.base import BaseCommand, CommandError

from shopchat.models import Business
from shopchat.services import BusinessError, create_api_key


class Command(BaseCommand):
    help = "Create an API key for a business and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("business_slug")
        parser.add_argument("--name", default="gateway")
        parser.add_argument("--scopes", default="gateway", help="comma-separated: gateway, integration")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business_slug"]).first()
        if business is None:
            raise CommandError(f"No business with slug {opts['business_slug']!r}.")
        scopes = [s.strip() for s in opts["scopes"].split(",") if s.strip()]
        try:
            key, full_key = create_api_key(business=business, name=opts["name"], scopes=scopes)
        except BusinessError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"API key {key.name!r} for {business.slug} with scopes {', '.join(key.scopes)}:")
        self.stdout.write(full_key)
