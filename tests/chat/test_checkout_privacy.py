"""The checkout's personal data in the privacy services: a chat checkout in progress (the address
typed so far) and the coupons used are in the export; erasure deletes the draft and forgets the
cart's coupon; retention deletes drafts left untouched for as long as the business keeps chat text."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chat.models import CheckoutStep
from orders.models import Cart, Discount, DiscountRedemption, OrderTransition
from shopchat.models import Customer
from shopchat.privacy import services as privacy
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def draft(business, customer, status="pending_payment"):
    order = OrderFactory(business=business, customer=customer, status=status)
    return CheckoutStep.objects.create(business=business, customer=customer, order=order, step="postcode",
                                       draft={"line1": "17 Juniper Crescent", "country": "IN"})


def test_the_export_holds_the_checkout_in_progress(business, customer):
    step = draft(business, customer)
    doc = privacy.export_customer(customer=Customer.objects.select_related("business").get(pk=customer.pk))
    assert doc["checkout_in_progress"] == [{"order": step.order.number, "step": "postcode",
                                            "address_so_far": step.draft, "updated_at": step.updated_at}]


def test_the_export_lists_the_coupons_used_and_the_orders_their_shipping_and_discount(business, customer):
    order = OrderFactory(business=business, customer=customer, status="delivered", discount_minor=500)
    discount = Discount.objects.create(business=business, code="SAVE10", name="10% off", kind="percent",
                                       percent=Decimal("10"))
    DiscountRedemption.objects.create(discount=discount, order=order, customer=customer, amount_minor=500)
    doc = privacy.export_customer(customer=Customer.objects.select_related("business").get(pk=customer.pk))
    (used,) = doc["discounts_used"]
    assert (used["code"], used["order"], used["amount_minor"]) == ("SAVE10", order.number, 500)
    assert {"shipping_method", "discount_label"} <= set(doc["orders"][0])


def test_erasure_deletes_the_checkout_draft_and_the_cart_coupon(business, customer):
    draft(business, customer, status="cancelled")
    Cart.objects.create(business=business, customer=customer, coupon="SAVE10")
    privacy.erase_customer(customer=customer, actor="test")
    assert not CheckoutStep.objects.filter(customer=customer).exists()
    assert Cart.objects.get(customer=customer).coupon == ""


def test_the_address_typed_so_far_is_scrubbed_from_other_copies(business, customer):
    step = draft(business, customer, status="cancelled")
    noted = OrderTransition.objects.create(order=step.order, from_status="pending_payment", to_status="cancelled",
                                           note="customer at 17 Juniper Crescent did not answer")
    privacy.erase_customer(customer=customer, actor="test")
    noted.refresh_from_db()
    assert "Juniper" not in noted.note


def test_untouched_drafts_are_purged_after_the_chat_retention(business, customer):
    old = draft(business, customer)
    recent = draft(business, CustomerFactory(business=business))
    CheckoutStep.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=business.retention_chat_days + 1))
    privacy.purge_expired(businesses=[business])
    assert list(CheckoutStep.objects.values_list("pk", flat=True)) == [recent.pk]
