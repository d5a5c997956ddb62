"""Merchant sign-up: the form, bot protection, the verification e-mail through the outbox,
approval by platform staff (or at once with SIGNUP_AUTO_APPROVE) and the onboarding checklist."""
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings

from shopchat.models import Business, Membership, OutboxEvent
from tests.factories import BusinessFactory, CustomerFactory, MembershipFactory, ProductFactory, UserFactory
from web import antibot
from web.models import SignUp

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "kettle-saffron-42-orbit"


@pytest.fixture(autouse=True)
def _no_wait():
    with override_settings(SIGNUP_MIN_SECONDS=0):
        yield


def form(**changes):
    data = {"business_name": "Meera's Sweets", "country": "IN", "currency": "INR", "owner_name": "Meera Rao",
            "email": "Meera@Example.com", "password": GOOD_PASSWORD, "website": "", "stamp": antibot.form_stamp()}
    data.update(changes)
    return data


def test_sign_up_creates_a_pending_business_with_its_owner(client):
    response = client.post("/signup/", form())
    assert response.status_code == 302 and response["Location"] == "/signup/done/"
    business = Business.objects.get(name="Meera's Sweets")
    assert business.status == Business.Status.PENDING and business.slug == "meeras-sweets"
    assert (business.country, business.currency) == ("IN", "INR")
    owner = User.objects.get(username="meera@example.com")
    assert owner.first_name == "Meera Rao" and owner.is_staff and owner.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(business=business).role == Membership.Role.OWNER


def test_the_verification_link_goes_out_through_the_outbox_and_verifies(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/signup/", form())
    event = OutboxEvent.objects.get(channel="email")
    assert event.status == OutboxEvent.Status.DELIVERED
    [message] = mail.outbox
    assert message.to == ["meera@example.com"]
    link = re.search(r"https?://\S+/signup/verify/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert SignUp.objects.get().email_verified
    assert client.get("/" + path).status_code == 200  # a second click changes nothing


def test_a_forged_verification_link_is_refused(client):
    assert client.get("/signup/verify/not-a-token/").status_code == 400


def test_pending_business_is_not_public_until_platform_staff_approve_it(client, admin_client):
    client.post("/signup/", form())
    business = Business.objects.get()
    assert client.get(f"/shop/{business.slug}/").status_code == 404
    response = admin_client.post("/admin/shopchat/business/", {"action": "approve", "_selected_action": [business.pk]})
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.status == Business.Status.ACTIVE
    assert client.get(f"/shop/{business.slug}/").status_code == 200


def test_approving_leaves_a_suspended_business_suspended(admin_client):
    suspended = BusinessFactory(status=Business.Status.SUSPENDED)
    admin_client.post("/admin/shopchat/business/", {"action": "approve", "_selected_action": [suspended.pk]})
    suspended.refresh_from_db()
    assert suspended.status == Business.Status.SUSPENDED


@override_settings(SIGNUP_AUTO_APPROVE=True)
def test_with_auto_approval_the_owner_lands_on_the_dashboard_with_the_checklist(client):
    response = client.post("/signup/", form(), follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert Business.objects.get().status == Business.Status.ACTIVE
    html = response.content.decode()
    for step in ("Confirm your e-mail address", "Add or import products", "Connect your WhatsApp number",
                 "Set your payout account", "Set the webhook of your chat gateway", "Try your shop"):
        assert step in html
    assert html.count("To do") == 6


def test_the_checklist_ticks_itself(client):
    owner = UserFactory()
    business = BusinessFactory(payout_account="", webhook_url="")
    MembershipFactory(user=owner, business=business)
    ProductFactory(business=business)
    CustomerFactory(business=business, is_test=True)
    client.force_login(owner)
    html = client.get("/admin/").content.decode()
    assert html.count("Done") == 3 and html.count("To do") == 3  # e-mail (no sign-up), products, tried


def test_the_checklist_goes_away_when_every_step_is_done(client):
    owner = UserFactory()
    business = BusinessFactory(payout_account="", webhook_url="https://hooks.example.com/x",
                               wa_phone_number_id="100000000000009")
    Business.objects.filter(pk=business.pk).update(payout_account="IN12UPI")  # the validator is the form's
    MembershipFactory(user=owner, business=business)
    ProductFactory(business=business)
    CustomerFactory(business=business, is_test=True)
    client.force_login(owner)
    assert "Try your shop" not in client.get("/admin/").content.decode()


def test_an_existing_account_is_never_taken_over(client):
    victim = UserFactory(username="meera@example.com", email="meera@example.com")
    response = client.post("/signup/", form())
    assert response.status_code == 400
    assert "An account with this e-mail exists" in response.content.decode()
    victim.refresh_from_db()
    assert victim.check_password("pass-1234") and not Business.objects.exists()


def test_a_weak_password_is_refused_by_djangos_validators(client):
    response = client.post("/signup/", form(password="password"))
    assert response.status_code == 400 and "too common" in response.content.decode()
    assert not Business.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize("field", ["business_name", "owner_name", "email", "country", "currency"])
def test_a_missing_field_is_named_and_nothing_is_written(client, field):
    response = client.post("/signup/", form(**{field: ""}))
    assert response.status_code == 400
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not Business.objects.exists()


def test_a_filled_honeypot_is_refused(client):
    assert client.post("/signup/", form(website="http://spam.example")).status_code == 400
    assert not Business.objects.exists()


def test_a_form_sent_faster_than_a_person_types_is_refused(client):
    with override_settings(SIGNUP_MIN_SECONDS=60):
        assert client.post("/signup/", form()).status_code == 400
    assert client.post("/signup/", form(stamp="forged")).status_code == 400
    assert not Business.objects.exists()


@override_settings(SIGNUP_RATE_PER_HOUR=2)
def test_sign_ups_are_rate_limited_per_ip(client):
    for n in range(2):
        client.post("/signup/", form(email=f"m{n}@example.com", business_name=f"Shop {n}"))
    response = client.post("/signup/", form(email="m9@example.com", business_name="Shop 9"))
    assert response.status_code == 429
    assert Business.objects.count() == 2
    other = client.post("/signup/", form(email="m8@example.com", business_name="Shop 8"), REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 302


def test_a_second_shop_of_the_same_name_gets_its_own_address(client):
    BusinessFactory(slug="meeras-sweets")
    client.post("/signup/", form())
    assert Business.objects.filter(slug="meeras-sweets-2").exists()


def test_the_form_renders(client):
    html = client.get("/signup/").content.decode()
    assert 'name="website"' in html and 'name="stamp"' in html and 'autocomplete="new-password"' in html
