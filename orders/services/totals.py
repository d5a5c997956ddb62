"""Order totals: exact, in minor units, always `total = subtotal + tax + shipping - discount`."""
from decimal import ROUND_HALF_UP, Decimal

from shopchat.models import Business


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_totals(*, business: Business, items_minor: int, shipping_minor: int | None = None,
                   discount_minor: int = 0) -> dict[str, int]:
    """Subtotal, tax, shipping, discount and total (minor units) for goods worth `items_minor`
    at their shelf prices. Always total = subtotal + tax + shipping - discount.

    Tax-inclusive prices: tax is the part of the price that is tax, and the subtotal is the
    net amount (so the total is what the shelf prices add up to, plus shipping). Tax-exclusive:
    tax is added on top. Shipping is the business's flat fee, free when the goods reach
    `free_shipping_over_minor`, unless the caller priced it (`shipping_minor`: store pickup,
    a shipping option); it is not taxed. `discount_minor` (see `discounts`) comes off the goods
    before tax: tax is on the discounted goods, and with tax-inclusive prices the subtotal is the
    goods less that tax (so total = goods - discount + shipping, as the shelf prices promise).
    """
    rate = Decimal(business.tax_rate_percent)
    discount = max(0, min(discount_minor, items_minor))
    taxable = items_minor - discount
    if business.prices_include_tax:
        tax = round_half_up(Decimal(taxable) * rate / (Decimal(100) + rate))
        subtotal = items_minor - tax
    else:
        tax = round_half_up(Decimal(taxable) * rate / Decimal(100))
        subtotal = items_minor
    threshold = business.free_shipping_over_minor
    if shipping_minor is not None:
        shipping = shipping_minor
    elif items_minor == 0 or (threshold is not None and items_minor >= threshold):
        shipping = 0
    else:
        shipping = business.shipping_fee_minor
    return {"subtotal_minor": subtotal, "tax_minor": tax, "shipping_minor": shipping,
            "discount_minor": discount, "total_minor": subtotal + tax + shipping - discount}
