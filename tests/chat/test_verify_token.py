"""The verify token of a WhatsApp number is a secret like the others: made for the merchant when
left empty, shown once after saving, masked afterwards, and rotated by an admin action."""
import pytest

from chat.models import WhatsAppConfig

pytestmark = pytest.mark.django_db

SETTINGS = {"enabled": "on", "phone_number_id": "100000000000009", "access_token": "EAAnew-token-1234",
            "app_secret": "new_app_secret_5678", "verify_token": "", "base_url": "https://graph.facebook.com",
            "api_version": "v21.0", "catalog_id": "", "payment_configuration": "", "payment_gateway": "razorpay",
            "template_name": "", "template_language": "en", "template_category": "utility"}


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_empty_verify_token_is_made_and_shown_once(owner_client, business):
    response = owner_client.post("/admin/chat/whatsappconfig/add/", {**SETTINGS, "business": business.pk},
                                 follow=True)
    token = WhatsAppConfig.objects.get(business=business).verify_token
    assert len(token) >= 24
    assert any(token in message for message in shown_messages(response))
    again = owner_client.get(f"/admin/chat/whatsappconfig/{WhatsAppConfig.objects.get().pk}/change/")
    assert token not in again.content.decode()


def test_the_change_page_never_sends_the_verify_token_back(owner_client, wa_config):
    html = owner_client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/").content.decode()
    assert "verify-me" not in html


def test_an_empty_verify_token_on_change_keeps_the_stored_one(owner_client, wa_config):
    response = owner_client.post(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/", {
        **SETTINGS, "business": wa_config.business_id, "phone_number_id": wa_config.phone_number_id,
        "access_token": "", "app_secret": "", "base_url": wa_config.base_url})
    assert response.status_code == 302
    assert WhatsAppConfig.objects.get().verify_token == "verify-me"


def test_a_read_only_viewer_sees_the_verify_token_masked(manager_client, wa_config):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(verify_token="verify-me-long-token-9876")
    html = manager_client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/").content.decode()
    assert "verify-me-long-token-9876" not in html
    assert "********9876" in html


def test_rotating_the_verify_token_shows_the_new_one_once(owner_client, wa_config):
    response = owner_client.post("/admin/chat/whatsappconfig/", {
        "action": "rotate_verify_token", "_selected_action": [wa_config.pk]}, follow=True)
    token = WhatsAppConfig.objects.get().verify_token
    assert token != "verify-me"
    assert any(token in message for message in shown_messages(response))


def test_meta_verifies_with_the_rotated_token_only(client, owner_client, wa_config):
    owner_client.post("/admin/chat/whatsappconfig/", {"action": "rotate_verify_token",
                                                      "_selected_action": [wa_config.pk]})
    token = WhatsAppConfig.objects.get().verify_token
    old = client.get("/webhooks/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                             "hub.challenge": "42"})
    new = client.get("/webhooks/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": token,
                                             "hub.challenge": "42"})
    assert old.status_code == 403 and new.status_code == 200 and new.content == b"42"
