"""Coupons and automatic discounts: which one an order gets, how much, and its use counted once.

The rule (one, everywhere: placement, the cart's preview, the chat):

1. A discount is worth, on the goods it covers (the lines of its collections, or all lines) at
   their shelf prices: `percent` of them rounded half up to the minor unit, or its fixed amount
   (never more than those goods). It needs the whole order's goods to reach its minimum.
2. Discounts do not stack: the order gets the single largest of the qualifying automatic
   discounts and the coupon code given (the earliest created wins a tie), shown as
   `Order.discount_label`.
3. The discount comes off the goods before tax: tax is computed on the discounted goods (on top
   of them with tax-exclusive prices, the part of them that is tax with tax-inclusive ones);
   shipping is neither discounted nor taxed. Always total = subtotal + tax + shipping - discount
   (see `totals.compute_totals`), exact in minor units of every currency (JPY has none).

A code that cannot be used is refused naming why (`CouponRefused`, code `coupon_*`): unknown,
not started, expired, used up, used up for this customer, below its minimum, or none of the
goods it covers. Its last permitted use goes to exactly one order: `redeem` counts it with one
conditional UPDATE of the discount row (which locks it until the placement commits; placements
that do not use the discount never touch the row), so a second order racing for the last use
finds it used up and writes nothing. The discount row comes after the order row and before the
stock rows in the lock order. A use is not given back when an unpaid order expires or is
cancelled (a merchant raises the limit in the back office if they want to).

Reading costs a constant number of queries: the discounts (one), their collections (one, only
when one has collections), the goods of those collections among the order's (one), and the
customer's uses (one, only for a per-customer limit). A business without discounts pays none
of them: whether it has automatic discounts and coupon codes is kept in the shared cache
(`discount_flags`, at most a minute old, forgotten whenever a discount is written, at once and
at commit: see `orders.discount_models`).
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CollectionProduct
from shopchat.errors import check_tenant
from shopchat.models import Business, Customer
from shopchat.money import display

from ..discount_models import DISCOUNT_FLAGS_KEY
from ..errors import CouponRefused, OrderErrorCode
from ..models import Cart, Discount, DiscountRedemption, Order
from .totals import round_half_up

MAX_CODE = 40
FLAGS_SECONDS = 60


def flags_key(business_id: int) -> str:
    return DISCOUNT_FLAGS_KEY.format(business_id)


def discount_flags(business: Business) -> tuple[bool, bool]:
    """(has active automatic discounts, has active coupon codes): from the cache, else one query."""
    flags = cache.get(flags_key(business.pk))
    if flags is None:
        counts = Discount.objects.filter(business=business, is_active=True).aggregate(
            automatic=Count("pk", filter=Q(code="")), codes=Count("pk", filter=~Q(code="")))
        flags = (bool(counts["automatic"]), bool(counts["codes"]))
        cache.set(flags_key(business.pk), flags, FLAGS_SECONDS)
    return bool(flags[0]), bool(flags[1])


def cart_coupon(*, business: Business, customer: Customer) -> str:
    """The coupon code kept on the customer's cart (no query when the business has no codes)."""
    if not discount_flags(business)[1]:
        return ""
    return Cart.objects.filter(customer=customer).values_list("coupon", flat=True).first() or ""


@dataclass(frozen=True)
class Applied:
    """The discount an order gets, and how much it takes off (minor units)."""

    discount: Discount
    amount_minor: int

    @property
    def label(self) -> str:
        return self.discount.code or self.discount.name


def normalize_code(code: str) -> str:
    return "".join(str(code or "").split()).upper()[:MAX_CODE]


def _candidates(business: Business, code: str) -> list[Discount]:
    """The business's active automatic discounts and the discount `code` (any state: its
    refusal names why), with their collections."""
    wanted = Q(code="", is_active=True)
    if code:
        wanted |= Q(code=code)
    return list(Discount.objects.filter(wanted, business=business).prefetch_related("collections")
                .order_by("created_at", "id"))


def _refuse(code: OrderErrorCode, message: str) -> CouponRefused:
    return CouponRefused(message, code=code)


def _window_refusal(discount: Discount, now: datetime) -> CouponRefused | None:
    if not discount.is_active:
        return _refuse(OrderErrorCode.COUPON_UNKNOWN, _("This coupon code is not valid."))
    if discount.starts_at and now < discount.starts_at:
        return _refuse(OrderErrorCode.COUPON_NOT_STARTED, _("Coupon %(code)s can be used from %(date)s.")
                       % {"code": discount.code, "date": discount.starts_at.date().isoformat()})
    if discount.ends_at and now >= discount.ends_at:
        return _refuse(OrderErrorCode.COUPON_EXPIRED, _("Coupon %(code)s expired on %(date)s.")
                       % {"code": discount.code, "date": discount.ends_at.date().isoformat()})
    if discount.usage_limit is not None and discount.used_count >= discount.usage_limit:
        return _refuse(OrderErrorCode.COUPON_USED_UP, _("Coupon %(code)s has been used up.") % {"code": discount.code})
    return None


def amount_of(discount: Discount, lines: Sequence[tuple[int | None, int]], covered: set[tuple[int, int]]) -> int:
    """What `discount` takes off goods `lines` ([(product id, line total)]): rule 1."""
    collection_ids = [c.pk for c in discount.collections.all()]
    if collection_ids:
        goods = sum(total for product_id, total in lines
                    if product_id is not None and any((c, product_id) in covered for c in collection_ids))
    else:
        goods = sum(total for _product, total in lines)
    if goods <= 0:
        return 0
    if discount.kind == Discount.Kind.PERCENT:
        return min(goods, round_half_up(Decimal(goods) * Decimal(discount.percent or 0) / Decimal(100)))
    return min(goods, discount.amount_minor or 0)


def best_discount(*, business: Business, customer: Customer | None, code: str,
                  lines: Sequence[tuple[int | None, int]], now: datetime | None = None) -> Applied | None:
    """The discount goods `lines` get (rule 2), or None. Raises CouponRefused when `code` is
    given and cannot be used on them. Reads only; `redeem` counts the use."""
    now = now or timezone.now()
    code = normalize_code(code)
    if not code and not discount_flags(business)[0]:
        return None  # no automatic discount to look for
    discounts = _candidates(business, code)
    coupon = next((d for d in discounts if code and d.code == code), None)
    if code and coupon is None:
        raise _refuse(OrderErrorCode.COUPON_UNKNOWN, _("%(code)s is not a coupon code of this shop.") % {"code": code})
    if coupon is not None:
        refusal = _window_refusal(coupon, now)
        if refusal is not None:
            raise refusal
    product_ids = [p for p, _total in lines if p is not None]
    collection_ids = {c.pk for d in discounts for c in d.collections.all()}
    covered: set[tuple[int, int]] = set()
    if collection_ids and product_ids:
        covered = set(CollectionProduct.objects.filter(collection_id__in=collection_ids, product_id__in=product_ids)
                      .values_list("collection_id", "product_id"))
    goods = sum(total for _product, total in lines)
    offers: list[Applied] = []
    for discount in discounts:
        if discount.code and discount is not coupon:
            continue
        if discount is not coupon and _window_refusal(discount, now) is not None:
            continue
        if discount.min_subtotal_minor is not None and goods < discount.min_subtotal_minor:
            if discount is coupon:
                raise _refuse(OrderErrorCode.COUPON_BELOW_MINIMUM,
                              _("Coupon %(code)s needs goods of at least %(amount)s.")
                              % {"code": coupon.code, "amount": display(coupon.min_subtotal_minor or 0,
                                                                        business.currency)})
            continue
        amount = amount_of(discount, lines, covered)
        if amount <= 0:
            if discount is coupon:
                raise _refuse(OrderErrorCode.COUPON_NOT_APPLICABLE,
                              _("Coupon %(code)s does not cover any of these products.") % {"code": coupon.code})
            continue
        offers.append(Applied(discount, amount))
    if coupon is not None and customer is not None and coupon.per_customer_limit is not None:
        used = DiscountRedemption.objects.filter(discount=coupon, customer=customer).count()
        if used >= coupon.per_customer_limit:
            raise _refuse(OrderErrorCode.COUPON_USED_BY_CUSTOMER,
                          _("You have already used coupon %(code)s.") % {"code": coupon.code})
    return max(offers, key=lambda a: a.amount_minor) if offers else None  # max keeps the first of equals


def redeem(*, order: Order, applied: Applied) -> DiscountRedemption:
    """Count one use of the discount for `order` (inside the placement's transaction): one
    conditional UPDATE of the discount row, which takes its lock; the customer's uses are
    counted again under it. Raises CouponRefused (used up) when the last use went to another
    order meanwhile. Returns the unsaved redemption row for the caller's unit of work."""
    discount = applied.discount
    counted = Discount.objects.filter(Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit")),
                                      pk=discount.pk).update(used_count=F("used_count") + 1)
    if not counted:
        raise _refuse(OrderErrorCode.COUPON_USED_UP, _("%(label)s has just been used up.") % {"label": applied.label})
    if discount.per_customer_limit is not None:
        used = DiscountRedemption.objects.filter(discount=discount, customer_id=order.customer_id).count()
        if used >= discount.per_customer_limit:
            raise _refuse(OrderErrorCode.COUPON_USED_BY_CUSTOMER,
                          _("You have already used coupon %(code)s.") % {"code": discount.code})
    return DiscountRedemption(discount=discount, order=order, customer_id=order.customer_id,
                              amount_minor=applied.amount_minor)


def set_cart_coupon(*, business: Business, customer: Customer, code: str) -> Discount | None:
    """Keep coupon `code` on the customer's cart for the next order (empty: forget it). Checks
    that the code exists and is usable now (window, total uses, the customer's uses); whether the
    goods qualify is decided at placement. Raises CouponRefused."""
    check_tenant(business, customer)
    code = normalize_code(code)
    discount = None
    if code:
        discount = Discount.objects.filter(business=business, code=code).first()
        if discount is None:
            raise _refuse(OrderErrorCode.COUPON_UNKNOWN, _("%(code)s is not a coupon code of this shop.")
                          % {"code": code})
        refusal = _window_refusal(discount, timezone.now())
        if refusal is not None:
            raise refusal
        if discount.per_customer_limit is not None and DiscountRedemption.objects.filter(
                discount=discount, customer=customer).count() >= discount.per_customer_limit:
            raise _refuse(OrderErrorCode.COUPON_USED_BY_CUSTOMER,
                          _("You have already used coupon %(code)s.") % {"code": code})
    with transaction.atomic():
        cart, _created = Cart.objects.get_or_create(customer=customer, defaults={"business": business})
        Cart.objects.filter(pk=cart.pk).update(coupon=code)
    return discount
