"""Carts and orders of chat customers.

Lines snapshot title and price at placement; totals are exact and always add up (a CHECK
holds total = subtotal + tax + shipping - discount). Order numbers come from a per-business
counter row that only ever goes up, so a number is never reused. Every status change is kept
as an OrderTransition (who, when, from, to, note). The rules themselves live in services.py.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from shopchat.models import Business, Customer


class Fulfilment(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup", _("Pick up in store")
    UNDECIDED = "undecided", _("To choose")  # a chat order, until the customer says how to receive it


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")

    # no index of their own: the composite indexes below lead with them, and every payment and
    # shipment updates the order, which writes an entry into each of its indexes
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="orders",
                                 db_index=False)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders",
                                 db_index=False)
    number = models.CharField(_("number"), max_length=20)
    sequence = models.PositiveIntegerField(_("sequence"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal_minor = models.BigIntegerField(_("subtotal minor"), default=0)
    tax_minor = models.BigIntegerField(_("tax minor"), default=0)
    shipping_minor = models.BigIntegerField(_("shipping minor"), default=0)
    discount_minor = models.BigIntegerField(_("discount minor"), default=0)
    total_minor = models.BigIntegerField(_("total minor"), default=0)
    address = models.TextField(_("address"), blank=True,
                               help_text=_("The delivery address on one line (or the gateway's free text)."))
    delivery_address = models.JSONField(_("delivery address"),
        null=True, blank=True,
        help_text=_("The structured delivery address at placement: {name, line1, line2, city, postcode, region, "
                  "country, phone, latitude, longitude} (see orders.services.addresses.Address); null when "
                  "none was given or the order is picked up in store."))
    # db_default: rows written by hand-made SQL (the bench floor) need not name these columns
    fulfilment = models.CharField(_("fulfilment"), max_length=10, choices=Fulfilment.choices,
                                  default=Fulfilment.DELIVERY,
                                  db_default=Fulfilment.DELIVERY)
    shipping_method = models.CharField(_("shipping method"), max_length=100, blank=True, default="", db_default="",
                                       help_text=_("The shipping option chosen (its name at placement)."))
    discount_label = models.CharField(_("discount label"), max_length=100, blank=True, default="", db_default="",
                                      help_text=_("The discount taken off (coupon code or the discount's name)."))
    note = models.TextField(_("note"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded_minor = models.BigIntegerField(_("refunded (minor units)"), default=0)
    stock_reserved = models.BooleanField(_("stock reserved"),
        default=True, help_text=_("The order still holds its stock reservation (released on cancel/expiry, "
                                "turned into a sale on shipping)."))
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="order_business_number_unique"),
            models.UniqueConstraint(fields=["business", "sequence"], name="order_business_sequence_unique"),
            models.CheckConstraint(
                condition=Q(
                    total_minor=F("subtotal_minor") + F("tax_minor") + F("shipping_minor") - F("discount_minor"),
                ),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(subtotal_minor__gte=0) & Q(tax_minor__gte=0) & Q(shipping_minor__gte=0)
                & Q(discount_minor__gte=0) & Q(total_minor__gte=0),
                name="order_amounts_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0) & Q(refunded_minor__lte=F("total_minor")),
                name="order_refunded_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "status", "-created_at"], name="order_business_status_idx"),
            # the back office's default list (newest first) and the integration sync (updated_since)
            models.Index(fields=["business", "-created_at"], name="order_business_created_idx"),
            models.Index(fields=["business", "updated_at"], name="order_business_updated_idx"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
            # the expiry sweep reads only the few pending orders that have an expiry
            models.Index(fields=["expires_at"], name="order_pending_expiry_idx",
                         condition=Q(status="pending_payment")),
        ]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    tenant_path = "order__business"

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, on_delete=models.SET_NULL,
                                related_name="order_lines")
    retailer_id = models.CharField(_("retailer id"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    unit_price_minor = models.BigIntegerField(_("unit price minor"))
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total_minor = models.BigIntegerField(_("line total minor"))
    stock_reserved = models.BooleanField(_("stock reserved"),
        default=False, help_text=_("The product's stock was tracked at placement and this line reserved it."))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=999), name="order_line_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(line_total_minor=F("unit_price_minor") * F("quantity")), name="order_line_total_adds_up"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.title}"


class OrderTransition(models.Model):
    """One step of an order's life: who moved it, when, from which status to which, and why."""

    tenant_path = "order__business"

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from status"), max_length=20, blank=True, help_text=_("Empty for the placement."))
    to_status = models.CharField(_("to status"), max_length=20, choices=Order.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(_("by"), max_length=150, blank=True,
                                   help_text=_("The staff member, API key or job that made the change."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order transition")
        verbose_name_plural = _("order transitions")
        ordering = ["created_at", "id"]

    def __str__(self):
        start = Order.Status(self.from_status).label if self.from_status in Order.Status.values else gettext("Placed")
        return f"{start} → {self.get_to_status_display()}"


class OrderCounter(models.Model):
    """The last order sequence handed out for a business. Only ever incremented (in the
    same UPDATE that reads it), so numbers are never reused, even after a rollback leaves a gap."""

    business = models.OneToOneField(Business, verbose_name=_("business"), on_delete=models.CASCADE, primary_key=True,
                                    related_name="+")
    last_sequence = models.PositiveIntegerField(_("last sequence"), default=1000)

    def __str__(self):
        return f"{self.business_id}: {self.last_sequence}"


class Cart(models.Model):
    """A chat customer's cart with one business (one per customer)."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="carts")
    customer = models.OneToOneField(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="cart")
    coupon = models.CharField(_("coupon"), max_length=40, blank=True, default="", db_default="",
                              help_text=_("A coupon code the customer gave for the next order."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self):
        return gettext("Cart of %(customer)s") % {"customer": self.customer}


class CartItem(models.Model):
    tenant_path = "cart__business"

    cart = models.ForeignKey(Cart, verbose_name=_("cart"), on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="cart_items")
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_item_cart_product_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=999), name="cart_item_quantity_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class OrderNote(models.Model):
    """A staff member's note on an order (the order page's timeline): internal, never sent to the
    customer. Merchant-written text, so it may name people: it goes with the order."""

    tenant_path = "order__business"

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL,
                               related_name="+")
    author_label = models.CharField(_("by"), max_length=150, blank=True)
    text = models.TextField(_("text"), max_length=4000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order note")
        verbose_name_plural = _("order notes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_note_order_idx")]

    def __str__(self):
        return gettext("Note by %(author)s on %(order)s") % {"author": self.author_label or "-", "order": self.order_id}


class CustomerAddress(models.Model):
    """A delivery address a customer saved under a label ("home", "office"): the same
    structure as an order's `delivery_address` snapshot. Personal data: part of the customer's
    export and erasure."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="+",
                                 db_index=False)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="addresses", db_index=False)
    label = models.CharField(_("label"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    line1 = models.CharField(_("line1"), max_length=200)
    line2 = models.CharField(_("line2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer address")
        ordering = ["-last_used_at", "-id"]
        verbose_name_plural = _("customer addresses")
        constraints = [
            models.UniqueConstraint(fields=["customer", "label"], name="customer_address_label_unique"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                                   name="customer_address_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="customer_address_longitude_range"),
        ]

    def __str__(self):
        return f"{self.label}: {self.line1}, {self.city}"


# Tables of this app in modules of their own (shipping options, discounts).
from .discount_models import Discount, DiscountRedemption, forget_discount_flags  # noqa: E402,F401
from .shipping_models import ShippingBand, ShippingOption, ShippingZone  # noqa: E402,F401
