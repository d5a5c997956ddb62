"""The order life cycle: allowed and illegal transitions, history, events, stock on each step."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Product
from orders import services
from orders.errors import IllegalTransition, RefundFirst
from orders.models import Order, OrderTransition
from payments import services as payment_services
from payments.models import Refund
from shopchat.api.errors import status_of
from shopchat.errors import Conflict
from shopchat.models import OutboxEvent
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL = [s.value for s in Order.Status]
# Where each operation may start (written out here, independent of services.TRANSITIONS).
ALLOWED = {
    "pay": {"pending_payment", "paid"},  # paying a paid order again changes nothing
    "ship": {"paid", "partly_refunded"},
    "deliver": {"shipped"},
    "cancel": {"pending_payment", "paid", "partly_refunded", "refunded"},
}
OPERATIONS = {
    "pay": lambda order: services.mark_paid(order=order),
    "ship": lambda order: services.ship_order(order=order, tracking_number="T"),
    "deliver": lambda order: services.deliver_order(order=order),
    "cancel": lambda order: payment_services.cancel_order(order=order),
}


def events(kind=None):
    qs = OutboxEvent.objects.filter(channel="webhook", event_type__startswith="order.")
    if kind:
        return list(qs.filter(event_type=kind))
    return list(qs.order_by("created_at").values_list("event_type", flat=True))


@pytest.mark.parametrize("operation, status", [(op, s) for op in OPERATIONS for s in ALL if s not in ALLOWED[op]])
def test_every_illegal_transition_is_refused(order_in, operation, status):
    order = order_in(status)
    before = (OrderTransition.objects.count(), OutboxEvent.objects.count())
    with pytest.raises(IllegalTransition) as raised:
        OPERATIONS[operation](order)
    assert status_of(raised.value) == 409 and raised.value.code == "illegal_transition"
    order.refresh_from_db()
    assert order.status == status
    assert (OrderTransition.objects.count(), OutboxEvent.objects.count()) == before


@pytest.mark.parametrize("operation, status", [(op, s) for op in OPERATIONS for s in sorted(ALLOWED[op])])
def test_every_allowed_transition_goes_through(order_in, operation, status):
    OPERATIONS[operation](order_in(status))


@pytest.mark.parametrize("status", ["pending_payment", "expired"])
def test_refunding_an_unpaid_order_is_refused(order_in, status):
    with pytest.raises(IllegalTransition):
        services.mark_refunded(order=order_in(status), refunded_minor=100)


def test_illegal_transition_through_the_api_is_a_409(integration_api, order_in):
    order = order_in("delivered")
    response = integration_api.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["status"], error["to"]) == ("illegal_transition", "delivered", "cancelled")
    response = integration_api.post(f"/api/v1/orders/{order.number}/ship/", {}, format="json")
    assert response.status_code == 409


def test_each_transition_emits_its_event_once(order_in):
    order_in("delivered")
    assert events() == ["order.placed", "order.paid", "order.shipped", "order.delivered"]


def test_paying_twice_emits_one_event(order_in):
    order = order_in("paid")
    services.mark_paid(order=order)
    assert len(events("order.paid")) == 1
    assert OrderTransition.objects.filter(to_status="paid").count() == 1


def test_events_carry_the_customer_for_the_chat(order_in, customer):
    order = order_in("shipped")
    shipped = events("order.shipped")[0].payload
    assert shipped["order"] == order.number and shipped["status"] == "shipped"
    assert shipped["customer"] == {"wa_id": customer.wa_id, "name": customer.name}
    assert (shipped["tracking_number"], shipped["carrier"]) == ("TRK1", "DHL")
    assert shipped["total"] == "500.00" and shipped["currency"] == "INR"
    placed = events("order.placed")[0].payload
    assert placed["lines"][0]["retailer_id"] == "TEA" and placed["subtotal"] == "500.00"


def test_every_transition_is_recorded_with_who_when_from_to(order_in):
    staff = UserFactory(username="packer@example.com")
    order = order_in("paid")
    services.ship_order(order=order, tracking_number="AWB123", carrier="BlueDart", actor=staff)
    history = list(OrderTransition.objects.filter(order=order).values_list("from_status", "to_status", "actor_label"))
    assert history == [("", "pending_payment", "system"), ("pending_payment", "paid", "system"),
                       ("paid", "shipped", "packer@example.com")]
    last = OrderTransition.objects.filter(order=order).last()
    assert last.actor == staff and last.note == "BlueDart AWB123" and last.created_at <= timezone.now()


def test_paid_order_records_when(order_in):
    assert order_in("paid").paid_at is not None


# --- stock through the life cycle ---------------------------------------------------

def stock(product):
    product.refresh_from_db()
    return product.stock_quantity, product.reserved_quantity


def test_cancelling_a_pending_order_releases_its_stock(order_in, product):
    order = order_in("pending_payment", quantity=3)
    assert stock(product) == (20, 3)
    services.cancel_order(order=order, reason="changed my mind")
    assert stock(product) == (20, 0)
    assert events("order.cancelled")[0].payload["reason"] == "changed my mind"


def test_shipping_turns_the_reservation_into_a_sale(order_in, product):
    order = order_in("paid", quantity=3)
    services.ship_order(order=order, tracking_number="T")
    assert stock(product) == (17, 0)
    order.refresh_from_db()
    assert order.tracking_number == "T" and order.shipped_at is not None


def test_expiry_releases_stock(order_in, product):
    order = order_in("pending_payment", quantity=4)
    assert services.expire_unpaid_orders(now=timezone.now()) == 0
    assert stock(product) == (20, 4)
    assert services.expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1)) == 1
    order.refresh_from_db()
    assert order.status == "expired" and stock(product) == (20, 0)
    assert len(events("order.expired")) == 1


def test_expiry_leaves_paid_orders_alone(order_in, product):
    order = order_in("paid", quantity=4)
    assert services.expire_unpaid_orders(now=order.expires_at + timedelta(hours=1)) == 0
    assert stock(product) == (20, 4)


def test_expiry_runs_from_the_beat_task_and_twice_is_harmless(order_in, product):
    from orders.tasks import expire_unpaid_orders

    order = order_in("pending_payment", quantity=2)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_unpaid_orders.delay().get() == 1
    assert expire_unpaid_orders.delay().get() == 0
    assert stock(product) == (20, 0) and len(events("order.expired")) == 1


def test_expiry_time_is_the_business_setting(business, customer, product):
    business.unpaid_order_minutes = 45
    business.save()
    order = services.place_order(business=business, customer=customer, items=[{"retailer_id": "TEA", "quantity": 1}])
    assert timedelta(minutes=44) < order.expires_at - timezone.now() <= timedelta(minutes=45)


def test_paying_an_expired_order_is_refused(order_in):
    with pytest.raises(IllegalTransition):
        services.mark_paid(order=order_in("expired"))


def test_stock_is_released_once_even_if_cancelled_twice(order_in, product):
    order = order_in("pending_payment", quantity=3)
    services.cancel_order(order=order)
    with pytest.raises(IllegalTransition):
        services.cancel_order(order=order)
    assert stock(product) == (20, 0)


def test_release_does_not_touch_a_product_that_became_tracked_after_placement(business, customer, make_product):
    product = make_product("LATER", stock=None)
    order = services.place_order(business=business, customer=customer, items=[{"retailer_id": "LATER", "quantity": 2}])
    Product.objects.filter(pk=product.pk).update(stock_quantity=10, reserved_quantity=5)
    services.cancel_order(order=order)
    assert stock(product) == (10, 5)


# --- paid orders, refunds (the money moves through payments) ---------------------------------

def test_cancelling_a_paid_order_refunds_it_first(order_in, product):
    order = order_in("paid", quantity=2)
    order = payment_services.cancel_order(order=order, reason="out of delivery area")
    refund = Refund.objects.get(payment__order=order)
    assert (refund.amount_minor, refund.reason) == (order.total_minor, "out of delivery area")
    assert order.status == "cancelled" and order.refunded_minor == order.total_minor
    assert stock(product) == (20, 0)
    assert events()[-2:] == ["order.refunded", "order.cancelled"]


def test_orders_alone_refuse_to_cancel_a_paid_order_with_money_to_give_back(order_in, product):
    order = order_in("paid", quantity=2)
    with pytest.raises(RefundFirst):
        services.cancel_order(order=order)
    order.refresh_from_db()
    assert order.status == "paid" and stock(product) == (20, 2)


def test_a_failed_refund_cancels_nothing(order_in, product, monkeypatch):
    from payments.services import cancellation

    def declined(*args, **kwargs):
        raise Conflict("The provider refused the refund.", code="refund_failed")

    monkeypatch.setattr(cancellation, "refund_locked_order", declined)
    order = order_in("paid", quantity=2)
    with pytest.raises(Conflict):
        payment_services.cancel_order(order=order)
    order.refresh_from_db()
    assert order.status == "paid" and stock(product) == (20, 2)


def test_partial_refunds_add_up_to_a_full_refund(order_in, product):
    order = order_in("paid", quantity=2)  # total 500.00
    order = services.mark_refunded(order=order, refunded_minor=10000)
    assert (order.status, order.refunded_minor) == ("partly_refunded", 10000)
    order = services.mark_refunded(order=order, refunded_minor=10000)  # the same report again: nothing new
    assert len(events("order.partly_refunded")) == 1
    order = services.mark_refunded(order=order, refunded_minor=50000)
    assert (order.status, order.refunded_minor) == ("refunded", 50000)
    assert events("order.refunded")[0].payload["refunded"] == "500.00"
    assert stock(product) == (20, 0)  # never shipped: a full refund gives the stock back


def test_refunding_a_shipped_order_keeps_the_sale(order_in, product):
    order = order_in("shipped", quantity=2)
    services.mark_refunded(order=order, refunded_minor=order.total_minor)
    assert stock(product) == (18, 0)


def test_more_than_the_total_cannot_be_refunded(order_in):
    order = order_in("paid")
    with pytest.raises(Exception) as raised:
        services.mark_refunded(order=order, refunded_minor=order.total_minor + 1)
    assert status_of(raised.value) == 400


def test_a_partly_refunded_order_can_still_ship(order_in, product):
    order = services.ship_order(order=order_in("partly_refunded", quantity=2), tracking_number="X")
    assert order.status == "shipped" and stock(product) == (18, 0)


# --- the new-order e-mail ------------------------------------------------------------

def test_new_orders_email_owners_and_managers(business, customer, product, django_capture_on_commit_callbacks):
    MembershipFactory(business=business, role="owner", user=UserFactory(username="own@example.com"))
    MembershipFactory(business=business, role="manager", user=UserFactory(username="man@example.com"))
    MembershipFactory(business=business, role="agent", user=UserFactory(username="agent@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.place_order(business=business, customer=customer,
                                     items=[{"retailer_id": "TEA", "quantity": 1}], address="12 MG Road")
    sent = [m for m in mail.outbox if order.number in m.subject]
    assert len(sent) == 1
    assert sorted(sent[0].to) == ["man@example.com", "own@example.com"]
    assert "Assam tea" in sent[0].body and "12 MG Road" in sent[0].body and "INR 250.00" in sent[0].body


def test_the_new_order_mail_reads_in_each_recipients_language(business, customer, product,
                                                             django_capture_on_commit_callbacks):
    """A German owner and an Italian manager get the same order in their language and locale;
    the products, address and note as the customer wrote them."""
    from shopchat.backoffice.language import set_staff_language

    for email, role, language in (("de@example.com", "owner", "de"), ("it@example.com", "manager", "it")):
        member = MembershipFactory(business=business, role=role, user=UserFactory(username=email, email=email))
        set_staff_language(user=member.user, language=language)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.place_order(business=business, customer=customer, note="Ring twice",
                                     items=[{"retailer_id": "TEA", "quantity": 1}], address="12 MG Road")
    sent = {m.to[0]: m for m in mail.outbox if order.number in m.subject}
    assert sent["de@example.com"].subject == f"Neue Bestellung {order.number} (250,00\xa0₹)"
    assert sent["it@example.com"].subject.startswith(f"Nuovo ordine {order.number} (")
    german, italian = sent["de@example.com"].body, sent["it@example.com"].body
    assert "Summe: 250,00\xa0₹ (Zahlung ausstehend)" in german and "Lieferung an:\n12 MG Road" in german
    assert "Notiz: Ring twice" in german and "Assam tea" in german
    assert "(in attesa di pagamento)" in italian and "Consegna a:" in italian and "Nota: Ring twice" in italian
    assert "awaiting payment" not in german + italian


def test_expiry_is_on_the_beat_schedule():
    from django.conf import settings

    from shopchat.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid"]
    assert entry["schedule"] <= 60
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
