"""The back office lists the chats in the browser, each business its own."""
import pytest

from chat import webchat
from tests.conftest import staff_client
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db


def test_staff_see_their_own_browser_chats_with_the_transcript(business):
    visitor, _ = webchat.start_visitor(business=business, is_test=True)
    webchat.converse(visitor=visitor, message=webchat.inbound_text("Hi"))
    theirs, _ = webchat.start_visitor(business=BusinessFactory())
    client = staff_client(business, "owner")
    listing = client.get("/admin/chat/webchatvisitor/").content.decode()
    assert visitor.customer.wa_id in listing and theirs.customer.wa_id not in listing
    page = client.get(f"/admin/chat/webchatvisitor/{visitor.pk}/change/")
    assert page.status_code == 200 and "Hi" in page.content.decode()
    assert client.get(f"/admin/chat/webchatvisitor/{theirs.pk}/change/").status_code in (302, 404)
