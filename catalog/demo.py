"""Deterministic demo catalogs: the rows of a grocery feed, a feed file of N rows (for the
benchmark and tests), and the `seed_demo` seeder that imports them through the real import.

The same arguments always give the same rows, so a demo or a benchmark is repeatable."""
import csv
import io
import random

from . import feeds

AISLES = {
    "Rice & Grains": ["Basmati Rice", "Brown Rice", "Sona Masoori Rice", "Poha", "Quinoa", "Rolled Oats"],
    "Flour & Dal": ["Whole Wheat Atta", "Besan", "Toor Dal", "Moong Dal", "Chana Dal", "Rava"],
    "Dairy & Eggs": ["Toned Milk", "Paneer", "Curd", "Salted Butter", "Ghee", "Cheddar Slices", "Eggs"],
    "Fruit & Vegetables": ["Alphonso Mangoes", "Bananas", "Tomatoes", "Red Onions", "Baby Spinach", "Potatoes"],
    "Beverages": ["Assam Tea", "Filter Coffee", "Orange Juice", "Mineral Water", "Masala Chai", "Lemonade"],
    "Snacks": ["Bhujia", "Potato Chips", "Butter Cookies", "Dark Chocolate", "Roasted Cashews", "Popcorn"],
    "Household": ["Laundry Detergent", "Dishwash Liquid", "Kitchen Towels", "Scrub Sponges", "Garbage Bags"],
    "Personal Care": ["Herbal Shampoo", "Toothpaste", "Neem Soap", "Hand Wash", "Coconut Oil", "Sunscreen"],
}
BRANDS = ["Annapurna", "Kisan Gold", "Himalaya Farms", "Desi Dairy", "Green Basket", "Royal Harvest",
          "Chai Point", "Nilgiri Estates", "Crunchy Co", "Sparkle", "Pure Leaf", "Spice Route"]
VARIANTS = ["Organic", "Premium", "Classic", "Family Pack", "Low Fat", "Extra Long Grain", "Value", "Fresh"]
SIZES = ["100 g", "250 g", "500 g", "1 kg", "2 kg", "5 kg", "10 kg", "200 ml", "500 ml", "1 l", "Pack of 6"]


def product_rows(n: int, *, currency: str = "INR", seed: int = 11, start: int = 1):
    """Yield `n` feed rows (dicts in feed columns), deterministic for the same arguments."""
    rng = random.Random(seed)
    for number in range(start, start + n):
        aisle = rng.choice(list(AISLES))
        item = rng.choice(AISLES[aisle])
        brand = rng.choice(BRANDS)
        size = rng.choice(SIZES)
        title = f"{brand} {rng.choice(VARIANTS)} {item} {size}"
        minor = rng.randint(1500, 150000)
        sale = int(minor * rng.uniform(0.7, 0.95)) if rng.random() < 0.12 else None
        sku = f"DG-{number:06d}"
        yield {
            "id": sku,
            "title": title,
            "description": f"{item} by {brand}, {size}. From our {aisle.lower()} aisle.",
            "availability": "in stock" if rng.random() < 0.94 else "out of stock",
            "condition": "new",
            "price": feeds.format_price(minor, currency),
            "sale_price": feeds.format_price(sale, currency),
            "link": f"https://demo-grocer.example/p/{sku.lower()}",
            "image_link": f"https://picsum.photos/seed/{sku.lower()}/300/300",
            "brand": brand,
            "product_type": aisle,
            "inventory": str(rng.randint(0, 400)),
        }


def write_feed(out, n: int, *, currency: str = "INR", seed: int = 11, delimiter: str = ","):
    """Write a feed of `n` rows to the text stream `out`."""
    writer = csv.DictWriter(out, fieldnames=feeds.COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    for row in product_rows(n, currency=currency, seed=seed):
        writer.writerow(row)


def feed_bytes(n: int, **kwargs) -> bytes:
    out = io.StringIO()
    write_feed(out, n, **kwargs)
    return out.getvalue().encode()


# A product with variants (the feed's item_group_id): a T-shirt in three sizes and two colours,
# each variant its own row with its own id and stock; large white is sold out.
TSHIRT_GROUP = "DG-TEE"
TSHIRT_SIZES = ("S", "M", "L")
TSHIRT_COLORS = ("Navy", "White")


def tshirt_rows(*, currency: str = "INR") -> list[dict[str, str]]:
    """The demo T-shirt's variants as feed rows (dicts in feed columns)."""
    return [
        {"id": f"{TSHIRT_GROUP}-{color[0]}{size}", "title": "Classic Cotton T-shirt",
         "description": "Soft combed cotton, regular fit.", "availability": "in stock", "condition": "new",
         "price": feeds.format_price(49900, currency), "sale_price": "",
         "link": f"https://demo-grocer.example/p/{TSHIRT_GROUP.lower()}",
         "image_link": f"https://picsum.photos/seed/{TSHIRT_GROUP.lower()}-{color.lower()}/300/300",
         "brand": "Demo Grocer", "product_type": "Clothing",
         "inventory": "0" if (size, color) == ("L", "White") else "25",
         "item_group_id": TSHIRT_GROUP, "size": size, "color": color, "material": "Cotton", "pattern": "Solid",
         "gender": "unisex"}
        for color in TSHIRT_COLORS for size in TSHIRT_SIZES
    ]


def seed(*, business, products: int, stdout) -> None:
    """The demo business's catalog: `products` products in collections by aisle and the T-shirt
    with its variants, imported through the real feed import (so running it again changes nothing)."""
    from .services import import_feed

    result = import_feed(business=business, source=io.BytesIO(feed_bytes(products, currency=business.currency)),
                         create_collections=True)
    stdout.write(f"Catalog: {result.summary()}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=feeds.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(tshirt_rows(currency=business.currency))
    tees = import_feed(business=business, source=io.BytesIO(out.getvalue().encode()), create_collections=True)
    stdout.write(f"  a T-shirt in sizes {', '.join(TSHIRT_SIZES)} and {len(TSHIRT_COLORS)} colours "
                 f"(item_group_id {TSHIRT_GROUP}): {tees.summary()}")
