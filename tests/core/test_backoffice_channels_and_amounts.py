"""Words the every-page test cannot see unless they are marked: the outbox channels' labels
(registered by each app in its `AppConfig.ready()`) and the currency suffix of amount fields, read
by a German staff member."""
import pytest
from django.utils import translation

from shopchat import channels
from tests.core.test_backoffice_every_page import PageTexts, platform_staff_in
from tests.factories import BusinessFactory, ProductFactory


def page_texts(html: str) -> list[str]:
    parser = PageTexts()
    parser.feed(html)
    return parser.texts


@pytest.mark.django_db
def test_outbox_channel_labels_and_the_amount_currency_suffix_read_german():
    client = platform_staff_in("de")
    with translation.override("en"):
        english = {str(label) for _, label in channels.choices()}
    assert {"Gateway webhook", "E-mail to staff", "WhatsApp message", "Browser chat message"} <= english

    response = client.get("/admin/shopchat/outboxevent/")  # the "channel" filter lists every channel
    assert response.status_code == 200
    texts = page_texts(response.content.decode())
    assert {"Gateway-Webhook", "E-Mail an das Team", "WhatsApp-Nachricht"} <= set(texts)
    assert english & set(texts) == set()

    product = ProductFactory(business=BusinessFactory(currency="INR"))
    response = client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert response.status_code == 200
    texts = page_texts(response.content.decode())
    assert "in der Währung INR" in texts
    assert "in INR" not in texts
