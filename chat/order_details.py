"""WhatsApp's `order_details` payment request for an order: Meta's `review_and_pay` parameters."""
from collections.abc import Callable

from django.utils.translation import gettext as _

from shopchat.money import display, exponent

from . import messages as wa


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
    details = {
        "status": "pending",
        "items": [{"retailer_id": line.retailer_id, "name": wa.clip(line.title, 60),
                   "amount": amount(line.unit_price_minor), "quantity": line.quantity} for line in lines],
        "subtotal": amount(items_minor),
        "tax": amount(tax_on_top, description=tax_label),
    }
    if config.catalog_id:
        details["catalog_id"] = config.catalog_id
    if order.shipping_minor:
        details["shipping"] = amount(order.shipping_minor, description=_("Shipping"))
    if order.discount_minor:
        details["discount"] = amount(order.discount_minor, description=_("Discount"))
    if order.expires_at:
        details["expiration"] = {"timestamp": str(int(order.expires_at.timestamp())),
                                 "description": _("Unpaid orders expire")}
    return {
        "reference_id": order.number,
        "type": "physical-goods",
        "payment_settings": [{"type": "payment_gateway", "payment_gateway": {
            "type": config.payment_gateway, "configuration_name": config.payment_configuration}}],
        "currency": order.currency,
        "total_amount": amount(order.total_minor),
        "order": details,
    }
