"""The last permitted use of a coupon goes to exactly one order, on PostgreSQL with real threads."""
import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Product
from orders import services
from orders.errors import CouponRefused
from orders.models import Discount, DiscountRedemption, Order
from tests.conftest import requires_postgres
from tests.factories import CustomerFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 20


def race(business, customers, code):
    start = threading.Barrier(len(customers))
    outcomes: list = [None] * len(customers)

    def buy(index):
        try:
            start.wait()
            services.place_order(business=business, customer=customers[index], coupon=code,
                                 items=[{"retailer_id": "TEE", "quantity": 1}])
            outcomes[index] = "ok"
        except CouponRefused as exc:
            outcomes[index] = exc.code
        except Exception as exc:  # a deadlock or a CHECK violation would land here
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(len(customers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_last_use_of_a_coupon_goes_to_exactly_one_order(business):
    Product.objects.create(business=business, retailer_id="TEE", title="T-shirt", price_minor=50000,
                           stock_quantity=1000)
    offer = Discount.objects.create(business=business, code="LAST1", name="Last one", kind="percent",
                                    percent=Decimal("10"), usage_limit=1)
    outcomes = race(business, [CustomerFactory(business=business) for _ in range(BUYERS)], "LAST1")
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("coupon_used_up") == BUYERS - 1, outcomes
    offer.refresh_from_db()
    assert offer.used_count == 1 and DiscountRedemption.objects.count() == 1
    assert Order.objects.count() == 1 and Order.objects.get().discount_minor == 5000


def test_one_customer_racing_themselves_gets_their_one_use_once(business):
    Product.objects.create(business=business, retailer_id="TEE", title="T-shirt", price_minor=50000,
                           stock_quantity=1000)
    Discount.objects.create(business=business, code="ONCE", name="Once each", kind="fixed", amount_minor=1000,
                            per_customer_limit=1)
    customer = CustomerFactory(business=business)
    outcomes = race(business, [customer] * 8, "ONCE")
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("coupon_used_by_customer") == 7, outcomes
    assert DiscountRedemption.objects.filter(customer=customer).count() == 1
