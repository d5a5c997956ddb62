"""Export and erasure of one customer: the API (integration scope, Idempotency-Key), the
management commands, the back-office actions, the refusals and the erasure record."""
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from shopchat.models import Customer, ErasureRecord
from shopchat.privacy import services as privacy
from tests.conftest import api_client_for, staff_client
from tests.factories import CustomerFactory, OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db

WA_ID = "4915112345678"


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, wa_id=WA_ID, name="Ottilie Brandhuber", locale="de_DE")


def erase(api, wa_id=WA_ID, key="erase-1", **body):
    return api.post(f"/api/v1/customers/{wa_id}/erase/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


# --- export ------------------------------------------------------------------------------

def test_export_api_answers_the_versioned_document(integration_api, customer):
    OrderFactory(business=customer.business, customer=customer, address="Hauptstr. 1, Berlin", status="delivered")
    answer = integration_api.get(f"/api/v1/customers/+{WA_ID}/export/")
    assert answer.status_code == 200
    doc = answer.json()
    assert (doc["format"], doc["version"]) == ("shopchat.customer-export", 1)
    assert doc["customer"] == {**doc["customer"], "wa_id": WA_ID, "name": "Ottilie Brandhuber", "locale": "de_DE"}
    assert doc["addresses"] == ["Hauptstr. 1, Berlin"] and len(doc["orders"]) == 1


def test_export_needs_the_integration_scope(api, customer):
    assert api.get(f"/api/v1/customers/{WA_ID}/export/").status_code == 403


def test_export_of_another_business_customer_is_404(other_api, customer):
    assert other_api.get(f"/api/v1/customers/{WA_ID}/export/").status_code == 404


def test_export_of_a_malformed_number_names_the_field(integration_api):
    answer = integration_api.get("/api/v1/customers/12ab/export/")
    assert answer.status_code == 400 and "wa_id" in answer.json()["error"]["fields"]


def test_export_queries_do_not_grow_with_the_rows(customer):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            privacy.export_customer(customer=Customer.objects.select_related("business").get(pk=customer.pk))
        return len(captured)

    OrderFactory(business=customer.business, customer=customer, status="delivered")
    TicketFactory(business=customer.business, customer=customer)
    few = queries()
    for _ in range(5):
        OrderFactory(business=customer.business, customer=customer, status="delivered")
        TicketFactory(business=customer.business, customer=customer)
    assert queries() == few


def test_export_command_writes_json_to_stdout_or_a_file(business, customer, capsys, tmp_path):
    call_command("export_customer", business.slug, WA_ID)
    assert json.loads(capsys.readouterr().out)["customer"]["wa_id"] == WA_ID
    target = tmp_path / "export.json"
    call_command("export_customer", business.slug, f"+{WA_ID}", "--output", str(target))
    assert json.loads(target.read_text())["customer"]["name"] == "Ottilie Brandhuber"


def test_export_command_of_an_unknown_customer_fails(business):
    with pytest.raises(CommandError, match="no customer"):
        call_command("export_customer", business.slug, "15550000000")
    with pytest.raises(CommandError, match="No business"):
        call_command("export_customer", "nope", WA_ID)


def test_owner_downloads_the_export_from_the_back_office(business, customer):
    owner = staff_client(business, "owner")
    answer = owner.post("/admin/shopchat/customer/", {"action": "export_data", "_selected_action": [customer.pk]})
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment;")
    assert json.loads(answer.content)["customer"]["wa_id"] == WA_ID


def test_support_agents_have_no_privacy_actions(business, customer):
    agent = staff_client(business, "agent")
    page = agent.get("/admin/shopchat/customer/")
    assert page.status_code == 200 and b"export_data" not in page.content and b"erase_data" not in page.content


# --- erasure -----------------------------------------------------------------------------

def test_erase_api_tombstones_the_customer_and_records_who_and_why(integration_api, customer):
    answer = erase(integration_api, reason="request by e-mail from Ottilie Brandhuber")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "done" and body["counts"]["customers"] == 1
    customer.refresh_from_db()
    assert customer.name == "" and customer.wa_id.startswith("erased") and customer.erased_at
    record = ErasureRecord.objects.get()
    assert (record.source, record.done_by_label, record.reason) == ("api", str(record.done_by_label), "[erased]")
    assert record.done_by_label.startswith("api-key:")
    assert WA_ID not in json.dumps(body)


def test_erase_api_replays_the_first_answer_for_the_same_key(integration_api, customer):
    first = erase(integration_api)
    again = erase(integration_api)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ErasureRecord.objects.count() == 1


def test_erase_api_needs_an_idempotency_key(integration_api, customer):
    answer = integration_api.post(f"/api/v1/customers/{WA_ID}/erase/", {}, format="json")
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()["error"]["fields"]


def test_erase_api_of_another_business_customer_is_404(other_api, customer):
    assert erase(other_api).status_code == 404
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_erase_api_needs_the_integration_scope(business, customer):
    assert erase(api_client_for(business)).status_code == 403


def test_an_open_order_stops_the_erasure_with_the_reason(integration_api, customer):
    order = OrderFactory(business=customer.business, customer=customer, status="paid")
    answer = erase(integration_api)
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "erasure_refused" and order.number in error["reasons"][0]
    customer.refresh_from_db()
    assert customer.erased_at is None and not ErasureRecord.objects.exists()


def test_erasing_twice_is_refused(customer):
    privacy.erase_customer(customer=customer, actor="test")
    with pytest.raises(privacy.AlreadyErased):
        privacy.erase_customer(customer=customer, actor="test")


def test_erasure_keeps_the_orders_and_tombstones_their_address_and_note(customer):
    order = OrderFactory(business=customer.business, customer=customer, status="delivered",
                         address="Hauptstr. 1", note="ring twice")
    privacy.erase_customer(customer=customer, actor="test")
    order = Order.objects.get(pk=order.pk)
    assert (order.address, order.note, order.total_minor) == ("[erased]", "[erased]", 100_000)


def test_erase_command_prints_what_it_changed(business, customer, capsys):
    call_command("erase_customer", business.slug, WA_ID, "--reason", "GDPR Art. 17 request")
    out = capsys.readouterr().out
    assert "Erasure #" in out and "customers: 1" in out
    assert ErasureRecord.objects.get().reason == "GDPR Art. 17 request"


def test_erase_command_reports_a_refusal(business, customer):
    OrderFactory(business=business, customer=customer)
    with pytest.raises(CommandError, match="still open"):
        call_command("erase_customer", business.slug, WA_ID)


def test_back_office_erasure_asks_for_confirmation_first(business, customer):
    manager = staff_client(business, "manager")
    page = manager.post("/admin/shopchat/customer/", {"action": "erase_data", "_selected_action": [customer.pk]})
    assert page.status_code == 200 and b"Yes, erase" in page.content
    customer.refresh_from_db()
    assert customer.erased_at is None
    done = manager.post("/admin/shopchat/customer/", {"action": "erase_data", "_selected_action": [customer.pk],
                                                      "confirm": "yes", "reason": "asked at the counter"})
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    record = ErasureRecord.objects.get()
    assert (record.source, record.done_by, record.reason) == ("admin", manager.user, "asked at the counter")


def test_staff_confirm_a_chat_request_in_the_back_office(business, customer):
    request, created = privacy.request_erasure(customer=customer)
    assert created and privacy.request_erasure(customer=customer) == (request, False)
    owner = staff_client(business, "owner")
    owner.post("/admin/shopchat/erasurerecord/", {"action": "erase_now", "_selected_action": [request.pk],
                                                  "confirm": "yes"})
    request.refresh_from_db()
    assert request.status == "done" and request.source == "chat" and request.done_by == owner.user


def test_other_business_staff_cannot_erase(business, other_business, customer):
    stranger = staff_client(other_business, "owner")
    stranger.post("/admin/shopchat/customer/", {"action": "erase_data", "_selected_action": [customer.pk],
                                                "confirm": "yes"})
    customer.refresh_from_db()
    assert customer.erased_at is None


# --- consent through the API -----------------------------------------------------------------

def test_put_customer_records_the_marketing_opt_in_with_its_time_and_source(api, customer):
    answer = api.put(f"/api/v1/customers/{WA_ID}/", {"marketing_opt_in": True}, format="json")
    assert answer.status_code == 200 and answer.json()["marketing_opt_in_at"]
    customer.refresh_from_db()
    first = customer.marketing_opt_in_at
    assert customer.marketing_opt_in_source == "api"
    api.put(f"/api/v1/customers/{WA_ID}/", {"marketing_opt_in": True}, format="json")
    customer.refresh_from_db()
    assert customer.marketing_opt_in_at == first  # told again: the first time stays
    api.put(f"/api/v1/customers/{WA_ID}/", {"marketing_opt_in": False}, format="json")
    customer.refresh_from_db()
    assert customer.marketing_opt_out_at and customer.marketing_opt_out_source == "api"


def test_put_customer_with_a_non_boolean_opt_in_names_the_field(api, customer):
    answer = api.put(f"/api/v1/customers/{WA_ID}/", {"marketing_opt_in": "perhaps"}, format="json")
    assert answer.status_code == 400 and "marketing_opt_in" in answer.json()["error"]["fields"]


def test_erasure_requests_wait_on_the_owners_dashboard_not_the_agents(business, customer):
    privacy.request_erasure(customer=customer)
    owner_page = staff_client(business, "owner").get("/admin/").content.decode()
    assert "Data-erasure requests to confirm" in owner_page
    assert "Data-erasure requests" not in staff_client(business, "agent").get("/admin/").content.decode()


def test_erasure_finds_what_the_customer_wrote_inside_longer_strings():
    from shopchat.privacy import Erasure

    erasure = Erasure(business=None, customer=None, wa_id="4915112345678", name="Ottilie Brandhuber",
                      tombstone_wa_id="erased0", texts={"Hi", "ring the bell twice please", *map(str, range(5000))})
    assert erasure.mentions("New message: ring the bell twice please!")
    assert erasure.mentions("Hi") and erasure.mentions("for OTTILIE") and erasure.mentions("to +4915112345678")
    assert not erasure.mentions("Hi there, ring the bell") and not erasure.mentions("Hit")
    assert erasure.scrub_json({"a": ["x", "Brandhuber's order"], "b": 3}) == {"a": ["x", "[erased]"], "b": 3}
