"""configure_whatsapp BUSINESS_SLUG --phone-number-id ID --access-token T --app-secret S
--verify-token V [--base-url URL] [--api-version v23.0] [--catalog-id C] [--waba-id W]

Sets a business's WhatsApp Cloud API credentials (the same as the back office form) for
automated set-ups. Bad arguments: one line, exit 1."""
import json

from django.core.management.base import BaseCommand, CommandError

from chat.services import ConfigError, configure_whatsapp
from shopchat.models import Business


class Command(BaseCommand):
    help = "Connect a business to its WhatsApp Cloud API number."

    def add_arguments(self, parser):
        parser.add_argument("business_slug")
        parser.add_argument("--phone-number-id", required=True)
        parser.add_argument("--access-token", required=True)
        parser.add_argument("--app-secret", required=True)
        parser.add_argument("--verify-token", required=True)
        parser.add_argument("--base-url")
        parser.add_argument("--api-version")
        parser.add_argument("--catalog-id")
        parser.add_argument("--waba-id", help="the WhatsApp Business Account id (its message templates are synced)")
        parser.add_argument("--payment-configuration", help="WhatsApp Pay (India) payment configuration name")
        parser.add_argument("--payment-gateway", help="razorpay, payu, billdesk or zaakpay")
        parser.add_argument("--importer-name", help="without a catalog: the importer Meta shows on each item")
        parser.add_argument("--importer-address", help='JSON: {"address_line1", "city", "zone_code", '
                                                       '"postal_code", "country_code"}')
        parser.add_argument("--country-of-origin", help="without a catalog: the items' country of origin")
        parser.add_argument("--disabled", action="store_true", help="store the settings without serving the number")

    def handle(self, *args, **opts):
        business = Business.objects.filter(slug=opts["business_slug"]).first()
        if business is None:
            raise CommandError(f"No business with the slug {opts['business_slug']!r}.")
        try:
            config = configure_whatsapp(
                business=business, phone_number_id=opts["phone_number_id"], access_token=opts["access_token"],
                app_secret=opts["app_secret"], verify_token=opts["verify_token"], base_url=opts["base_url"],
                api_version=opts["api_version"], catalog_id=opts["catalog_id"], enabled=not opts["disabled"],
                payment_configuration=opts["payment_configuration"], payment_gateway=opts["payment_gateway"],
                importer_name=opts["importer_name"], importer_address=_address(opts["importer_address"]),
                country_of_origin=opts["country_of_origin"], waba_id=opts["waba_id"],
            )
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"WhatsApp number {config.phone_number_id} of {business.name} is "
                          f"{'enabled' if config.enabled else 'stored, disabled'}; "
                          f"messages go to {config.messages_url}. Point Meta's webhook at /webhooks/whatsapp/.")


def _address(value: str | None) -> dict | None:
    if value is None:
        return None
    try:
        address = json.loads(value)
    except ValueError:
        raise CommandError("--importer-address must be a JSON object.") from None
    if not isinstance(address, dict):
        raise CommandError("--importer-address must be a JSON object.")
    return address
