"""Disputes from Stripe and Razorpay webhooks: recorded, the amount held from the merchant's
payable, shown on the order and the statement, resolved won or lost; in any order, once."""
import pytest

from payments import services
from payments.models import Dispute, LedgerAccount, Payment
from tests.factories import PaymentProviderConfigFactory

from .conftest import order_for
from .fakes import stripe_api

SECRET = "whsec_disputes"


@pytest.fixture
def stripe_shop(business):
    with stripe_api.FakeStripe() as fake:
        config = PaymentProviderConfigFactory(business=business, provider="stripe", secret_key="sk_test_fake",
                                              webhook_secret=SECRET, api_base_url=fake.url)
        yield config


def balances(business):
    return dict(LedgerAccount.objects.filter(business=business, customer=None).values_list("kind", "balance_minor"))


def post(client, config, kind, obj, event_id=None):
    body = stripe_api.event(kind, obj, event_id=event_id)
    return client.post(f"/api/v1/payments/providers/stripe/webhook/{config.webhook_key}/", body,
                       content_type="application/json", HTTP_STRIPE_SIGNATURE=stripe_api.signature_header(body, SECRET))


def paid_by_card(customer):
    card = services.add_funding_source(customer=customer, token="cus_test_1/pm_card_visa")
    return services.pay_order(order=order_for(customer, 10_000), method="card", funding_source=card)


def dispute(payment, status="needs_response", amount=10_000):
    return {"id": "dp_test_1", "object": "dispute", "amount": amount, "charge": "ch_1",
            "payment_intent": payment.provider_reference, "reason": "fraudulent", "status": status}


def test_an_opened_dispute_holds_its_amount_from_the_payable(client, stripe_shop, customer):
    payment = paid_by_card(customer)
    before = balances(customer.business)["merchant_payable"]
    assert post(client, stripe_shop, "charge.dispute.created", dispute(payment)).json()["outcome"] == "dispute_opened"
    after = balances(customer.business)
    assert after["merchant_payable"] == before - 10_000 and after["disputes_held"] == 10_000
    assert Dispute.objects.get().status == Dispute.Status.OPEN
    assert services.reconcile() == []


def test_a_lost_dispute_goes_back_to_the_card_holder(client, stripe_shop, customer):
    payment = paid_by_card(customer)
    post(client, stripe_shop, "charge.dispute.created", dispute(payment))
    outcome = post(client, stripe_shop, "charge.dispute.closed", dispute(payment, "lost")).json()["outcome"]
    assert outcome == "dispute_lost"
    after = balances(customer.business)
    assert after["disputes_held"] == 0 and after["provider_clearing"] == -10_000 + 10_000
    assert Dispute.objects.get().status == Dispute.Status.LOST
    assert services.reconcile() == []


def test_a_won_dispute_releases_the_amount(client, stripe_shop, customer):
    payment = paid_by_card(customer)
    before = balances(customer.business)["merchant_payable"]
    post(client, stripe_shop, "charge.dispute.created", dispute(payment))
    post(client, stripe_shop, "charge.dispute.closed", dispute(payment, "won"))
    assert balances(customer.business)["merchant_payable"] == before
    assert services.reconcile() == []


def test_a_close_before_its_open_and_repeats_are_applied_once(client, stripe_shop, customer):
    payment = paid_by_card(customer)
    assert post(client, stripe_shop, "charge.dispute.closed", dispute(payment, "lost")).json()["outcome"] == \
        "dispute_lost"
    assert post(client, stripe_shop, "charge.dispute.created", dispute(payment)).json()["outcome"] == \
        "ignored: dispute already recorded"
    assert post(client, stripe_shop, "charge.dispute.closed", dispute(payment, "lost")).json()["outcome"] == \
        "ignored: dispute already lost"
    assert Dispute.objects.count() == 1 and balances(customer.business)["disputes_held"] == 0
    assert services.reconcile() == []


def test_a_held_dispute_is_not_paid_out_and_shows_on_the_order_and_statement(client, stripe_shop, customer,
                                                                            owner_client):
    payment = paid_by_card(customer)
    post(client, stripe_shop, "charge.dispute.created", dispute(payment, amount=4_000))
    stripe_shop.payout_destination = "acct_merchant_1"
    stripe_shop.save()
    settlement = services.settle_business(business=customer.business)
    assert settlement.payout_minor == payment.amount_minor - payment.commission_minor - 4_000
    order_page = owner_client.get(f"/admin/orders/order/{payment.order_id}/change/").content.decode()
    assert "Dispute Open (amount held)" in order_page
    statement = owner_client.get(f"/admin/payments/settlement/{settlement.pk}/change/").content.decode()
    assert payment.order.number in statement and "Open (amount held)" in statement
    assert services.reconcile() == []


def test_a_razorpay_dispute_is_held_and_lost(client, db):
    from tests.factories import BusinessFactory, CustomerFactory

    from .fakes import razorpay_api

    shop = BusinessFactory(currency="INR")
    with razorpay_api.FakeRazorpay() as fake:
        config = PaymentProviderConfigFactory(business=shop, provider="razorpay", key_id=razorpay_api.KEY_ID,
                                              secret_key=razorpay_api.KEY_SECRET, webhook_secret="w",
                                              api_base_url=fake.url)
        order = order_for(CustomerFactory(business=shop), 10_000)
        services.card_payment_link(order=order)
        (link,) = fake.links.values()
        url = f"/api/v1/payments/providers/razorpay/webhook/{config.webhook_key}/"

        def send(event, event_id):
            body = razorpay_api.body_of(event)
            return client.post(url, body, content_type="application/json", HTTP_X_RAZORPAY_EVENT_ID=event_id,
                               HTTP_X_RAZORPAY_SIGNATURE=razorpay_api.signature(body, "w")).json()["outcome"]

        assert send(fake.pay_link(link["id"]), "e1") == "captured"
        payment = Payment.objects.get()
        entity = {"id": "disp_Fake01", "entity": "dispute", "payment_id": payment.provider_reference,
                  "amount": 10_000, "currency": "INR", "reason_code": "chargeback", "status": "open"}
        assert send({"entity": "event", "event": "payment.dispute.created",
                     "payload": {"dispute": {"entity": entity}}}, "e2") == "dispute_opened"
        assert send({"entity": "event", "event": "payment.dispute.lost",
                     "payload": {"dispute": {"entity": {**entity, "status": "lost"}}}}, "e3") == "dispute_lost"
    assert services.reconcile() == []


def test_the_customers_export_lists_the_disputes_on_their_payments(client, stripe_shop, customer):
    from shopchat.privacy.services import export_customer

    payment = paid_by_card(customer)
    post(client, stripe_shop, "charge.dispute.created", dispute(payment))
    (row,) = export_customer(customer=customer)["disputes"]
    assert row["order"] == payment.order.number and row["amount_minor"] == 10_000 and row["status"] == "open"
    assert row["reason"] == "fraudulent"


def test_the_dispute_mail_reads_in_each_recipients_language(client, stripe_shop, customer):
    """The merchant's German and Italian staff are told of the dispute in their language, the
    amount in their locale; the payload keeps the English mail."""
    from shopchat import outbox
    from shopchat.backoffice.language import set_staff_language
    from shopchat.models import OutboxEvent
    from tests.factories import MembershipFactory, UserFactory

    for email, language in (("de@example.com", "de"), ("it@example.com", "it")):
        member = MembershipFactory(business=customer.business, role="owner",
                                   user=UserFactory(username=email, email=email))
        set_staff_language(user=member.user, language=language)
    payment = paid_by_card(customer)
    post(client, stripe_shop, "charge.dispute.created", dispute(payment))
    event = OutboxEvent.objects.get(event_type="staff.email", payload__subject__startswith="Dispute")
    number = payment.order.number
    assert event.payload["subject"] == f"Dispute on order {number}"
    assert outbox.render_staff_email(event.payload["i18n"], "de") == (
        f"Streitfall zu Bestellung {number}",
        f"Der Karteninhaber bestreitet 100,00\xa0₹ der Bestellung {number} (fraudulent). Der Betrag wird bis zur "
        "Klärung von Ihren Auszahlungen einbehalten; antworten Sie im Dashboard Ihres Anbieters.")
    subject, body = outbox.render_staff_email(event.payload["i18n"], "it")
    assert subject == f"Contestazione sull'ordine {number}" and "Il titolare della carta contesta" in body
    assert sorted(outbox.recipient_languages(customer.business, ["de@example.com", "it@example.com"])) == ["de", "it"]
