"""manage.py configure_whatsapp: the back office settings from the command line."""
import pytest
from django.core.management import CommandError, call_command

from chat.models import WhatsAppConfig

pytestmark = pytest.mark.django_db


def test_configure_whatsapp_stores_the_settings(business):
    call_command("configure_whatsapp", business.slug, "--phone-number-id", "100000000000002", "--access-token",
                 "EAA1", "--app-secret", "s3", "--verify-token", "v", "--base-url", "http://127.0.0.1:9",
                 "--api-version", "v24.0", "--catalog-id", "900000000000001")
    config = WhatsAppConfig.objects.get(business=business)
    assert (config.phone_number_id, config.api_version, config.catalog_id) == ("100000000000002", "v24.0",
                                                                             "900000000000001")
    assert config.messages_url == "http://127.0.0.1:9/v24.0/100000000000002/messages"
    business.refresh_from_db()
    assert business.wa_phone_number_id == "100000000000002"


def test_running_it_again_replaces_the_secrets(business):
    args = [business.slug, "--phone-number-id", "100000000000002", "--verify-token", "v", "--app-secret", "s"]
    call_command("configure_whatsapp", *args, "--access-token", "old")
    call_command("configure_whatsapp", *args, "--access-token", "new")
    assert WhatsAppConfig.objects.get().access_token == "new"


def test_bad_api_version_is_refused(business):
    with pytest.raises(CommandError, match="api_version"):
        call_command("configure_whatsapp", business.slug, "--phone-number-id", "1", "--access-token", "t",
                     "--app-secret", "s", "--verify-token", "v", "--api-version", "23")


def test_a_number_of_another_business_is_refused(business, other_business):
    args = ["--phone-number-id", "100000000000002", "--access-token", "t", "--app-secret", "s", "--verify-token", "v"]
    call_command("configure_whatsapp", business.slug, *args)
    with pytest.raises(CommandError, match="already used"):
        call_command("configure_whatsapp", other_business.slug, *args)


def test_unknown_business_is_refused(db):
    with pytest.raises(CommandError, match="No business"):
        call_command("configure_whatsapp", "nope", "--phone-number-id", "1", "--access-token", "t",
                     "--app-secret", "s", "--verify-token", "v")
