"""The web-chat channel's copy rule: a browser-chat customer's events go to the browser chat,
never to WhatsApp, even when the business serves its own WhatsApp number."""
import pytest

from chat import webchat
from shopchat import channels

pytestmark = pytest.mark.django_db


def test_a_browser_chat_customers_event_goes_to_the_browser_chat_only(wa_config):
    data = {"customer": {"wa_id": "999123456789012"}}
    assert channels.copies_of(wa_config.business, "order.paid", data) == ["webchat"]


def test_a_whatsapp_customers_event_never_goes_to_the_browser_chat(wa_config):
    assert channels.copies_of(wa_config.business, "order.paid", {"customer": {"wa_id": "15550001234"}}) == [
        "whatsapp"]


def test_events_the_chat_does_not_tell_are_not_copied(business):
    assert not webchat.goes_to_web_chat(business, "order.placed", {"customer": {"wa_id": "999123456789012"}})
