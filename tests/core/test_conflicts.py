"""Deadlocks and serialization failures: retried by the transaction's owner (bounded), then
answered 409 `conflict`, never 500 (shopchat/conflicts.py)."""
import threading

import psycopg.errors
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from shopchat import conflicts
from shopchat.models import Business
from tests.conftest import api_client_for, requires_postgres
from tests.factories import BusinessFactory


def deadlock() -> OperationalError:
    """What Django raises when PostgreSQL picks this transaction as the deadlock victim."""
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


def serialization_failure() -> OperationalError:
    error = OperationalError("could not serialize access")
    error.__cause__ = psycopg.errors.SerializationFailure("could not serialize access")
    return error


def test_deadlocks_and_serialization_failures_are_conflicts_other_errors_are_not():
    assert conflicts.is_transaction_conflict(deadlock())
    assert conflicts.is_transaction_conflict(serialization_failure())
    assert conflicts.is_transaction_conflict(OperationalError("database is locked"))
    assert not conflicts.is_transaction_conflict(IntegrityError("duplicate key"))
    assert not conflicts.is_transaction_conflict(RuntimeError("deadlock"))


def flaky(failures):
    calls = []

    @conflicts.retry_conflicts
    def operation():
        calls.append(1)
        if len(calls) <= failures:
            raise deadlock()
        return "done"

    return operation, calls


@pytest.mark.django_db(transaction=True)
def test_a_conflict_is_retried_by_the_transactions_owner():
    operation, calls = flaky(failures=2)
    assert operation() == "done" and len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded_then_the_conflict_is_a_domain_error():
    operation, calls = flaky(failures=100)
    with pytest.raises(conflicts.TransactionConflict):
        operation()
    assert len(calls) == conflicts.ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_conflict_is_left_to_the_caller():
    operation, calls = flaky(failures=1)
    with pytest.raises(OperationalError), transaction.atomic():
        operation()
    assert len(calls) == 1


@pytest.mark.django_db
def test_a_money_call_that_keeps_deadlocking_answers_409_and_stores_no_answer(monkeypatch):
    from payments import services
    from tests.factories import CustomerFactory
    from tests.payments.conftest import fund, order_for

    shop = BusinessFactory()
    client = api_client_for(shop, scopes=("gateway", "integration"))
    customer = CustomerFactory(business=shop)
    fund(customer, 50_000)
    order = order_for(customer, 10_000)
    services.pay_order(order=order, method="wallet")
    real = services.refund_order
    monkeypatch.setattr(services, "refund_order", lambda **kwargs: (_ for _ in ()).throw(deadlock()))
    url = f"/api/v1/orders/{order.number}/refunds/"
    response = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert response["Retry-After"] == "1"
    monkeypatch.setattr(services, "refund_order", real)
    assert client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="r-1").status_code == 201  # not replayed


@pytest.mark.django_db
def test_a_conflict_on_a_call_without_idempotency_answers_409(api, monkeypatch):
    from shopchat import services

    monkeypatch.setattr(services, "put_customer", lambda **kwargs: (_ for _ in ()).throw(serialization_failure()))
    response = api.put("/api/v1/customers/15550001234/", {"name": "x"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_between_two_threads_is_retried_and_both_succeed():
    """Two transactions lock two rows in opposite orders: PostgreSQL kills one; it runs again."""
    first, second = BusinessFactory(), BusinessFactory()
    barrier = threading.Barrier(2)
    attempts = {"a": 0, "b": 0}
    results = {}

    def locker(name, ids):
        @conflicts.retry_conflicts
        def lock_both():
            attempts[name] += 1
            with transaction.atomic():
                Business.objects.select_for_update().get(pk=ids[0])
                if attempts[name] == 1:
                    barrier.wait(timeout=10)
                Business.objects.select_for_update().get(pk=ids[1])
                Business.objects.filter(pk=ids[1]).update(greeting=f"locked by {name}")
            return "ok"

        def run():
            try:
                results[name] = lock_both()
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                results[name] = exc
            finally:
                connection.close()
        return threading.Thread(target=run)

    threads = [locker("a", (first.pk, second.pk)), locker("b", (second.pk, first.pk))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {"a": "ok", "b": "ok"}
    assert sorted(attempts.values()) == [1, 2]  # the deadlock's victim ran again
