"""Idempotency-Key semantics (Stripe's), on a small money-like view."""
import pytest
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from shopchat.api.errors import ApiError
from shopchat.idempotency import idempotent
from shopchat.models import Customer, IdempotencyRecord
from tests.conftest import api_client_for, requires_postgres

CALLS = []


class ChargeView(APIView):
    @idempotent()
    def post(self, request):
        CALLS.append(request.data)
        if request.data.get("decline"):
            raise ApiError(402, "card_declined", "The card was declined.")
        Customer.objects.create(business=request.auth.business, wa_id=request.data["wa_id"])
        return Response({"charged": request.data["amount"]}, status=201)


urlpatterns = [path("charge/", ChargeView.as_view())]
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.test_idempotency")]


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


def post(api, body, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/charge/", body, format="json", **headers)


def test_same_key_and_body_replays_the_first_response(api):
    first = post(api, {"amount": "10.00", "wa_id": "15550001111"})
    second = post(api, {"amount": "10.00", "wa_id": "15550001111"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert len(CALLS) == 1 and Customer.objects.count() == 1


def test_same_key_with_another_body_is_422(api):
    post(api, {"amount": "10.00", "wa_id": "15550001111"})
    response = post(api, {"amount": "99.00", "wa_id": "15550001111"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_key_still_running_is_409(api, business):
    from datetime import timedelta

    from django.utils import timezone

    response = post(api, {"amount": "10.00", "wa_id": "15550001111"}, key="k-run")
    record = IdempotencyRecord.objects.get(key="k-run")
    IdempotencyRecord.objects.filter(pk=record.pk).update(state="started",
                                                          locked_until=timezone.now() + timedelta(minutes=1))
    again = post(api, {"amount": "10.00", "wa_id": "15550001111"}, key="k-run")
    assert response.status_code == 201 and again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_in_progress"


def test_missing_key_is_400_naming_the_header(api):
    response = post(api, {"amount": "10.00", "wa_id": "15550001111"}, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_a_decline_is_replayed_not_retried(api):
    first = post(api, {"amount": "10.00", "decline": True}, key="k-decline")
    second = post(api, {"amount": "10.00", "decline": True}, key="k-decline")
    assert first.status_code == second.status_code == 402
    assert len(CALLS) == 1


def test_keys_are_per_business(api, other_api):
    assert post(api, {"amount": "1.00", "wa_id": "15550001111"}).status_code == 201
    assert post(other_api, {"amount": "1.00", "wa_id": "15550001111"}).status_code == 201
    assert len(CALLS) == 2


def test_unexpected_error_frees_the_key(api, monkeypatch):
    boom = {"on": True}

    original = Customer.objects.create

    def flaky(**kwargs):
        if boom["on"]:
            raise RuntimeError("db hiccup")
        return original(**kwargs)

    monkeypatch.setattr(Customer.objects, "create", flaky)
    assert post(api, {"amount": "1.00", "wa_id": "15550001111"}, key="k-flaky").status_code == 500
    boom["on"] = False
    assert post(api, {"amount": "1.00", "wa_id": "15550001111"}, key="k-flaky").status_code == 201


class HeldChargeView(APIView):
    """Charges, then waits until the test lets it finish: a call that is still running."""
    started = None
    release = None

    @idempotent()
    def post(self, request):
        CALLS.append(request.data)
        Customer.objects.create(business=request.auth.business, wa_id=request.data["wa_id"])
        HeldChargeView.started.set()
        HeldChargeView.release.wait(10)
        return Response({"charged": request.data["amount"]}, status=201)


urlpatterns.append(path("held-charge/", HeldChargeView.as_view()))


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_twin_sent_while_the_first_call_runs_is_409_then_replays_the_first_response(business):
    import threading

    from django.db import connection

    HeldChargeView.started, HeldChargeView.release = threading.Event(), threading.Event()
    first = {}

    def run_first():
        try:
            first["response"] = api_client_for(business).post(
                "/held-charge/", {"amount": "5.00", "wa_id": "15550002222"}, format="json",
                HTTP_IDEMPOTENCY_KEY="k-held")
        finally:
            connection.close()

    thread = threading.Thread(target=run_first)
    thread.start()
    assert HeldChargeView.started.wait(10)
    twin = api_client_for(business).post("/held-charge/", {"amount": "5.00", "wa_id": "15550002222"},
                                         format="json", HTTP_IDEMPOTENCY_KEY="k-held")
    HeldChargeView.release.set()
    thread.join(15)
    retry = api_client_for(business).post("/held-charge/", {"amount": "5.00", "wa_id": "15550002222"},
                                          format="json", HTTP_IDEMPOTENCY_KEY="k-held")
    assert twin.status_code == 409 and twin.json()["error"]["code"] == "idempotency_in_progress"
    assert first["response"].status_code == 201
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert len(CALLS) == 1 and Customer.objects.filter(wa_id="15550002222").count() == 1
