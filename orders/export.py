"""The order list as CSV: the rows the merchant filtered, amounts in the major unit beside the
currency (exact, from minor units), cells escaped against spreadsheet formulas."""
from django.utils import timezone

from shopchat.csv_export import csv_response
from shopchat.money import format_major

HEADER = ["number", "placed_at", "status", "customer_name", "customer_phone", "currency", "subtotal", "tax",
          "shipping", "discount", "total", "refunded", "paid_at", "carrier", "tracking_number", "shipped_at",
          "delivered_at"]


def _when(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def export_orders(queryset):
    orders = queryset.select_related("customer").order_by("-created_at", "-id")

    def rows():
        for order in orders.iterator(chunk_size=2000):
            cur = order.currency
            yield [order.number, _when(order.created_at), order.get_status_display(), order.customer.name,
                   f"+{order.customer.wa_id}", cur, format_major(order.subtotal_minor, cur),
                   format_major(order.tax_minor, cur), format_major(order.shipping_minor, cur),
                   format_major(order.discount_minor, cur), format_major(order.total_minor, cur),
                   format_major(order.refunded_minor, cur), _when(order.paid_at), order.carrier,
                   order.tracking_number, _when(order.shipped_at), _when(order.delivered_at)]

    return csv_response(f"orders-{timezone.localdate().isoformat()}.csv", HEADER, rows())
