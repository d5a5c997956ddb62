"""Card charges outside the row locks: recorded pending, sent with the payment's idempotency
key, applied in a second transaction; a crash between the call and its commit is repaired by
the callback or by the repair job, never doubled."""
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from orders.models import Order
from payments import services
from payments.models import LedgerTransaction, Payment
from payments.providers import ChargeResult, ProviderUnavailable, sandbox
from payments.services import charging
from tests.conftest import requires_postgres

from .conftest import PENDING_CARD, add_card, deliver, order_for


class Crash(Exception):
    pass


def crash_after_the_call(monkeypatch):
    def crash(payment, result):
        raise Crash(result.reference)

    monkeypatch.setattr(charging, "_after_provider_call", crash)


def test_a_card_payment_passes_its_idempotency_key_to_the_provider(customer, card, monkeypatch):
    seen = {}
    charge = sandbox.SandboxProvider.charge

    def spy(self, **kwargs):
        seen.update(kwargs)
        return charge(self, **kwargs)

    monkeypatch.setattr(sandbox.SandboxProvider, "charge", spy)
    payment = services.pay_order(order=order_for(customer), method="card", funding_source=card)
    assert payment.status == Payment.Status.CAPTURED
    assert seen["idempotency_key"] == payment.idempotency_key and payment.idempotency_key.startswith("pay_")
    assert seen["metadata"]["payment_key"] == payment.idempotency_key


def test_a_crash_between_the_charge_and_its_commit_leaves_the_payment_pending(customer, card, monkeypatch):
    crash_after_the_call(monkeypatch)
    order = order_for(customer)
    with pytest.raises(Crash):
        services.pay_order(order=order, method="card", funding_source=card)
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.PENDING and payment.provider_reference == ""
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert services.reconcile() == []


def test_the_repair_job_captures_a_charge_whose_answer_was_lost_once(customer, card, monkeypatch):
    crash_after_the_call(monkeypatch)
    order = order_for(customer)
    with pytest.raises(Crash):
        services.pay_order(order=order, method="card", funding_source=card)
    assert services.repair_pending_payments(older_than=timedelta(0)) == {"captured": 1}
    assert services.repair_pending_payments(older_than=timedelta(0)) == {}  # nothing pending any more
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.CAPTURED and payment.provider_reference.startswith("ch_sandbox_")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert LedgerTransaction.objects.filter(reference=f"payment:{payment.pk}",
                                            kind=LedgerTransaction.Kind.PAYMENT).count() == 1
    assert services.reconcile() == []


def test_the_repair_job_waits_for_a_payment_younger_than_its_threshold(customer, card, monkeypatch):
    crash_after_the_call(monkeypatch)
    with pytest.raises(Crash):
        services.pay_order(order=order_for(customer), method="card", funding_source=card)
    assert services.repair_pending_payments(older_than=timedelta(minutes=5)) == {}


def test_the_callback_repairs_a_charge_whose_answer_was_lost(client, customer, monkeypatch):
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)
    crash_after_the_call(monkeypatch)
    card = add_card(customer, PENDING_CARD)
    order = order_for(customer)
    with pytest.raises(Crash) as crashed:
        services.pay_order(order=order, method="card", funding_source=card)
    payment = Payment.objects.get(order=order)
    reference = str(crashed.value)
    # the callback names the charge we never stored, and echoes our key
    response = deliver(client, reference, payment_key=payment.idempotency_key)
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED and payment.provider_reference == reference
    assert services.repair_pending_payments(older_than=timedelta(0)) == {}
    assert services.reconcile() == []


def test_a_provider_that_cannot_be_reached_leaves_the_payment_pending_for_the_repair_job(customer, card,
                                                                                         monkeypatch):
    def down(self, **kwargs):
        raise ProviderUnavailable("timed out")

    monkeypatch.setattr(sandbox.SandboxProvider, "charge", down)
    order = order_for(customer)
    payment = services.pay_order(order=order, method="card", funding_source=card)
    assert payment.status == Payment.Status.PENDING
    monkeypatch.undo()
    assert services.repair_pending_payments(older_than=timedelta(0)) == {"captured": 1}
    assert services.reconcile() == []


def test_a_charge_the_provider_never_received_fails_and_the_order_can_be_paid_again(customer, card, monkeypatch):
    monkeypatch.setattr(sandbox.SandboxProvider, "lookup_charge", lambda self, **kw: None)
    monkeypatch.setattr(charging, "send_charge", lambda *, payment: payment)  # died before the call
    monkeypatch.setattr("payments.services.paying.send_charge", lambda *, payment: payment)
    order = order_for(customer)
    services.pay_order(order=order, method="card", funding_source=card)
    assert services.repair_pending_payments(older_than=timedelta(0)) == {"failed": 1}
    assert Payment.objects.get(order=order).failure_code == "not_sent"
    monkeypatch.undo()
    again = services.pay_order(order=Order.objects.get(pk=order.pk), method="card", funding_source=card)
    assert again.status == Payment.Status.CAPTURED
    assert services.reconcile() == []


def test_a_late_answer_does_not_undo_what_a_callback_applied(customer, card):
    order = order_for(customer)
    payment = services.pay_order(order=order, method="card", funding_source=card)
    again = services.apply_charge_result(payment_id=payment.pk,
                                         result=ChargeResult("failed", payment.provider_reference, "card_declined"))
    assert again.status == Payment.Status.CAPTURED


def test_3d_secure_sends_the_authentication_link_and_the_callback_completes_it(client, customer, card, monkeypatch):
    monkeypatch.setattr(sandbox.SandboxProvider, "charge", lambda self, **kw: ChargeResult(
        "requires_action", "ch_3ds_1", action_url="https://hooks.example.com/3ds/ch_3ds_1"))
    order = order_for(customer)
    payment = services.pay_order(order=order, method="card", funding_source=card)
    assert payment.status == Payment.Status.PENDING and payment.action_url.endswith("/3ds/ch_3ds_1")
    from shopchat.models import OutboxEvent

    assert OutboxEvent.objects.filter(event_type="payment.action_required").count() == 1
    assert deliver(client, "ch_3ds_1").status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CAPTURED
    assert services.reconcile() == []


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_no_row_is_locked_while_the_provider_is_called(customer, card, monkeypatch):
    order = order_for(customer)
    calling, release = threading.Event(), threading.Event()
    charge = sandbox.SandboxProvider.charge

    def slow(self, **kwargs):
        calling.set()
        release.wait(10)
        return charge(self, **kwargs)

    monkeypatch.setattr(sandbox.SandboxProvider, "charge", slow)
    result = {}

    def pay():
        try:
            result["payment"] = services.pay_order(order=order, method="card", funding_source=card)
        finally:
            connection.close()

    thread = threading.Thread(target=pay)
    thread.start()
    try:
        assert calling.wait(10)
        with transaction.atomic():  # would raise if the payer still held the order's lock
            Order.objects.select_for_update(nowait=True).get(pk=order.pk)
    finally:
        release.set()
        thread.join(10)
    assert result["payment"].status == Payment.Status.CAPTURED


def test_a_top_up_whose_answer_was_lost_is_repaired_once(customer, card, monkeypatch):
    from payments.models import TopUp

    from .conftest import wallet_balance

    monkeypatch.setattr(sandbox.SandboxProvider, "charge", lambda self, **kw: (_ for _ in ()).throw(
        ProviderUnavailable("timed out")))
    top = services.top_up(customer=customer, amount_minor=5_000, funding_source=card)
    assert top.status == TopUp.Status.PENDING and top.idempotency_key.startswith("top_")
    monkeypatch.undo()
    assert services.repair_pending_payments(older_than=timedelta(0)) == {"top_up_succeeded": 1}
    assert services.repair_pending_payments(older_than=timedelta(0)) == {}
    assert wallet_balance(customer) == 5_000
    assert services.reconcile() == []
