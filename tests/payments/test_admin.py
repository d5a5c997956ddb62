"""Back office: payment lists, the refund action with who did it, read-only wallets scoped to the
business, settlement statements as a page and CSV, settle now and reconciliation."""
from payments import services
from payments.models import Settlement
from tests.conftest import staff_client
from tests.factories import CustomerFactory

from .conftest import add_card, fund, order_for


def paid_order(customer, total=10_000):
    order = order_for(customer, total)
    services.pay_order(order=order, method="card", funding_source=add_card(customer))
    return order


def test_manager_sees_payments(manager_client, customer):
    order = paid_order(customer)
    payment = order.payments.get()
    page = manager_client.get("/admin/payments/payment/")
    assert page.status_code == 200 and order.number in page.content.decode()
    assert manager_client.get(f"/admin/payments/payment/{payment.pk}/change/").status_code == 200


def test_agent_cannot_see_payments(agent_client, customer):
    paid_order(customer)
    assert agent_client.get("/admin/payments/payment/").status_code == 403


def test_wallets_are_read_only_and_scoped_to_the_business(owner_client, customer, other_business, admin_client):
    fund(customer, 1_000)
    stranger = CustomerFactory(business=other_business)
    fund(stranger, 2_000)
    page = owner_client.get("/admin/payments/wallet/").content.decode()
    assert customer.wa_id in page and stranger.wa_id not in page
    wallet = customer.wallet
    assert owner_client.post(f"/admin/payments/wallet/{wallet.pk}/change/", {}).status_code == 403
    everything = admin_client.get("/admin/payments/wallet/").content.decode()
    assert customer.wa_id in everything and stranger.wa_id in everything


def test_statement_page_and_csv(owner_client, business, customer):
    paid_order(customer, 10_000)
    settlement = services.settle_business(business=business)
    page = owner_client.get(f"/admin/payments/settlement/{settlement.pk}/statement/")
    assert page.status_code == 200 and "₹ 100.00" in page.content.decode()
    csv = owner_client.get(f"/admin/payments/settlement/{settlement.pk}/statement.csv")
    assert csv["Content-Type"] == "text/csv"
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("line,order") and ",100.00," in lines[1]


def test_statement_of_another_business_is_404(business, customer, other_business):
    paid_order(customer)
    settlement = services.settle_business(business=business)
    outsider = staff_client(other_business, "owner")
    assert outsider.get(f"/admin/payments/settlement/{settlement.pk}/statement/").status_code == 404
    assert outsider.get(f"/admin/payments/settlement/{settlement.pk}/statement.csv").status_code == 404


def test_settle_now_is_for_platform_staff_and_owners_of_their_own_business(admin_client, owner_client, business,
                                                                           customer, other_business):
    paid_order(customer)
    other_business.payout_account = "other@okaxis"
    other_business.save(update_fields=["payout_account"])
    paid_order(CustomerFactory(business=other_business))
    assert "settle-now" in owner_client.get("/admin/payments/settlement/").content.decode()
    owner_client.post("/admin/payments/settlement/settle-now/")
    settlement = Settlement.objects.get()
    assert settlement.business == business and settlement.created_by == owner_client.user
    owner_client.post("/admin/payments/settlement/settle-now/")  # nothing new: each payment settles once
    assert Settlement.objects.count() == 1
    admin_client.post("/admin/payments/settlement/settle-now/")
    assert Settlement.objects.filter(business=other_business, created_by__is_superuser=True).exists()


def test_a_manager_cannot_settle(manager_client, customer):
    paid_order(customer)
    assert "settle-now" not in manager_client.get("/admin/payments/settlement/").content.decode()
    manager_client.post("/admin/payments/settlement/settle-now/")
    assert not Settlement.objects.exists()


def test_the_statement_explains_the_commission_kept_on_a_refunded_payment(owner_client, business, customer):
    order = paid_order(customer, 10_000)
    services.refund_order(order=order, reason="damaged")
    settlement = services.settle_business(business=business)
    page = owner_client.get(f"/admin/payments/settlement/{settlement.pk}/statement/").content.decode()
    assert "commission on the payment is kept" in page and "Refunded in full since" in page


def test_reconciliation_page(admin_client, customer):
    paid_order(customer)
    page = admin_client.get("/admin/payments/settlement/reconcile/")
    assert page.status_code == 200 and "reconciles" in page.content.decode()


def test_ledger_is_read_only_in_the_back_office(owner_client, customer):
    paid_order(customer)
    assert owner_client.get("/admin/payments/ledgertransaction/").status_code == 200
    assert owner_client.get("/admin/payments/ledgertransaction/add/").status_code == 403
