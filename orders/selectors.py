"""Reads of carts and orders that more than one caller needs (API, admin, chat engine)."""
from typing import TypedDict
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet

from catalog.models import Product
from shopchat.models import Business, Customer

from .models import CartItem, Order, OrderLine, OrderTransition


class CartLine(TypedDict):
    product: Product
    quantity: int
    line_total_minor: int


class CartContents(TypedDict):
    customer: Customer
    currency: str
    items: list[CartLine]
    subtotal_minor: int
    item_count: int


def cart_contents(*, business: Business, customer: Customer) -> CartContents:
    """The customer's cart at today's prices: items (with what is still available) and the
    goods' sum. An absent cart is an empty one."""
    items = list(
        CartItem.objects.filter(cart__business=business, cart__customer=customer)
        .select_related("product").order_by("created_at", "id")
    )
    return contents_of(business=business, customer=customer, items=[(i.product, i.quantity) for i in items])


def contents_of(*, business: Business, customer: Customer, items: list[tuple[Product, int]]) -> CartContents:
    """The cart's answer from its items ((product, quantity), in cart order) already read."""
    lines: list[CartLine] = [
        {"product": product, "quantity": quantity, "line_total_minor": product.current_price_minor * quantity}
        for product, quantity in items
    ]
    return {"customer": customer, "currency": business.currency, "items": lines,
            "subtotal_minor": sum(line["line_total_minor"] for line in lines),
            "item_count": sum(line["quantity"] for line in lines)}


def orders_with_details(queryset: QuerySet[Order] | None = None, *, history: bool = False) -> QuerySet[Order]:
    """Orders with their customer and lines (and status history) loaded in a fixed number of queries."""
    queryset = Order.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    if history:
        queryset = queryset.prefetch_related(
            Prefetch("transitions", queryset=OrderTransition.objects.order_by("created_at", "id"))
        )
    return queryset


def latest_order(*, business: Business, customer: Customer) -> Order | None:
    """The customer's most recent order (the one a "where is my order" asks about), or None."""
    return Order.objects.filter(business=business, customer=customer).order_by("-created_at", "-pk").first()


def last_order_to_repeat(*, business: Business, customer: Customer) -> Order | None:
    """The order "order again" repeats: the customer's most recent one that is not still
    waiting for payment (that one is already open), or None."""
    return (Order.objects.filter(business=business, customer=customer)
            .exclude(status=Order.Status.PENDING_PAYMENT).order_by("-created_at", "-pk").first())


class RepeatedLine(TypedDict):
    retailer_id: str
    title: str
    quantity: int


class Repeat(TypedDict):
    items: list[dict]  # `place_order` items at today's prices (no item_price: priced anew)
    left_out: list[RepeatedLine]  # no longer sold, or not enough in stock


def repeat_items(*, order: Order) -> Repeat:
    """The lines of `order` as a new order would take them: each product still sold and with the
    quantity in stock; the others are left out (placement checks stock again under its locks)."""
    lines = list(order.lines.order_by("id"))
    products = {p.retailer_id: p for p in Product.objects.filter(
        business_id=order.business_id, retailer_id__in=[line.retailer_id for line in lines])}
    items: list[dict] = []
    left_out: list[RepeatedLine] = []
    for line in lines:
        product = products.get(line.retailer_id)
        available = product.available_quantity if product is not None else 0
        if product is None or not product.is_active or (available is not None and available < line.quantity):
            left_out.append({"retailer_id": line.retailer_id, "title": line.title, "quantity": line.quantity})
        else:
            items.append({"retailer_id": line.retailer_id, "quantity": line.quantity})
    return {"items": items, "left_out": left_out}


# Carriers whose tracking page takes the number in its address (`Order.carrier`, any case).
CARRIER_TRACKING_URLS = {
    "dhl": "https://www.dhl.com/en/express/tracking.html?AWB={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "delhivery": "https://www.delhivery.com/track/package/{number}",
    "blue dart": "https://www.bluedart.com/web/guest/trackdartresult?trackFor=0&trackNo={number}",
    "bluedart": "https://www.bluedart.com/web/guest/trackdartresult?trackFor=0&trackNo={number}",
    "india post": "https://www.indiapost.gov.in/_layouts/15/dop.portal.tracking/trackconsignment.aspx?{number}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{number}",
    "gls": "https://gls-group.com/track/{number}",
    "correos": "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={number}",
    "poste italiane": "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}",
    "correios": "https://rastreamento.correios.com.br/app/index.php?objeto={number}",
}


def tracking_link(order: Order) -> str:
    """Where the customer follows the parcel: the tracking number when it is an address itself,
    the carrier's tracking page for a known carrier, else "" (the number is told on its own)."""
    return carrier_tracking_link(order.carrier, order.tracking_number)


def carrier_tracking_link(carrier: str | None, tracking_number: str | None) -> str:
    """`tracking_link` of a carrier and a tracking number as an event carries them."""
    number = (tracking_number or "").strip()
    if not number:
        return ""
    if number.startswith(("https://", "http://")):
        return number
    template = CARRIER_TRACKING_URLS.get(" ".join((carrier or "").lower().split()))
    return template.format(number=quote(number, safe="")) if template else ""
