"""WhatsApp's `order_details` payment request for an order: Meta's `review_and_pay` parameters,
by the rules of Meta's guide "Receive payments via payment gateways on WhatsApp" (India):

- physical goods that are shipped name their `beneficiaries` (the order's delivery address);
- without a `catalog_id`, every item names `country_of_origin`, `importer_name` and
  `importer_address`;
- `expiration` is at least 300 seconds away, or left out (the order's own expiry still holds);
- above ₹5,00,000 UPI cannot pay: `enabled_payment_options` is `["web"]` (cards, netbanking).
"""
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shopchat.money import display, exponent

from . import messages as wa

MIN_EXPIRATION_SECONDS = 300  # Meta's minimum
UPI_LIMIT_MINOR = 5_00_000_00  # ₹5,00,000 in paise


def order_details_parameters(config, order, lines, money: Callable[[int], str] | None = None) -> dict:
    """The `review_and_pay` parameters of an order (amounts as value x offset of minor units); the
    descriptions in the active language, amounts in them told by `money` (minor units -> text)."""
    money = money or (lambda minor: display(minor, order.currency))
    offset = 10 ** exponent(order.currency)

    def amount(minor, **extra):
        return {"value": int(minor), "offset": offset, **extra}

    # Meta wants subtotal = sum(amount x quantity) and total = subtotal + tax + shipping - discount.
    # With tax-inclusive prices the order's subtotal is net of tax, so the shelf prices are shown
    # as the subtotal and the tax (already in them) as zero with its amount in the description.
    items_minor = sum(line.unit_price_minor * line.quantity for line in lines)
    tax_on_top = order.total_minor - items_minor - order.shipping_minor + order.discount_minor
    tax_label = _("Tax") if tax_on_top else (
        _("Includes tax %(tax)s") % {"tax": money(order.tax_minor)} if order.tax_minor else _("Tax"))
    importer = {} if config.catalog_id else _importer(config)
    details: dict[str, Any] = {
        "status": "pending",
        "items": [{"retailer_id": line.retailer_id, "name": wa.clip(line.title, 60),
                   "amount": amount(line.unit_price_minor), "quantity": line.quantity, **importer} for line in lines],
        "subtotal": amount(items_minor),
        "tax": amount(tax_on_top, description=tax_label),
    }
    if config.catalog_id:
        details["catalog_id"] = config.catalog_id
    if order.shipping_minor:
        details["shipping"] = amount(order.shipping_minor, description=order.shipping_method or _("Shipping"))
    if order.discount_minor:
        details["discount"] = amount(order.discount_minor, description=order.discount_label or _("Discount"))
    if order.expires_at and (order.expires_at - timezone.now()).total_seconds() >= MIN_EXPIRATION_SECONDS:
        details["expiration"] = {"timestamp": str(int(order.expires_at.timestamp())),
                                 "description": _("Unpaid orders expire")}
    gateway: dict[str, Any] = {"type": config.payment_gateway, "configuration_name": config.payment_configuration}
    if order.currency == "INR" and order.total_minor > UPI_LIMIT_MINOR:
        gateway["enabled_payment_options"] = ["web"]
    parameters: dict[str, Any] = {
        "reference_id": order.number,
        "type": "physical-goods",
        "payment_settings": [{"type": "payment_gateway", "payment_gateway": gateway}],
        "currency": order.currency,
        "total_amount": amount(order.total_minor),
        "order": details,
    }
    beneficiary = _beneficiary(order)
    if beneficiary:
        parameters["beneficiaries"] = [beneficiary]
    return parameters


def _importer(config) -> dict:
    address = config.importer_address or {}
    importer_address = {key: str(address[key]) for key in ("address_line1", "address_line2", "city", "zone_code",
                                                             "postal_code", "country_code") if address.get(key)}
    return {"country_of_origin": config.country_of_origin or "India",
            "importer_name": config.importer_name or config.business.name,
            "importer_address": importer_address}


def _beneficiary(order) -> dict | None:
    """The shipping address of physical goods, from the order's delivery address snapshot."""
    address = getattr(order, "delivery_address", None) or {}
    if not address.get("line1"):
        return None
    beneficiary = {"name": str(address.get("name") or order.customer.name or "Customer")[:100],
                   "address_line1": str(address["line1"])[:100],
                   "address_line2": str(address.get("line2") or "")[:100],
                   "city": str(address.get("city") or ""), "state": str(address.get("region") or ""),
                   "country": str(address.get("country") or "India"),
                   "postal_code": str(address.get("postcode") or "")}
    return {key: value for key, value in beneficiary.items() if value}
