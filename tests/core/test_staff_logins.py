"""Staff logins: lock-out by user and address after a few failures (django-axes), passwords
that follow the validators wherever staff are made, TOTP two-factor (django-otp) required for
platform staff when REQUIRE_STAFF_2FA is on."""
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shopchat import services
from shopchat.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234"


def login(client, username, password, ip="10.1.1.1"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)


@pytest.fixture
def staff(business):
    user = UserFactory(username="owner@shop.example")
    Membership.objects.create(user=user, business=business, role="owner")
    return user


def test_the_right_password_is_refused_after_a_few_wrong_ones(staff, caplog):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, staff.username, "wrong-guess").status_code == 200
    assert login(client, staff.username, "wrong-guess").status_code == 429  # the last failure locks
    response = login(client, staff.username, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Too many failed logins" in response.content.decode()
    assert AccessAttempt.objects.get(username=staff.username).failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert any("AXES" in r.getMessage() and "locking out" in r.getMessage().lower() for r in caplog.records)


def test_the_lockout_is_per_user_and_address(staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), staff.username, "wrong-guess", ip="10.6.6.6")
    assert login(Client(), staff.username, PASSWORD, ip="10.2.2.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off(staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), staff.username, "wrong-guess")
    assert login(Client(), staff.username, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)):
        assert login(Client(), staff.username, PASSWORD).status_code == 302


def test_platform_staff_see_lockouts(staff, admin_client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), staff.username, "wrong-guess")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and staff.username in page.content.decode()


def test_owners_do_not_see_the_lockout_list(staff, owner_client):
    assert owner_client.get("/admin/axes/accessattempt/").status_code in (302, 403)


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "owner@shop.example"])
def test_an_owner_cannot_create_staff_with_a_weak_password(business, owner_client, password):
    response = owner_client.post("/admin/shopchat/membership/add/", {
        "business": business.pk, "email": "owner@shop.example", "password": password, "role": "agent",
        "available_for_tickets": "on"})
    assert response.status_code == 200 and "password" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user__username="owner@shop.example").exists()


def test_services_and_commands_refuse_weak_staff_passwords(business):
    with pytest.raises(services.BusinessError, match="too short"):
        services.add_member(business=business, email="a@shop.example", role="agent", password="short")
    with pytest.raises(services.BusinessError):
        services.create_business(name="Weak", currency="INR", owner_email="weak@shop.example", password="12345678")
    with pytest.raises(CommandError):
        call_command("create_business", "Weak Two", "--currency", "INR", "--owner", "w2@shop.example",
                     "--password", "short")


def superuser_client():
    user = UserFactory(is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


@override_settings(REQUIRE_STAFF_2FA=True)
def test_platform_staff_must_set_up_and_pass_two_factor_when_required():
    user, client = superuser_client()
    response = client.get("/admin/shopchat/business/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/2fa/setup/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/admin/2fa/setup/", {"token": "000000" if totp(device.bin_key) != 0 else "111111",
                                             "next": "/admin/"})
    assert done.status_code == 200 and "not right" in done.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past django-otp's throttle
        done = client.post("/admin/2fa/setup/", {"token": f"{totp(device.bin_key):06d}", "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/shopchat/business/").status_code == 200

    later = Client()  # a new session: the code again, not a new setup
    later.force_login(user)
    response = later.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/2fa/verify/")
    device.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(seconds=65)):  # the next code (each is used once)
        ok = later.post("/admin/2fa/verify/", {"token": f"{totp(device.bin_key):06d}", "next": "/admin/"})
    assert ok.status_code == 302
    assert later.get("/admin/").status_code == 200


def test_without_the_setting_platform_staff_are_not_stopped():
    _, client = superuser_client()
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_STAFF_2FA=True)
def test_merchant_staff_are_not_forced_but_who_turned_it_on_must_pass_it(staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    fresh = Client()
    fresh.force_login(staff)
    assert fresh.get("/admin/").status_code == 302


@override_settings(REQUIRE_STAFF_2FA=True)
def test_the_next_address_cannot_leave_the_site():
    user, client = superuser_client()
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=user)
    done = client.post("/admin/2fa/setup/", {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"})
    assert done["Location"] == "/admin/"
