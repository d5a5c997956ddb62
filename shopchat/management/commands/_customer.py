"""The customer a privacy command names: SLUG WA_ID, or a CommandError."""
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from shopchat.models import Business, Customer
from shopchat.validators import normalize_wa_id, validate_wa_id


def find_customer(slug: str, raw_wa_id: str) -> Customer:
    business = Business.objects.filter(slug=slug).first()
    if business is None:
        raise CommandError(f"No business with slug {slug!r}.")
    wa_id = normalize_wa_id(raw_wa_id)
    try:
        validate_wa_id(wa_id)
    except ValidationError:
        raise CommandError("WA_ID is not a valid WhatsApp number (E.164 digits).") from None
    customer = Customer.objects.filter(business=business, wa_id=wa_id).select_related("business").first()
    if customer is None:
        raise CommandError(f"{business.slug} has no customer with this number.")
    return customer
