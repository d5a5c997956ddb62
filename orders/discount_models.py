"""Coupon codes and automatic discounts, and their uses. Which discount an order gets and how it
combines with tax: `orders.services.discounts`.

Whether a business has any (automatic discounts, coupon codes) is cached in the shared cache
(Redis: the web processes and the workers read the same keys), so a business without discounts
pays no query at placement. Every write of a discount forgets the flags: at once, and again
when the writing transaction commits, because a reader in another process may have cached the
old flags between the two (it read before the commit). Bulk updates and deletes go through
`DiscountQuerySet`, which forgets them too (counting a use, `used_count`, changes no flag)."""
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business, Customer

DISCOUNT_FLAGS_KEY = "orders:discount-flags:{}"


def forget_discount_flags(business_id: int | None) -> None:
    """Drop the business's cached discount flags now and once the current transaction commits."""
    if business_id is None:
        return
    key = DISCOUNT_FLAGS_KEY.format(business_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class DiscountQuerySet(models.QuerySet):
    FLAGLESS_FIELDS = frozenset({"used_count"})

    def update(self, **kwargs):
        if set(kwargs) <= self.FLAGLESS_FIELDS:
            return super().update(**kwargs)
        businesses = set(self.values_list("business_id", flat=True))
        rows = super().update(**kwargs)
        for business_id in businesses:
            forget_discount_flags(business_id)
        return rows

    def delete(self):
        businesses = set(self.values_list("business_id", flat=True))
        result = super().delete()
        for business_id in businesses:
            forget_discount_flags(business_id)
        return result


class Discount(models.Model):
    """A coupon code the customer types ("SAVE10"), or an automatic discount (no code) the
    order gets when it qualifies: percent or fixed amount off the goods (of some collections, or
    all), from a minimum of goods, within a window, a limited number of times in total and per
    customer. How discounts combine with each other and with tax: `orders.services.discounts`."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off"

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="discounts")
    code = models.CharField(_("code"), max_length=40, blank=True,
                            help_text=_("What the customer types, e.g. SAVE10 (upper case); empty: automatic."))
    name = models.CharField(_("name"), max_length=60, help_text=_("What the customer sees, e.g. 10% off tea."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True, blank=True,
                                  help_text=_("For percent off: 0.01 to 100."))
    amount_minor = models.BigIntegerField(_("amount off (minor units)"), null=True, blank=True)
    min_subtotal_minor = models.BigIntegerField(_("minimum goods (minor units)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("usage limit"), null=True, blank=True,
                                              help_text=_("Uses in total; empty: no limit."))
    per_customer_limit = models.PositiveIntegerField(_("per customer limit"), null=True, blank=True,
                                                     help_text=_("Uses per customer; empty: no limit."))
    used_count = models.PositiveIntegerField(_("used count"), default=0, editable=False)
    collections = models.ManyToManyField("catalog.Collection", verbose_name=_("collections"), blank=True,
                                         related_name="discounts",
                                         help_text=_("Only goods of these collections; none: all goods."))
    is_active = models.BooleanField(_("is active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DiscountQuerySet.as_manager()

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], condition=~Q(code=""),
                                    name="discount_business_code_unique"),
            models.CheckConstraint(
                condition=(Q(kind="percent") & Q(percent__gt=0) & Q(percent__lte=100) & Q(amount_minor__isnull=True))
                | (Q(kind="fixed") & Q(amount_minor__gt=0) & Q(percent__isnull=True)),
                name="discount_value_fits_kind"),
            models.CheckConstraint(condition=Q(usage_limit__isnull=True) | Q(used_count__lte=F("usage_limit")),
                                   name="discount_used_within_limit"),
            models.CheckConstraint(condition=Q(min_subtotal_minor__isnull=True) | Q(min_subtotal_minor__gte=0),
                                   name="discount_min_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True)
                                   | Q(ends_at__gt=F("starts_at")), name="discount_window_ordered"),
        ]

    def __str__(self):
        return self.code or f"{self.name} (automatic)"

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)
        forget_discount_flags(self.business_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_discount_flags(self.business_id)
        return result


class DiscountRedemption(models.Model):
    """One use of a discount by an order (what counts against the per-customer limit)."""

    tenant_path = "order__business"

    discount = models.ForeignKey(Discount, verbose_name=_("discount"), on_delete=models.PROTECT,
                                 related_name="redemptions")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.CASCADE,
                              related_name="discount_redemptions")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+")
    amount_minor = models.BigIntegerField(_("amount minor"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("discount redemption")
        verbose_name_plural = _("discount redemptions")
        constraints = [
            models.UniqueConstraint(fields=["discount", "order"], name="discount_redemption_once_per_order"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="discount_redemption_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["discount", "customer"], name="discount_use_customer_idx")]

    def __str__(self):
        return f"{self.discount_id} on {self.order_id}"
