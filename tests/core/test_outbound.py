"""The outbound-call guard: merchant-chosen addresses that point inside our network are refused
at save time and again at send time; redirects are not followed; answers' bodies never shown."""
import ipaddress
import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from shopchat import outbound, outbox
from shopchat.models import Business, OutboxEvent
from tests.receiver import Receiver

REFUSED = [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]

pytestmark = pytest.mark.usefixtures("guard_on")


@pytest.fixture
def guard_on():
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False):
        yield


def resolving_to(*addresses):
    """getaddrinfo answering `addresses` for every name (what a DNS change or rebinding does)."""
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    return mock.patch("shopchat.outbound.socket.getaddrinfo", side_effect=fake)


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address):
    assert outbound.refusal(ipaddress.ip_address(address)) is not None
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(f"http://{host}:5432/")


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert outbound.refusal(ipaddress.ip_address(address)) is None


def test_a_public_name_resolving_to_a_private_address_is_refused():
    with resolving_to("93.184.216.34", "10.1.2.3"), pytest.raises(outbound.OutboundRefused) as refused:
        outbound.check_url("https://hooks.example.com/shopchat")
    assert refused.value.fields == {"url": [refused.value.message]} and "private" in refused.value.message


def test_a_name_that_does_not_resolve_is_refused():
    with mock.patch("shopchat.outbound.socket.getaddrinfo", side_effect=socket.gaierror("NXDOMAIN")):
        with pytest.raises(outbound.OutboundRefused, match="does not resolve"):
            outbound.check_url("https://nowhere.invalid/")


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://1.2.3.4/", "http:///x",
                                 "http://user:pw@example.com/", "http://[::1/"])
def test_urls_that_are_not_plain_http_are_refused(url):
    with pytest.raises(outbound.OutboundRefused):
        outbound.check_url(url)


def test_allow_private_setting_lifts_the_address_rule_only():
    with override_settings(OUTBOUND_ALLOW_PRIVATE=True):
        outbound.check_url("http://127.0.0.1:8000/hooks")
        with pytest.raises(outbound.OutboundRefused):
            outbound.check_url("file:///etc/passwd")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["http://127.0.0.1:5432/", "http://169.254.169.254/", "http://[::1]/",
                                 "http://0.0.0.0/"])
def test_business_webhook_url_inside_the_network_is_refused_at_save_time(business, url):
    business.webhook_url = url
    with pytest.raises(ValidationError) as refused:
        business.full_clean()
    assert "webhook_url" in refused.value.message_dict


@pytest.mark.django_db
def test_owner_gets_a_form_error_for_a_private_webhook_url(business, owner_client):
    from django.forms.models import modelform_factory

    form = modelform_factory(Business, fields=("webhook_url",))(
        data={"webhook_url": "http://169.254.169.254/latest/meta-data/"}, instance=business)
    assert not form.is_valid() and "only public addresses" in form.errors["webhook_url"][0]


@pytest.mark.django_db(transaction=True)
def test_a_row_saved_before_the_rule_is_refused_at_send_time_and_recorded_failed(business):
    with Receiver() as receiver:
        Business.objects.filter(pk=business.pk).update(webhook_url=receiver.url + "/hooks")
        with mock.patch.object(outbox, "enqueue_delivery"):
            with transaction.atomic():
                event = outbox.emit_event(business=business, event_type="order.placed", data={"n": 1})
            assert outbox.deliver(event.pk) == OutboxEvent.Status.FAILED
        assert receiver.requests == []
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED and event.last_error.startswith("refused:")
    assert "loopback" in event.last_error


@pytest.mark.django_db(transaction=True)
def test_a_dns_change_after_saving_is_refused_when_connecting(business):
    business.webhook_url = "https://hooks.example.com/shopchat"
    business.save()
    with mock.patch.object(outbox, "enqueue_delivery"):
        with transaction.atomic():
            event = outbox.emit_event(business=business, event_type="order.placed", data={"n": 1})
        with resolving_to("127.0.0.1"):
            assert outbox.deliver(event.pk) == OutboxEvent.Status.FAILED
    event.refresh_from_db()
    assert "refused" in event.last_error


def test_the_connection_itself_is_checked_not_only_the_url():
    """A client that skipped check_url (or a host re-resolved differently) is still refused."""
    with Receiver() as receiver, outbound.client() as client:
        with pytest.raises(outbound.OutboundRefused):
            client.post(receiver.url, content=b"{}")
        assert receiver.requests == []


class Redirecting(Receiver):
    def answer(self, request, index):
        return 302, {"moved": "http://169.254.169.254/"}


@pytest.mark.django_db(transaction=True)
def test_redirects_are_not_followed_and_the_answer_body_is_never_recorded(business):
    with override_settings(OUTBOUND_ALLOW_PRIVATE=True):
        for receiver_class, kwargs, expected in ((Redirecting, {}, "HTTP 302 Found (redirects are not followed)"),
                                                 (Receiver, {"statuses": (500,)}, "HTTP 500 Internal Server Error")):
            with receiver_class(body={"banner": "PostgreSQL 16 secret-banner"}, **kwargs) as receiver:
                Business.objects.filter(pk=business.pk).update(webhook_url=receiver.url)
                with mock.patch.object(outbox, "enqueue_delivery"):
                    with transaction.atomic():
                        event = outbox.emit_event(business=business, event_type="order.placed", data={"n": 1})
                    outbox.deliver(event.pk)
                assert len(receiver.requests) == 1
            event.refresh_from_db()
            assert event.last_error == expected and "secret-banner" not in event.last_error


@pytest.mark.django_db
def test_outbox_admin_shows_the_status_and_never_an_answer_body(business, admin_client):
    event = OutboxEvent.objects.create(business=business, event_type="order.placed", payload={},
                                       next_attempt_at="2026-01-01T00:00:00Z", status=OutboxEvent.Status.FAILED,
                                       last_error='HTTP 200: {"banner": "PostgreSQL secret-banner"}')
    for url in ("/admin/shopchat/outboxevent/", f"/admin/shopchat/outboxevent/{event.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert "HTTP 200" in page and "secret-banner" not in page


@pytest.mark.django_db
def test_the_webhook_secret_is_masked_and_a_rotation_shows_the_new_one_once(business, owner_client, manager_client):
    old = business.webhook_secret
    page = owner_client.get(f"/admin/shopchat/business/{business.pk}/change/").content.decode()
    assert old not in page and old[-4:] in page
    response = owner_client.post("/admin/shopchat/business/", {"action": "rotate_webhook_secret",
                                                               "_selected_action": [business.pk]}, follow=True)
    business.refresh_from_db()
    assert business.webhook_secret != old and business.webhook_secret in response.content.decode()
    again = owner_client.get(f"/admin/shopchat/business/{business.pk}/change/").content.decode()
    assert business.webhook_secret not in again
    manager_client.post("/admin/shopchat/business/", {"action": "rotate_webhook_secret",
                                                      "_selected_action": [business.pk]})
    assert Business.objects.get(pk=business.pk).webhook_secret == business.webhook_secret
