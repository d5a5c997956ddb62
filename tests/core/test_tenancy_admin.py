"""The back office keeps each business's rows to its own staff, by role."""
import pytest

from shopchat.models import ApiKey, Business, Customer, Membership
from shopchat.services import create_api_key
from tests.conftest import staff_client
from tests.factories import CustomerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_business):
    return CustomerFactory(business=other_business, name="Their customer")


@pytest.fixture
def ours(business):
    return CustomerFactory(business=business, name="Our customer")


def test_owner_lists_only_own_customers(owner_client, ours, theirs):
    page = owner_client.get("/admin/shopchat/customer/").content.decode()
    assert "Our customer" in page
    assert "Their customer" not in page


def test_owner_cannot_open_another_business_row(owner_client, theirs):
    response = owner_client.get(f"/admin/shopchat/customer/{theirs.pk}/change/")
    assert response.status_code in (302, 404)
    assert "Their customer" not in response.content.decode()


def test_owner_cannot_change_another_business_row(owner_client, theirs, business):
    owner_client.post(f"/admin/shopchat/customer/{theirs.pk}/change/",
                      {"business": business.pk, "wa_id": theirs.wa_id, "name": "Hijacked"})
    theirs.refresh_from_db()
    assert theirs.name == "Their customer"


def test_owner_cannot_choose_another_business(owner_client, business, other_business):
    form = owner_client.get("/admin/shopchat/customer/add/").content.decode()
    assert f'value="{business.pk}"' in form
    assert f'value="{other_business.pk}"' not in form


def test_owner_cannot_create_a_row_in_another_business(owner_client, other_business):
    owner_client.post("/admin/shopchat/customer/add/", {"business": other_business.pk, "wa_id": "15550007777"})
    assert not Customer.objects.filter(business=other_business, wa_id="15550007777").exists()


def test_actions_touch_only_own_rows(owner_client, business, other_business):
    theirs, _ = create_api_key(business=other_business)
    owner_client.post("/admin/shopchat/apikey/", {"action": "revoke", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_owner_sees_only_own_business_settings(owner_client, business, other_business):
    page = owner_client.get("/admin/shopchat/business/").content.decode()
    assert business.name in page and other_business.name not in page
    assert owner_client.get(f"/admin/shopchat/business/{other_business.pk}/change/").status_code in (302, 404)


def test_owner_cannot_change_the_commission(owner_client, business):
    page = owner_client.get(f"/admin/shopchat/business/{business.pk}/change/").content.decode()
    assert 'name="commission_percent"' not in page
    assert 'name="greeting"' in page


def test_agent_cannot_reach_business_settings(agent_client, business):
    assert agent_client.get(f"/admin/shopchat/business/{business.pk}/change/").status_code == 403


def test_agent_reads_but_cannot_change_customers(agent_client, ours):
    assert agent_client.get(f"/admin/shopchat/customer/{ours.pk}/change/").status_code == 200
    agent_client.post(f"/admin/shopchat/customer/{ours.pk}/change/",
                      {"business": ours.business_id, "wa_id": ours.wa_id, "name": "Changed"})
    ours.refresh_from_db()
    assert ours.name == "Our customer"


def test_manager_cannot_manage_api_keys(manager_client):
    assert manager_client.get("/admin/shopchat/apikey/").status_code == 403


def test_staff_of_a_suspended_business_see_nothing(owner_client, business, ours):
    Business.objects.filter(pk=business.pk).update(status=Business.Status.SUSPENDED)
    assert owner_client.get("/admin/shopchat/customer/").status_code == 403


def test_superuser_sees_every_business(ours, theirs, admin_client):
    page = admin_client.get("/admin/shopchat/customer/").content.decode()
    assert "Our customer" in page and "Their customer" in page


def test_member_of_two_businesses_sees_both(business, other_business, ours, theirs):
    client = staff_client(business, "owner")
    MembershipFactory(user=client.user, business=other_business, role=Membership.Role.OWNER)
    page = client.get("/admin/shopchat/customer/").content.decode()
    assert "Our customer" in page and "Their customer" in page


def test_owner_adds_a_staff_member_by_email(owner_client, business):
    owner_client.post("/admin/shopchat/membership/add/", {
        "business": business.pk, "email": "new.agent@example.com", "password": "s3cret-pass", "role": "agent",
        "available_for_tickets": "on",
    })
    assert Membership.objects.filter(business=business, user__email="new.agent@example.com", role="agent").exists()


def test_api_key_list_is_scoped(owner_client, business, other_business):
    create_api_key(business=business, name="ours-key")
    create_api_key(business=other_business, name="their-key")
    page = owner_client.get("/admin/shopchat/apikey/").content.decode()
    assert "ours-key" in page and "their-key" not in page
    assert ApiKey.objects.count() == 2
