"""Issue 15's "done when": after a full flow (chat "Hi", order, wallet payment, partial refund,
transfer, a ticket with replies, status webhooks) the export holds each of those records, and
after erasure no table (and on PostgreSQL no `pg_dump` of the database) holds the customer's
number, name or a sentence they wrote, while the ledger reconciles and the settlement totals
stay as they were. Runs on SQLite and PostgreSQL (committed data, tasks eager)."""
import json
import logging
import os
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Sum

from chat.models import OutboundMessage
from orders import services as orders
from orders.models import Order
from orders.services.addresses import clean_address, save_address
from payments import services as payments
from payments.models import LedgerAccount, Settlement
from shopchat.models import Customer, ErasureRecord
from shopchat.privacy import services as privacy
from support import services as support
from tests.chat.conftest import (
    CUSTOMER_WA_ID,
    button_payload,
    fund_wallet,
    payload,
    post_webhook,
    status_payload,
    text_payload,
)
from tests.factories import CustomerFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Zephyrine Quillfeather"
CHAT_SENTENCE = "Please ring the bell twice at the blue gate"
TICKET_SENTENCE = "My parrot Bartholomew knocked the cracked mug off the shelf"
FOLLOW_UP = "The crack runs all along the handle, photos tomorrow"
TRANSFER_NOTE = "violin lessons in Lisbon"
ADDRESS = {"name": NAME, "line1": "14 Juniper Crescent", "city": "Pune", "postcode": "411001",
           "region": "Maharashtra", "country": "IN", "phone": "919822334455"}
ORDER_NOTE = "Leave it with the neighbour Farouk upstairs"
SECRETS = [CUSTOMER_WA_ID, "Zephyrine", "Quillfeather", CHAT_SENTENCE, TICKET_SENTENCE, FOLLOW_UP, TRANSFER_NOTE,
           "Juniper Crescent", "919822334455", ORDER_NOTE]


def named(body):
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = NAME
    return body


@pytest.fixture
def full_flow(client, business, wa_config, fake_cloud, products):
    """The customer's whole life with the shop; returns (customer, friend, paid order)."""
    assert post_webhook(client, named(text_payload("Hi", "wamid.PRIV_HI"))).status_code == 200
    customer = Customer.objects.get(business=business, wa_id=CUSTOMER_WA_ID)
    assert customer.name == NAME
    fund_wallet(customer, 100_000)
    assert post_webhook(client, named(payload("inbound_order_3_items.json"))).status_code == 200
    order = Order.objects.get(customer=customer)
    tap = named(button_payload(f"pay_wallet:{order.number}", "Pay from wallet", "wamid.PRIV_PAY"))
    assert post_webhook(client, tap).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid"
    post_webhook(client, named(text_payload(CHAT_SENTENCE, "wamid.PRIV_TEXT")))

    confirmation = OutboundMessage.objects.filter(order_number=order.number, kind="text").first()
    assert confirmation is not None and confirmation.wa_message_id
    post_webhook(client, status_payload("status_read.json", confirmation.wa_message_id))

    payments.refund_order(order=order, amount_minor=10_000, reason=f"Cracked mug, sorry {NAME.split()[0]}")
    order.refresh_from_db()
    orders.ship_order(order=order, tracking_number="TRK1", carrier="India Post")
    orders.deliver_order(order=Order.objects.get(pk=order.pk))

    home = clean_address(ADDRESS)
    save_address(business=business, customer=customer, label="home", address=home)
    second = orders.place_order(business=business, customer=customer, items=[{"retailer_id": "SKU-MUG-WHITE",
                                                                              "quantity": 1}],
                                address_label="home", note=ORDER_NOTE)
    payments.cancel_order(order=second)

    friend = CustomerFactory(business=business, wa_id="15550009999", name="Friend")
    balance = LedgerAccount.objects.get(customer=customer).balance_minor
    payments.transfer(sender=customer, to_wa_id=friend.wa_id, amount_minor=balance, note=TRANSFER_NOTE)

    agent = MembershipFactory(business=business, role="agent").user
    ticket = support.open_ticket(business=business, customer=customer, subject="Cracked mug from my order",
                                 message=TICKET_SENTENCE, order=order)
    support.reply_to_ticket(ticket=ticket, author=agent, body=f"Hello {NAME.split()[0]}, we are sorry!")
    support.add_customer_message(ticket=ticket, body=FOLLOW_UP)
    business.payout_account = "chaicorner@okaxis"
    business.save(update_fields=["payout_account"])
    assert payments.settle_business(business=business) is not None
    return Customer.objects.get(pk=customer.pk), friend, order


def test_export_holds_every_record_of_the_full_flow(full_flow):
    customer, friend, order = full_flow
    doc = json.loads(json.dumps(privacy.export_customer(customer=customer), cls=DjangoJSONEncoder))
    assert (doc["format"], doc["version"]) == ("shopchat.customer-export", 1)
    assert doc["customer"]["wa_id"] == CUSTOMER_WA_ID and doc["customer"]["name"] == NAME
    assert [o["number"] for o in doc["orders"]][0] == order.number and len(doc["orders"]) == 2
    assert doc["orders"][0]["lines"] and [h["to"] for h in doc["orders"][0]["history"]][:2] == ["pending_payment",
                                                                                                "paid"]
    assert doc["addresses"] == [clean_address(ADDRESS).one_line()]
    assert doc["orders"][1]["delivery_address"]["line1"] == "14 Juniper Crescent"
    assert [(a["label"], a["phone"]) for a in doc["saved_addresses"]] == [("home", "919822334455")]
    assert [p["status"] for p in doc["payments"]] == ["captured"]
    assert [r["amount_minor"] for r in doc["refunds"]] == [10_000]
    assert doc["wallet"]["balances"][0]["balance_minor"] == 0
    assert {e["kind"] for e in doc["wallet"]["ledger_entries"]} >= {"top_up", "payment", "refund", "transfer"}
    assert [(t["direction"], t["counterpart"], t["note"]) for t in doc["transfers"]] == [
        ("sent", friend.wa_id, TRANSFER_NOTE)]
    assert [(c["brand"], c["last4"]) for c in doc["cards"]] == [("visa", "4242")]
    assert [m["text"] for m in doc["tickets"][0]["messages"]] == [TICKET_SENTENCE, "Hello Zephyrine, we are sorry!",
                                                                  FOLLOW_UP]
    received = [m["text"] for m in doc["chat_messages"]["received"]]
    assert "Hi" in received and CHAT_SENTENCE in received
    assert any("Payment received" in m["text"] for m in doc["chat_messages"]["sent"])
    assert doc["consents"]["marketing"]["opted_in_at"] is None


def every_text_in_the_database() -> str:
    """Every value of every table, as text (what a dump of the database would show)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our own table names)
            chunks.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(chunks)


def found(text: str) -> list[str]:
    lowered = text.lower()
    return [s for s in SECRETS if s.lower() in lowered]


def settlement_totals(business):
    return Settlement.objects.filter(business=business).aggregate(
        gross=Sum("gross_minor"), refunds=Sum("refunds_minor"), commission=Sum("commission_minor"),
        net=Sum("net_minor"), payout=Sum("payout_minor"))


def test_after_erasure_no_table_holds_the_customer_and_the_books_still_add_up(full_flow, business, client):
    customer, friend, _ = full_flow
    assert found(every_text_in_the_database())  # the scan does see them before
    totals = settlement_totals(business)
    payable = {a.kind: a.balance_minor for a in LedgerAccount.objects.filter(business=business, customer=None)}

    record = privacy.erase_customer(customer=customer, actor="test", reason=f"asked by {NAME} by e-mail",
                                    source=ErasureRecord.Source.COMMAND)

    assert record.status == "done" and record.reason == "[erased]" and record.counts["customers"] == 1
    assert found(every_text_in_the_database()) == []
    if connection.vendor == "postgresql" and shutil.which("pg_dump"):
        db = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
             "-U", db["USER"] or "postgres", db["NAME"]],
            capture_output=True, text=True, check=True, env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""})
        assert found(dump.stdout) == []
    call_command("reconcile")  # exits 1 on any difference
    assert settlement_totals(business) == totals
    assert {a.kind: a.balance_minor for a in LedgerAccount.objects.filter(business=business, customer=None)} == payable
    assert payments.settle_business(business=business) is None  # nothing new to settle


def test_a_later_message_from_the_erased_number_starts_a_new_customer(full_flow, business, client, fake_cloud):
    customer, _, _ = full_flow
    privacy.erase_customer(customer=customer, actor="test")
    post_webhook(client, named(text_payload("Hello again", "wamid.PRIV_AGAIN")))
    fresh = Customer.objects.get(business=business, wa_id=CUSTOMER_WA_ID)
    assert fresh.pk != customer.pk and not fresh.orders.exists()
    assert privacy.export_customer(customer=fresh)["orders"] == []


@pytest.fixture
def info_logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_logs_of_the_full_flow_hold_neither_the_number_nor_the_name(info_logs, full_flow):
    customer, _, _ = full_flow
    privacy.erase_customer(customer=customer, actor="test")
    records = info_logs.get_records("setup") + info_logs.records
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in records if r.levelno >= logging.INFO)
    assert len(records) > 20  # the flow did log (deliveries, tasks, HTTP calls)
    assert [s for s in (CUSTOMER_WA_ID, "Zephyrine", "Quillfeather") if s in text] == []
