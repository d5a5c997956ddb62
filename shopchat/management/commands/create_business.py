"""create_business NAME --currency INR --owner EMAIL [--password P] [--slug S]

Prints the new business's slug alone on its last line. Bad arguments: one line, exit 1."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shopchat.services import BusinessError, create_business


class Command(BaseCommand):
    help = "Create a business with its owner login."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--currency", required=True)
        parser.add_argument("--owner", required=True, help="owner's e-mail (their login)")
        parser.add_argument("--password")
        parser.add_argument("--slug")

    def handle(self, *args, **opts):
        try:
            business = create_business(
                name=opts["name"], currency=opts["currency"], owner_email=opts["owner"],
                password=opts["password"], slug=opts["slug"],
            )
        except BusinessError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"Created {business.name} ({business.currency}), owner {opts['owner']}")
        self.stdout.write(business.slug)
