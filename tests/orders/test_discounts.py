"""Coupons and automatic discounts: the one rule (best single discount, off the goods before
tax, rounded half up to the minor unit), refusals naming why, collections, the API."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Collection, CollectionProduct
from orders import services
from orders.errors import CouponRefused
from orders.models import Cart, Discount, DiscountRedemption, Order
from orders.services.discounts import set_cart_coupon
from tests.factories import BusinessFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def coupon(business, code="SAVE10", **fields):
    fields.setdefault("kind", "percent")
    if fields["kind"] == "percent":
        fields.setdefault("percent", Decimal("10"))
    return Discount.objects.create(business=business, code=code, name=fields.pop("name", code), **fields)


def place(business, customer, *products, coupon=None, quantity=1, **extra):
    return services.place_order(business=business, customer=customer, coupon=coupon, **extra,
                                items=[{"retailer_id": p.retailer_id, "quantity": quantity} for p in products])


@pytest.mark.parametrize("currency, price, inclusive, rate, expected", [
    # goods, 10% off rounded half up, tax on the discounted goods; total = subtotal + tax + shipping - discount
    ("INR", 62450, False, "18.00", {"subtotal_minor": 62450, "discount_minor": 6245, "tax_minor": 10117,
                                    "total_minor": 66322}),
    ("INR", 62450, True, "18.00", {"subtotal_minor": 53876, "discount_minor": 6245, "tax_minor": 8574,
                                   "total_minor": 56205}),
    ("EUR", 1999, True, "22.00", {"subtotal_minor": 1675, "discount_minor": 200, "tax_minor": 324,
                                  "total_minor": 1799}),
    ("JPY", 1505, False, "10.00", {"subtotal_minor": 1505, "discount_minor": 151, "tax_minor": 135,
                                   "total_minor": 1489}),
])
def test_totals_add_up_to_the_minor_unit_in_every_currency(currency, price, inclusive, rate, expected):
    business = BusinessFactory(currency=currency, prices_include_tax=inclusive, tax_rate_percent=rate,
                               shipping_fee_minor=0)
    customer = CustomerFactory(business=business)
    product = ProductFactory(business=business, price_minor=price, stock_quantity=5)
    coupon(business)
    order = place(business, customer, product, coupon="save10")
    assert {k: getattr(order, k) for k in expected} == expected
    assert order.total_minor == order.subtotal_minor + order.tax_minor + order.shipping_minor - order.discount_minor
    assert order.discount_label == "SAVE10"
    assert DiscountRedemption.objects.get(order=order).amount_minor == expected["discount_minor"]


def test_a_fixed_amount_never_exceeds_the_goods(business, customer, make_product):
    coupon(business, "BIG", kind="fixed", amount_minor=10**9)
    order = place(business, customer, make_product(price_minor=5000), coupon="BIG")
    assert order.discount_minor == 5000 and order.total_minor == order.shipping_minor + order.tax_minor


@pytest.mark.parametrize("fields, code", [
    ({"ends_at": timezone.now() - timedelta(days=1), "starts_at": timezone.now() - timedelta(days=9)},
     "coupon_expired"),
    ({"starts_at": timezone.now() + timedelta(days=1)}, "coupon_not_started"),
    ({"usage_limit": 0}, "coupon_used_up"),
    ({"min_subtotal_minor": 1_000_000}, "coupon_below_minimum"),
    ({"is_active": False}, "coupon_unknown"),
])
def test_a_code_that_cannot_be_used_is_refused_naming_why_and_nothing_is_written(business, customer, make_product,
                                                                                 fields, code):
    coupon(business, **fields)
    with pytest.raises(CouponRefused) as exc:
        place(business, customer, make_product(), coupon="SAVE10")
    assert exc.value.code == code and exc.value.field == "coupon"
    assert not Order.objects.exists()


def test_an_unknown_code_is_refused(business, customer, make_product):
    with pytest.raises(CouponRefused) as exc:
        place(business, customer, make_product(), coupon="NOPE")
    assert exc.value.code == "coupon_unknown" and "NOPE" in exc.value.message


def test_the_per_customer_limit_counts_the_customers_uses(business, customer, make_product):
    coupon(business, per_customer_limit=1)
    product = make_product(stock=10)
    place(business, customer, product, coupon="SAVE10")
    with pytest.raises(CouponRefused) as exc:
        place(business, customer, product, coupon="SAVE10")
    assert exc.value.code == "coupon_used_by_customer"
    assert place(business, CustomerFactory(business=business), product, coupon="SAVE10").discount_minor > 0


def test_the_usage_limit_counts_every_use(business, customer, make_product):
    offer = coupon(business, usage_limit=2)
    product = make_product(stock=10)
    for _ in range(2):
        place(business, CustomerFactory(business=business), product, coupon="SAVE10")
    with pytest.raises(CouponRefused) as exc:
        place(business, customer, product, coupon="SAVE10")
    assert exc.value.code == "coupon_used_up"
    offer.refresh_from_db()
    assert offer.used_count == 2


def test_a_collection_coupon_takes_off_only_its_goods(business, customer, make_product):
    tea, mug = make_product(price_minor=10000), make_product(price_minor=30000)
    teas = Collection.objects.create(business=business, name="Tea", slug="tea")
    CollectionProduct.objects.create(collection=teas, product=tea)
    coupon(business, "TEA20", percent=Decimal("20")).collections.add(teas)
    assert place(business, customer, tea, mug, coupon="TEA20").discount_minor == 2000
    with pytest.raises(CouponRefused) as exc:
        place(business, customer, mug, coupon="TEA20")
    assert exc.value.code == "coupon_not_applicable"


def test_an_automatic_discount_over_an_amount_needs_no_code(business, customer, make_product):
    Discount.objects.create(business=business, name="5% over 500", kind="percent", percent=Decimal("5"),
                            min_subtotal_minor=50000)
    assert place(business, customer, make_product(price_minor=40000)).discount_minor == 0
    order = place(business, customer, make_product(price_minor=60000))
    assert order.discount_minor == 3000 and order.discount_label == "5% over 500"


def test_discounts_do_not_stack_the_largest_applies(business, customer, make_product):
    Discount.objects.create(business=business, name="Auto 15%", kind="percent", percent=Decimal("15"))
    coupon(business)  # 10%
    order = place(business, customer, make_product(price_minor=10000), coupon="SAVE10")
    assert (order.discount_minor, order.discount_label) == (1500, "Auto 15%")
    assert not DiscountRedemption.objects.filter(discount__code="SAVE10").exists()


def test_an_automatic_discount_on_a_collection(business, customer, make_product):
    tea = make_product(price_minor=10000)
    teas = Collection.objects.create(business=business, name="Tea", slug="tea")
    CollectionProduct.objects.create(collection=teas, product=tea)
    Discount.objects.create(business=business, name="Tea week", kind="fixed", amount_minor=700).collections.add(teas)
    assert place(business, customer, tea, make_product(price_minor=5000)).discount_minor == 700


def test_another_business_code_is_unknown(business, customer, make_product):
    coupon(BusinessFactory(), "THEIRS")
    with pytest.raises(CouponRefused):
        place(business, customer, make_product(), coupon="THEIRS")


def test_the_database_refuses_more_uses_than_the_limit(business):
    from django.db import IntegrityError

    offer = coupon(business, usage_limit=1)
    with pytest.raises(IntegrityError):
        Discount.objects.filter(pk=offer.pk).update(used_count=2)


# --- the API and the cart ---------------------------------------------------------------------

def test_placement_through_the_api_takes_a_coupon(api, business, customer, product):
    coupon(business)
    body = api.post("/api/v1/orders/", {"customer": customer.wa_id, "coupon": "SAVE10",
                                        "items": [{"retailer_id": product.retailer_id, "quantity": 2}]},
                    format="json").json()
    assert (body["discount"], body["discount_label"]) == ("50.00", "SAVE10")


def test_an_expired_code_through_the_api_answers_400_naming_why(api, business, customer, product):
    coupon(business, starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=1))
    response = api.post("/api/v1/orders/", {"customer": customer.wa_id, "coupon": "SAVE10",
                                            "items": [{"retailer_id": product.retailer_id, "quantity": 1}]},
                        format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "coupon_expired" and list(error["fields"]) == ["coupon"] and "expired" in error["message"]


def test_a_coupon_kept_on_the_cart_is_used_by_the_next_order_from_it(api, business, customer, product):
    coupon(business)
    api.put(f"/api/v1/customers/{customer.wa_id}/cart/items/{product.retailer_id}/", {"quantity": 2}, format="json")
    answer = api.put(f"/api/v1/customers/{customer.wa_id}/cart/coupon/", {"code": "save10"}, format="json").json()
    assert (answer["coupon"], answer["discount"], answer["applies"]) == ("SAVE10", "50.00", True)
    body = api.post("/api/v1/orders/", {"customer": customer.wa_id, "from_cart": True}, format="json").json()
    assert body["discount"] == "50.00"
    assert Cart.objects.get(customer=customer).coupon == ""


def test_an_unusable_code_is_not_kept_on_the_cart(api, business, customer):
    response = api.put(f"/api/v1/customers/{customer.wa_id}/cart/coupon/", {"code": "NOPE"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "coupon_unknown"


def test_delete_forgets_the_carts_coupon(api, business, customer):
    coupon(business)
    set_cart_coupon(business=business, customer=customer, code="SAVE10")
    assert api.delete(f"/api/v1/customers/{customer.wa_id}/cart/coupon/").status_code == 204
    assert Cart.objects.get(customer=customer).coupon == ""


@pytest.mark.django_db(transaction=True)
def test_discount_rules_cost_the_same_queries_however_many(business, customer, make_product):
    product = make_product(stock=100)
    place(business, customer, product)  # numbering set up
    coupon(business)

    def count():
        with CaptureQueriesContext(connection) as queries:
            place(business, customer, product, coupon="SAVE10")
        return len(queries.captured_queries)

    one = count()
    for n in range(10):
        collection = Collection.objects.create(business=business, name=f"C{n}", slug=f"c{n}")
        CollectionProduct.objects.create(collection=collection, product=product)
        Discount.objects.create(business=business, name=f"Auto {n}", kind="fixed", amount_minor=1 + n,
                                min_subtotal_minor=n).collections.add(collection)
    assert count() <= one + 1  # + the goods of the discounts' collections, once


# --- the cached flags (shared cache) ------------------------------------------------------------

def test_flags_a_reader_cached_before_the_commit_are_forgotten_at_commit(business,
                                                                         django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.db import transaction

    from orders.services.discounts import discount_flags, flags_key

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            coupon(business)
            cache.set(flags_key(business.pk), (False, False), 60)  # another process read before the commit
    assert discount_flags(business) == (False, True)


def test_a_bulk_update_or_delete_forgets_the_flags(business):
    from orders.services.discounts import discount_flags

    automatic = coupon(business, code="")
    assert discount_flags(business) == (True, False)
    Discount.objects.filter(pk=automatic.pk).update(is_active=False)
    assert discount_flags(business) == (False, False)
    Discount.objects.filter(pk=automatic.pk).update(is_active=True)
    assert discount_flags(business) == (True, False)
    Discount.objects.filter(pk=automatic.pk).delete()
    assert discount_flags(business) == (False, False)


def test_counting_a_use_keeps_the_cached_flags(business):
    from django.core.cache import cache

    from orders.services.discounts import discount_flags, flags_key

    limited = coupon(business, usage_limit=5)
    discount_flags(business)
    Discount.objects.filter(pk=limited.pk).update(used_count=1)
    assert cache.get(flags_key(business.pk)) == (False, True)
