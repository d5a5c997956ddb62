"""A refund the provider accepted can still fail at the bank: Stripe's `refund.failed` /
`refund.updated` and Razorpay's `refund.failed` / `refund.processed` webhooks, against the local
fakes (documented bodies). The failed refund is marked failed and the staff told, once, in any
order; `reconcile` stays clean."""
import pytest

from orders.models import Order
from payments import services
from payments.models import Payment, Refund
from shopchat.models import OutboxEvent
from tests.factories import BusinessFactory, CustomerFactory, PaymentProviderConfigFactory

from .conftest import order_for
from .fakes import razorpay_api, stripe_api
from .fakes.razorpay_api import body_of, signature
from .fakes.stripe_api import event, signature_header

STRIPE_SECRET = "whsec_refunds"
RAZORPAY_SECRET = "rzp_refunds"


def staff_notices(subject_part):
    return [e for e in OutboxEvent.objects.filter(event_type="staff.email") if subject_part in e.payload["subject"]]


# --- Stripe -------------------------------------------------------------------------------------

@pytest.fixture
def stripe_config(business):
    with stripe_api.FakeStripe() as fake:
        yield PaymentProviderConfigFactory(business=business, provider="stripe", secret_key="sk_test_fake",
                                           webhook_secret=STRIPE_SECRET, api_base_url=fake.url)


def post_stripe(client, config, body):
    return client.post(f"/api/v1/payments/providers/stripe/webhook/{config.webhook_key}/", body,
                       content_type="application/json", HTTP_STRIPE_SIGNATURE=signature_header(body, STRIPE_SECRET))


def stripe_refund(customer, django_capture_on_commit_callbacks, amount=2_500):
    order = order_for(customer, 10_000)
    services.pay_order(order=order, method="card",
                       funding_source=services.add_funding_source(customer=customer, token="cus_test_1/pm_card_visa"))
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_order(order=Order.objects.get(pk=order.pk), amount_minor=amount)
    refund.refresh_from_db()
    return refund


def refund_object(refund, status="failed", **fields):
    """A Refund object as Stripe sends it (https://docs.stripe.com/api/refunds/object)."""
    return {"id": refund.provider_reference, "object": "refund", "amount": refund.amount_minor, "currency": "inr",
            "payment_intent": refund.payment.provider_reference, "status": status,
            "failure_reason": "expired_or_canceled_card" if status == "failed" else None,
            "metadata": {"refund_key": f"refund_{refund.pk}"}, **fields}


def test_the_refund_sent_to_stripe_names_itself_for_its_webhooks(stripe_config, customer,
                                                                  django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference.startswith("re_test")


def test_a_stripe_refund_failed_later_is_marked_failed_and_the_staff_told(client, stripe_config, customer,
                                                                           django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    response = post_stripe(client, stripe_config, event("refund.failed", refund_object(refund)))
    assert response.status_code == 200 and response.json()["outcome"] == "refund_failed"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.FAILED
    (notice,) = staff_notices("failed at stripe")
    assert "expired_or_canceled_card" in notice.payload["body"]
    assert services.reconcile() == []


def test_a_duplicate_refund_failed_webhook_tells_the_staff_once(client, stripe_config, customer,
                                                                django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    body = event("refund.failed", refund_object(refund), event_id="evt_refund_failed_1")
    assert post_stripe(client, stripe_config, body).json()["outcome"] == "refund_failed"
    assert post_stripe(client, stripe_config, body).status_code == 200
    # the same news as refund.updated (another event id): applied once too
    assert post_stripe(client, stripe_config, event("refund.updated", refund_object(refund))).json()["outcome"] \
        == "ignored: refund already failed"
    assert len(staff_notices("failed at stripe")) == 1


def test_a_refund_failed_webhook_before_the_api_answer_finds_the_refund_by_its_key(
        client, stripe_config, customer, django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PENDING, provider_reference="")  # answer lost
    response = post_stripe(client, stripe_config, event("refund.failed", refund_object(refund, id="re_late_1")))
    assert response.json()["outcome"] == "refund_failed"
    failed = Refund.objects.get(pk=refund.pk)
    assert failed.status == Refund.Status.FAILED and failed.provider_reference == "re_late_1"
    # the refund's own task, run afterwards, leaves it failed
    assert services.send_refund(refund_id=refund.pk).status == Refund.Status.FAILED
    assert services.reconcile() == []


def test_a_succeeded_refund_webhook_settles_a_refund_whose_answer_was_lost(client, stripe_config, customer,
                                                                          django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    reference = refund.provider_reference
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PENDING, provider_reference="")
    body = event("refund.updated", refund_object(refund, status="succeeded", id=reference))
    assert post_stripe(client, stripe_config, body).json()["outcome"] == "refund_succeeded"
    settled = Refund.objects.get(pk=refund.pk)
    assert settled.status == Refund.Status.SUCCEEDED and settled.provider_reference == reference
    assert staff_notices("failed at stripe") == []


def test_a_failed_refund_never_turns_succeeded_again(client, stripe_config, customer,
                                                     django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    post_stripe(client, stripe_config, event("refund.failed", refund_object(refund)))
    late = post_stripe(client, stripe_config, event("refund.updated", refund_object(refund, status="succeeded")))
    assert late.json()["outcome"] == "ignored: refund already failed"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.FAILED


def test_a_refund_webhook_of_an_unknown_refund_changes_nothing(client, stripe_config, customer,
                                                               django_capture_on_commit_callbacks):
    refund = stripe_refund(customer, django_capture_on_commit_callbacks)
    body = event("refund.failed", refund_object(refund, id="re_someone_else", metadata={}))
    assert post_stripe(client, stripe_config, body).json()["outcome"] == "ignored: unknown refund"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.SUCCEEDED


# --- Razorpay -----------------------------------------------------------------------------------

def test_a_razorpay_refund_failed_later_is_marked_failed_and_the_staff_told(client, db,
                                                                             django_capture_on_commit_callbacks):
    shop = BusinessFactory(currency="INR", payout_account="acme@okaxis")
    with razorpay_api.FakeRazorpay() as fake:
        config = PaymentProviderConfigFactory(business=shop, provider="razorpay", key_id=razorpay_api.KEY_ID,
                                              secret_key=razorpay_api.KEY_SECRET, webhook_secret=RAZORPAY_SECRET,
                                              api_base_url=fake.url)

        def post(body, event_id):
            return client.post(f"/api/v1/payments/providers/razorpay/webhook/{config.webhook_key}/", body,
                               content_type="application/json",
                               HTTP_X_RAZORPAY_SIGNATURE=signature(body, RAZORPAY_SECRET),
                               HTTP_X_RAZORPAY_EVENT_ID=event_id)

        order = order_for(CustomerFactory(business=shop), 10_000)
        services.card_payment_link(order=order)
        (link,) = fake.links.values()
        post(body_of(fake.pay_link(link["id"])), "evt_paid")
        with django_capture_on_commit_callbacks(execute=True):
            refund = services.refund_order(order=Order.objects.get(pk=order.pk), amount_minor=4_000)
    refund.refresh_from_db()
    payment = Payment.objects.get(order=order)
    # https://razorpay.com/docs/webhooks/payloads/refunds/ : refund.failed
    failed = {"entity": "event", "account_id": "acc_FakeAccount01", "event": "refund.failed",
              "contains": ["refund", "payment"],
              "payload": {"refund": {"entity": {
                  "id": refund.provider_reference, "entity": "refund", "amount": 4_000, "currency": "INR",
                  "payment_id": payment.provider_reference, "notes": [], "receipt": f"refund_{refund.pk}",
                  "status": "failed", "speed_processed": "normal"}},
                  "payment": {"entity": {"id": payment.provider_reference, "entity": "payment", "amount": 10_000,
                                         "email": "gaurav.kumar@example.com", "contact": "+919000090000"}}}}
    response = post(body_of(failed), "evt_refund_failed")
    assert response.status_code == 200 and response.json()["outcome"] == "refund_failed"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.FAILED
    assert len(staff_notices("failed at razorpay")) == 1
    assert services.reconcile() == []
