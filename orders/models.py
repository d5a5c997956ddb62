"""Orders of chat customers: lines snapshot title and price at placement; totals are exact
and always add up (a CHECK holds total = subtotal + tax + shipping - discount)."""
from django.db import models
from django.db.models import F, Q

from catalog.models import Product
from shopchat.models import Business, Customer


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Pending payment"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        PARTLY_REFUNDED = "partly_refunded", "Partly refunded"
        REFUNDED = "refunded", "Refunded"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=20)
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    currency = models.CharField(max_length=3)
    subtotal_minor = models.BigIntegerField(default=0)
    tax_minor = models.BigIntegerField(default=0)
    shipping_minor = models.BigIntegerField(default=0)
    discount_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    address = models.TextField(blank=True)
    note = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="order_business_number_unique"),
            models.UniqueConstraint(fields=["business", "sequence"], name="order_business_sequence_unique"),
            models.CheckConstraint(
                condition=Q(total_minor=F("subtotal_minor") + F("tax_minor") + F("shipping_minor") - F("discount_minor")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(subtotal_minor__gte=0) & Q(tax_minor__gte=0) & Q(shipping_minor__gte=0)
                & Q(discount_minor__gte=0) & Q(total_minor__gte=0),
                name="order_amounts_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["business", "status", "-created_at"], name="order_business_status_idx")]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    tenant_path = "order__business"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="order_lines")
    retailer_id = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    unit_price_minor = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    line_total_minor = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1) & Q(quantity__lte=999), name="order_line_quantity_range"),
            models.CheckConstraint(
                condition=Q(line_total_minor=F("unit_price_minor") * F("quantity")), name="order_line_total_adds_up"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.title}"
