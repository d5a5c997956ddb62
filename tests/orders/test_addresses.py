"""Structured delivery addresses: validated per country, saved per customer (API), and kept as
a snapshot on the order at placement (text, object, saved label, or pickup in store)."""
import pytest

from orders import services
from orders.models import CustomerAddress, Order
from orders.services.addresses import Address, clean_address, save_address
from shopchat.errors import InvalidInput
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

VALID = {
    "IN": {"line1": "17 MG Road", "city": "Bengaluru", "postcode": "560001", "region": "Karnataka"},
    "BR": {"line1": "Av. Paulista 1000", "city": "São Paulo", "postcode": "01310-100", "region": "SP"},
    "DE": {"line1": "Unter den Linden 5", "city": "Berlin", "postcode": "10117"},
    "IT": {"line1": "Via del Corso 12", "city": "Roma", "postcode": "00186", "region": "RM"},
    "ES": {"line1": "Calle Mayor 3", "city": "Madrid", "postcode": "28013", "region": "Madrid"},
    "GB": {"line1": "10 Downing Street", "city": "London", "postcode": "sw1a 2aa"},
    "US": {"line1": "1 Market St", "city": "San Francisco", "postcode": "94105", "region": "CA"},
}
BAD_POSTCODE = {"IN": "56001", "BR": "0131", "DE": "1011", "IT": "0018", "ES": "2801", "GB": "SW1A", "US": "9410"}


@pytest.mark.parametrize("country", sorted(VALID))
def test_an_address_valid_in_its_country_is_accepted(country, customer):
    address = clean_address({**VALID[country], "country": country}, customer=customer)
    assert address.country == country and address.name == "Asha" and address.phone == customer.wa_id


@pytest.mark.parametrize("country", sorted(BAD_POSTCODE))
def test_a_postcode_that_cannot_be_in_the_country_is_refused_naming_the_field(country, customer):
    with pytest.raises(InvalidInput) as exc:
        clean_address({**VALID[country], "postcode": BAD_POSTCODE[country], "country": country}, customer=customer)
    assert exc.value.field == "address.postcode"


def test_the_postcode_is_normalised():
    assert clean_address({**VALID["GB"], "country": "GB", "name": "Ann"}).postcode == "SW1A 2AA"


def test_a_missing_region_where_the_country_needs_one_is_named(customer):
    with pytest.raises(InvalidInput) as exc:
        clean_address({**VALID["IN"], "region": "", "country": "IN"}, customer=customer)
    assert exc.value.field == "address.region"


@pytest.mark.parametrize("data, field", [
    ({"line1": "", "city": "Berlin", "postcode": "10117", "country": "DE"}, "address.line1"),
    ({**VALID["DE"], "country": "XX"}, "address.country"),
    ({**VALID["DE"], "country": "DE", "phone": "12"}, "address.phone"),
    ({**VALID["DE"], "country": "DE", "latitude": "91", "longitude": "0"}, "address.latitude"),
    ({**VALID["DE"], "country": "DE", "latitude": "52.5"}, "address.longitude"),
    ({**VALID["DE"], "country": "DE", "city": ["Berlin"]}, "address.city"),
])
def test_a_bad_field_is_named(data, field, customer):
    with pytest.raises(InvalidInput) as exc:
        clean_address(data, customer=customer)
    assert exc.value.field == field


def test_the_country_defaults_to_the_shops(customer):
    assert clean_address(VALID["IN"], customer=customer, default_country="IN").country == "IN"


def test_a_location_pin_is_kept_with_the_address(customer):
    address = clean_address({**VALID["IN"], "country": "IN", "latitude": 12.9715987, "longitude": "77.5945627"},
                            customer=customer)
    assert str(address.latitude) == "12.971599" and address.as_snapshot()["longitude"] == "77.594563"


# --- the API -----------------------------------------------------------------------------

def test_put_saves_an_address_and_get_lists_it(api, customer):
    response = api.put(f"/api/v1/customers/{customer.wa_id}/addresses/home/",
                       {**VALID["IN"], "country": "IN"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["label"] == "home" and body["postcode"] == "560001" and body["name"] == "Asha"
    listed = api.get(f"/api/v1/customers/{customer.wa_id}/addresses/").json()
    assert [a["label"] for a in listed] == ["home"]
    assert api.get(f"/api/v1/customers/{customer.wa_id}/addresses/home/").json()["line1"] == "17 MG Road"


def test_put_again_replaces_the_address(api, customer):
    url = f"/api/v1/customers/{customer.wa_id}/addresses/home/"
    api.put(url, {**VALID["IN"], "country": "IN"}, format="json")
    api.put(url, {**VALID["DE"], "country": "DE"}, format="json")
    assert list(CustomerAddress.objects.values_list("country", flat=True)) == ["DE"]


def test_put_a_bad_postcode_answers_400_naming_it_and_saves_nothing(api, customer):
    response = api.put(f"/api/v1/customers/{customer.wa_id}/addresses/home/",
                       {**VALID["IN"], "postcode": "1", "country": "IN"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["postcode"]
    assert not CustomerAddress.objects.exists()


def test_delete_forgets_the_address(api, customer):
    api.put(f"/api/v1/customers/{customer.wa_id}/addresses/home/", {**VALID["IN"], "country": "IN"}, format="json")
    assert api.delete(f"/api/v1/customers/{customer.wa_id}/addresses/home/").status_code == 204
    assert api.delete(f"/api/v1/customers/{customer.wa_id}/addresses/home/").status_code == 404


def test_another_business_customer_addresses_are_a_404(other_api, api, customer):
    api.put(f"/api/v1/customers/{customer.wa_id}/addresses/home/", {**VALID["IN"], "country": "IN"}, format="json")
    assert other_api.get(f"/api/v1/customers/{customer.wa_id}/addresses/").status_code == 404
    assert other_api.get(f"/api/v1/customers/{customer.wa_id}/addresses/home/").status_code == 404
    assert other_api.delete(f"/api/v1/customers/{customer.wa_id}/addresses/home/").status_code == 404
    assert CustomerAddress.objects.count() == 1


def test_a_bad_label_answers_400(api, customer):
    response = api.put(f"/api/v1/customers/{customer.wa_id}/addresses/Home Sweet/",
                       {**VALID["IN"], "country": "IN"}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["label"]


# --- placement ---------------------------------------------------------------------------

def place(api, customer, product, **body):
    return api.post("/api/v1/orders/", {"customer": customer.wa_id,
                                        "items": [{"retailer_id": product.retailer_id, "quantity": 1}], **body},
                    format="json")


def test_placement_with_a_structured_address_keeps_its_snapshot(api, customer, product):
    response = place(api, customer, product, address={**VALID["IN"], "country": "IN", "line2": "Flat 4"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["delivery_address"]["postcode"] == "560001" and body["delivery_address"]["line2"] == "Flat 4"
    assert body["address"] == "Asha, 17 MG Road, Flat 4, Bengaluru 560001, Karnataka, IN"
    assert body["fulfilment"] == "delivery"
    order = Order.objects.get(number=body["number"])
    assert Address.from_snapshot(order.delivery_address).city == "Bengaluru"


def test_placement_with_a_bad_address_answers_400_and_writes_nothing(api, customer, product):
    response = place(api, customer, product, address={**VALID["IN"], "postcode": "12", "country": "IN"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["address.postcode"]
    assert not Order.objects.exists()


def test_placement_to_a_saved_address_copies_it(api, business, customer, product):
    save_address(business=business, customer=customer, label="office",
                 address=clean_address({**VALID["IN"], "country": "IN"}, customer=customer))
    body = place(api, customer, product, address_label="office").json()
    assert body["delivery_address"]["line1"] == "17 MG Road"
    CustomerAddress.objects.all().delete()  # the order keeps its own copy
    assert Order.objects.get(number=body["number"]).delivery_address["line1"] == "17 MG Road"


def test_placement_to_an_unknown_label_answers_400(api, customer, product):
    response = place(api, customer, product, address_label="nowhere")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["address_label"]


def test_a_free_text_address_is_still_taken(api, customer, product):
    body = place(api, customer, product, address="12 MG Road").json()
    assert body["address"] == "12 MG Road" and body["delivery_address"] is None


def test_pickup_in_store_has_no_shipping_fee(api, business, customer, product):
    business.shipping_fee_minor = 5000
    business.save(update_fields=["shipping_fee_minor"])
    delivered = place(api, customer, product).json()
    picked_up = place(api, customer, product, fulfilment="pickup").json()
    assert delivered["shipping"] == "50.00" and picked_up["shipping"] == "0.00"
    assert picked_up["fulfilment"] == "pickup" and picked_up["delivery_address"] is None


def test_pickup_with_an_address_is_refused(api, customer, product):
    response = place(api, customer, product, fulfilment="pickup", address={**VALID["IN"], "country": "IN"})
    assert response.status_code == 400


def test_a_saved_address_of_another_customer_is_not_found(business, customer, product):
    other = CustomerFactory(business=business)
    save_address(business=business, customer=other, label="home",
                 address=clean_address({**VALID["IN"], "country": "IN"}, customer=other))
    with pytest.raises(InvalidInput):
        services.place_order(business=business, customer=customer, address_label="home",
                             items=[{"retailer_id": product.retailer_id, "quantity": 1}])
