"""The back office's frame (django-unfold): login by e-mail, the sidebar grouped by what a
merchant does and cut to the role, the 403 page inside the back office, the favicon; money typed
and shown in major units with the currency; readable names."""
import pytest

from catalog.models import CollectionProduct
from orders.models import OrderTransition
from shopchat.backoffice.forms import MoneyField
from shopchat.money import label
from tests.factories import CollectionFactory, OrderFactory, ProductFactory


def test_the_login_asks_for_an_e_mail(client, db):
    page = client.get("/admin/login/").content.decode()
    assert "E-mail" in page and "Username" not in page


def test_pages_carry_the_favicon(owner_client):
    assert "shopchat/favicon.svg" in owner_client.get("/admin/").content.decode()


def sidebar(client) -> str:
    return client.get("/admin/").content.decode()


def test_the_owner_sees_shop_money_support_and_developer_sections(owner_client):
    page = sidebar(owner_client)
    for title in ("Shop", "Money", "Support", "Developer", "Outbox events", "Dead letters", "Raw inbound messages"):
        assert f">{title}<" in page or f"{title}\n" in page or title in page, title


def test_a_manager_does_not_see_the_developer_section(manager_client):
    page = sidebar(manager_client)
    assert "Payments" in page and "Developer" not in page and "Dead letters" not in page


def test_an_agent_sees_support_and_orders_but_not_money(agent_client):
    page = sidebar(agent_client)
    assert "Tickets" in page and "Orders" in page
    assert "Settlements" not in page and "Developer" not in page


def test_a_page_the_role_does_not_allow_answers_403_inside_the_back_office(agent_client):
    response = agent_client.get("/admin/payments/settlement/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page and "Tickets" in page  # the sidebar is there


@pytest.mark.parametrize("typed, currency, minor", [("40.00", "INR", 4000), ("1,249.5", "INR", 124950),
                                                     ("40", "JPY", 40), ("0.125", "BHD", 125), ("INR 7", "INR", 700)])
def test_money_is_typed_in_major_units_and_kept_exactly_in_minor_units(typed, currency, minor):
    assert MoneyField(currency=currency).clean(typed) == minor


@pytest.mark.parametrize("typed", ["40.005", "forty", "1e400", "-5"])
def test_money_that_does_not_fit_the_currency_is_refused_with_a_message(typed):
    from django import forms

    with pytest.raises(forms.ValidationError):
        MoneyField(currency="INR").clean(typed)


def test_money_shows_with_the_currency_symbol():
    assert label(4000, "INR") == "₹ 40.00"
    assert label(-500000, "INR") == "-₹ 5,000.00"


def test_the_shipping_fee_is_set_in_rupees(owner_client, business):
    page = owner_client.get(f"/admin/shopchat/business/{business.pk}/change/").content.decode()
    assert "Shipping fee" in page and "Shipping fee minor" not in page
    form = {"name": business.name, "currency": business.currency, "country": business.country or "IN",
            "time_zone": business.time_zone, "greeting": business.greeting, "order_prefix": business.order_prefix,
            "language": business.language, "greetings": "{}",
            "tax_rate_percent": business.tax_rate_percent, "shipping_fee_minor": "40.00",
            "free_shipping_over_minor": "999.50", "unpaid_order_minutes": business.unpaid_order_minutes,
            "transfer_limit_minor": "", "daily_transfer_limit_minor": "", "payout_account": "",
            "webhook_url": "", "webhook_secret": business.webhook_secret, "wa_phone_number_id": "",
            "wa_display_number": "",
            "ticket_auto_close_days": business.ticket_auto_close_days, "auto_assign_tickets": "on",
            "prices_include_tax": "on" if business.prices_include_tax else "",
            "retention_chat_days": business.retention_chat_days,
            "retention_payload_days": business.retention_payload_days,
            "retention_dead_letter_days": business.retention_dead_letter_days,
            "retention_outbox_days": business.retention_outbox_days}
    response = owner_client.post(f"/admin/shopchat/business/{business.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    business.refresh_from_db()
    assert (business.shipping_fee_minor, business.free_shipping_over_minor) == (4000, 99950)
    page = owner_client.get(f"/admin/shopchat/business/{business.pk}/change/").content.decode()
    assert 'value="40.00"' in page and 'value="999.50"' in page


@pytest.mark.django_db
def test_order_steps_read_by_their_labels(business):
    order = OrderFactory(business=business)
    assert str(OrderTransition(order=order, from_status="", to_status="pending_payment")) == "Placed → Pending payment"
    assert str(OrderTransition(order=order, from_status="paid", to_status="partly_refunded")) == \
        "Paid → Partly refunded"


@pytest.mark.django_db
def test_a_product_in_a_collection_has_a_readable_name(business):
    entry = CollectionProduct(collection=CollectionFactory(business=business),
                              product=ProductFactory(business=business), position=2)
    assert "object (" not in str(entry) and "position 2" in str(entry)


@pytest.mark.django_db
def test_sla_working_days_are_weekday_boxes(owner_client, business):
    page = owner_client.get("/admin/support/slapolicy/add/").content.decode()
    assert "Monday" in page and "Sunday" in page


def test_the_owner_sets_the_chat_language_and_a_greeting_per_language(owner_client, business):
    form = {"name": business.name, "currency": business.currency, "country": business.country or "IN",
            "time_zone": business.time_zone, "greeting": "Welcome!", "order_prefix": business.order_prefix,
            "language": "de", "greetings": '{"de": "Willkommen!", "hi": "स्वागत है!"}',
            "tax_rate_percent": business.tax_rate_percent, "shipping_fee_minor": "0.00",
            "free_shipping_over_minor": "", "unpaid_order_minutes": business.unpaid_order_minutes,
            "transfer_limit_minor": "", "daily_transfer_limit_minor": "", "payout_account": "",
            "webhook_url": "", "webhook_secret": business.webhook_secret, "wa_phone_number_id": "",
            "wa_display_number": "", "ticket_auto_close_days": business.ticket_auto_close_days,
            **{f: getattr(business, f) for f in ("retention_chat_days", "retention_payload_days",
                                                 "retention_dead_letter_days", "retention_outbox_days")}}
    response = owner_client.post(f"/admin/shopchat/business/{business.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    business.refresh_from_db()
    assert business.language == "de" and business.greeting_in("hi") == "स्वागत है!"
    assert business.greeting_in("it") == "Welcome!"
    refused = owner_client.post(f"/admin/shopchat/business/{business.pk}/change/",
                                {**form, "greetings": '{"fr": "Bienvenue !"}'})
    assert refused.status_code == 200
    assert "fr is not a chat language" in str(refused.context["adminform"].form.errors)


def test_the_owner_reaches_the_payment_provider_and_the_disputes_from_the_sidebar(owner_client):
    page = sidebar(owner_client)
    assert "/admin/payments/paymentproviderconfig/" in page and "/admin/payments/dispute/" in page


def test_an_agent_sees_neither_the_payment_provider_nor_the_disputes(agent_client):
    page = sidebar(agent_client)
    assert "/admin/payments/paymentproviderconfig/" not in page and "/admin/payments/dispute/" not in page


@pytest.mark.parametrize("language, typed, minor", [
    ("de", "12,50", 1250), ("de", "1.249,50", 124950), ("de", "1249.50", 124950), ("it", "0,5", 50),
    ("en", "1,249.50", 124950), ("en", "12.50", 1250)])
def test_money_typed_in_the_staff_language_keeps_its_decimal_mark(language, typed, minor):
    """A German or Italian owner types a decimal comma, as the amounts are shown to them."""
    from django.utils import translation

    with translation.override(language):
        assert MoneyField(currency="EUR").clean(typed) == minor


@pytest.mark.parametrize("typed", ["1.250", "12.500.000"])
def test_a_german_amount_with_only_thousands_dots_is_refused_as_ambiguous(typed):
    """"1.250" in German means 1,250, but a dot is also how prefilled amounts write decimals:
    refused with both readings named, never guessed, since the amount moves money."""
    from django import forms
    from django.utils import translation

    with translation.override("de"), pytest.raises(forms.ValidationError) as refused:
        MoneyField(currency="EUR").clean(typed)
    assert refused.value.code == "ambiguous"
