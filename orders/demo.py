"""Demo orders for the demo business (run by `seed_demo` after the catalog): one per story in
DEMO_ORDERS, placed through orders.services like real ones. The steps that need no money
(cancel, expire) run here; the ones that do (pay, ship, deliver, refund, settle) are
payments.demo's, which pays each order for real, so every paid order has its payment. Asha also
has a cart in progress. Deterministic and idempotent: running it again adds nothing. If the
business has no products yet (the catalog seeder did not run), a few demo products are created.
"""
from datetime import timedelta

from catalog.models import Product
from shopchat.services import upsert_customer

from . import services
from .models import Order, ShippingBand, ShippingOption, ShippingZone

DEMO_PRODUCTS = [
    ("DEMO-TEA-250", "Assam tea 250 g", 24900),
    ("DEMO-RICE-5K", "Basmati rice 5 kg", 64900),
    ("DEMO-GHEE-1L", "Cow ghee 1 l", 72500),
    ("DEMO-DAL-1K", "Toor dal 1 kg", 17900),
    ("DEMO-MASALA", "Garam masala 100 g", 8950),
]

# (customer wa_id, name, what happens to the order after placement)
DEMO_ORDERS = [
    ("15550101001", "Asha Rao", []),
    ("15550101002", "Vikram Shah", ["paid"]),
    ("15550101003", "Meera Iyer", ["paid", "shipped"]),
    ("15550101004", "Rahul Das", ["paid", "shipped", "delivered"]),
    ("15550101005", "Priya Nair", ["cancelled"]),
    ("15550101006", "Arjun Mehta", ["expired"]),
    ("15550101007", "Kavya Pillai", ["paid", "partly_refunded"]),
    ("15550101008", "Sanjay Gupta", ["paid", "refunded"]),
]
TRACKING = "DEMO{index}"  # the tracking number of DEMO_ORDERS[index] once shipped


def _demo_products(business, count=3):
    """Active products with room for a demo order: the catalog's, or our own."""
    products = [
        p for p in Product.objects.filter(business=business, is_active=True).order_by("pk")[:200]
        if p.stock_quantity is None or p.available_quantity >= 10
    ][:count]
    if len(products) >= count:
        return products
    for retailer_id, title, price in DEMO_PRODUCTS:
        Product.objects.get_or_create(
            business=business, retailer_id=retailer_id,
            defaults={"title": title, "price_minor": price, "stock_quantity": 500, "product_type": "Grocery"},
        )
    return list(Product.objects.filter(business=business, retailer_id__in=[p[0] for p in DEMO_PRODUCTS])
                .order_by("pk")[:count])


def seed_shipping(*, business) -> None:
    """Bengaluru (standard, free from 999; express, cheaper from 500 of goods), the rest of the
    country (standard) and pickup in store, once."""
    if ShippingOption.objects.filter(business=business).exists():
        return
    country = business.country or "IN"
    city = ShippingZone.objects.create(business=business, name="Bengaluru", country=country,
                                       postcode_prefixes="560, 561, 562")
    rest = ShippingZone.objects.create(business=business, name="Rest of the country", country=country)
    ShippingOption.objects.create(business=business, code="standard", name="Standard", zone=city, price_minor=4000,
                                  free_over_minor=99_900, description="2-3 days", position=1)
    express = ShippingOption.objects.create(business=business, code="express", name="Express", zone=city,
                                            price_minor=15000, description="Tomorrow", position=2)
    ShippingBand.objects.create(option=express, from_minor=50_000, price_minor=10000)
    ShippingOption.objects.create(business=business, code="india", name="Standard", zone=rest, price_minor=9900,
                                  description="4-7 days", position=3)
    ShippingOption.objects.create(business=business, code="pickup", name="Pick up in store", kind="pickup",
                                  description="MG Road shop, 10:00-20:00", position=9)


def seed(*, business, products=None, stdout=None):
    seed_shipping(business=business)
    if Order.objects.filter(business=business, customer__wa_id__in=[o[0] for o in DEMO_ORDERS]).exists():
        if stdout:
            stdout.write("  orders: demo orders already there")
        return
    catalog = _demo_products(business)
    for index, (wa_id, name, steps) in enumerate(DEMO_ORDERS):
        customer = upsert_customer(business=business, wa_id=wa_id, name=name, locale="en_IN")
        items = [{"retailer_id": p.retailer_id, "quantity": 1 + (index + n) % 3} for n, p in enumerate(catalog)
                 if (index + n) % 2 == 0 or n == 0]
        order = services.place_order(business=business, customer=customer, items=items,
                                     address=f"{10 + index} MG Road, Bengaluru 5600{index:02d}",
                                     note="Demo order" if index % 2 else "")
        for step in steps:
            if step == "cancelled":
                order = services.cancel_order(order=order, reason="customer changed their mind")
            elif step == "expired":
                order = services.expire_order(order=order, now=order.expires_at + timedelta(seconds=1))
    services.set_cart_item(business=business, customer=upsert_customer(business=business, wa_id=DEMO_ORDERS[0][0]),
                           product=catalog[-1], quantity=2)
    if stdout:
        stdout.write(f"  orders: {len(DEMO_ORDERS)} demo orders (payments pays, ships and refunds them) and a cart")
