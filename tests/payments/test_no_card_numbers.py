"""A card number never reaches the database or the logs: after every card flow, search every
column of every table (cast to text) and everything logged."""
import logging

from django.db import connection

from payments.providers import sandbox

from .conftest import DECLINED_CARD, NO_FUNDS_CARD, OK_CARD, PENDING_CARD, deliver, order_for

NUMBERS = [OK_CARD, DECLINED_CARD, NO_FUNDS_CARD, PENDING_CARD]


def rows_containing(text):
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                qt, qc = connection.ops.quote_name(table), connection.ops.quote_name(column)
                cursor.execute(f"SELECT COUNT(*) FROM {qt} WHERE CAST({qc} AS TEXT) LIKE %s", [f"%{text}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}")
    return hits


def test_no_card_number_in_any_column_or_log_line(api, client, customer, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)
    wallet = f"/api/v1/customers/{customer.wa_id}/wallet/"
    sources = {}
    for number in NUMBERS:
        spaced = " ".join(number[i:i + 4] for i in range(0, 16, 4))
        response = api.post(wallet + "funding-sources/", {"card_number": spaced, "exp_month": 1, "exp_year": 2031},
                            format="json")
        assert response.status_code == 201
        sources[number] = response.json()["id"]
    for n, number in enumerate(NUMBERS):
        api.post(wallet + "top-ups/", {"amount": "10.00", "funding_source": sources[number]}, format="json",
                 HTTP_IDEMPOTENCY_KEY=f"top-{n}")
        order = order_for(customer, 1_000)
        response = api.post(f"/api/v1/orders/{order.number}/payments/", {"method": "card",
                            "funding_source": sources[number]}, format="json", HTTP_IDEMPOTENCY_KEY=f"pay-{n}")
        if number == PENDING_CARD:
            deliver(client, response.json()["provider_reference"])
    api.post(wallet + "funding-sources/", {"card_number": "4242424242424241", "exp_month": 1, "exp_year": 2031},
             format="json")
    from payments.services import card_payment_link

    path = "/" + card_payment_link(order=order_for(customer, 500)).split("/", 3)[3]
    client.post(path, {"card_number": OK_CARD, "exp_month": 1, "exp_year": 2031})

    for number in NUMBERS + ["4242424242424241"]:
        assert rows_containing(number) == [], number
        assert rows_containing(number[:6] + number[-4:]) == []  # not even BIN + last4 glued together
        assert number not in caplog.text
    assert rows_containing("4242")  # the search itself works: last four digits are stored
    assert sandbox.SIGNATURE_HEADER
