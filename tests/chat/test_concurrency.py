"""Processing on PostgreSQL with real threads: row locks taken while processing a message
must not make other workers skip messages of the same business."""
import threading

import pytest
from django.db import connection, transaction

from chat import messages as wa
from chat.models import InboundMessage, OutboundMessage
from chat.services import process_message
from shopchat.models import Business
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgres]


def test_message_is_processed_while_another_transaction_locks_its_business(wa_config, customer):
    business = wa_config.business
    OutboundMessage.objects.create(business=business, customer=customer, kind="text", body=wa.text("x"),
                                   wa_message_id="wamid.OUT1", status="sent")
    inbound = InboundMessage.objects.create(business=business, wa_message_id="wamid.OUT1:delivered", type="status",
                                            payload={"id": "wamid.OUT1", "status": "delivered"})
    locked, release = threading.Event(), threading.Event()

    def hold_business_lock():  # e.g. an order placement numbering its order under the business row lock
        try:
            with transaction.atomic():
                Business.objects.select_for_update().get(pk=business.pk)
                locked.set()
                release.wait(5)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_business_lock)
    holder.start()
    assert locked.wait(5)
    try:
        assert process_message(inbound_id=inbound.pk) is True
    finally:
        release.set()
        holder.join()
    assert OutboundMessage.objects.get().status == "delivered"


def test_concurrent_deliveries_of_one_message_reply_once(wa_config, customer, fake_cloud, products):
    from tests.chat.conftest import text_payload

    message = text_payload("tea", "wamid.RACE1")["entry"][0]["changes"][0]["value"]["messages"][0]
    inbound = InboundMessage.objects.create(business=wa_config.business, wa_message_id="wamid.RACE1",
                                            wa_id=customer.wa_id, type="text", payload=message)
    results = []
    barrier = threading.Barrier(4)

    def work():
        try:
            barrier.wait()
            results.append(process_message(inbound_id=inbound.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert OutboundMessage.objects.filter(in_reply_to=inbound).count() == 1
