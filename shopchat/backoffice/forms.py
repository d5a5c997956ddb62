"""Back-office form pieces: the login that asks for an e-mail, and money entered in major units.

`MoneyField` shows and takes "40.00" for an amount the model keeps as 4000 minor units, converts
exactly (shopchat.money.to_minor: no floats, no more decimals than the currency has) and names
the currency beside the input."""
import re
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm
from unfold.widgets import UnfoldAdminTextInputWidget

from ..money import CURRENCY_EXPONENTS, MoneyError, exponent, to_major, to_minor

MAX_MINOR = 2**63 - 1  # what a BigIntegerField holds


class EmailLoginForm(AuthenticationForm):
    """Staff log in with their e-mail (it is their username); the label says so."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})


class MoneyInput(UnfoldAdminTextInputWidget):
    """A text input showing minor units as a major-unit amount (the field's label names the currency)."""

    def __init__(self, currency: str = "", attrs: dict | None = None):
        self.currency = currency
        super().__init__(attrs={"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if isinstance(value, int) and self.currency:
            return str(to_major(value, self.currency))
        return str(value)


GROUPED_ONLY = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")  # "1.250", "12.500.000": dots grouping thousands?


class AmbiguousAmount(ValueError):
    """A German or Italian "1.250": 1,250 with a thousands dot, or 1.25 written the English way."""


def typed_amount(text: str) -> str:
    """What the staff member typed, as a plain decimal ("1249.50"). In a language that writes a
    decimal comma (German, Italian: amounts are shown "1.249,50 €"), a comma is the decimal mark
    and dots group thousands, so "12,50" is 12.50 and never 1250; without a comma a dot stays the
    decimal mark (the prefilled amounts, "1249.50"). In English a comma groups thousands."""
    text = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    language = (get_language() or "en").split("-")[0]
    if language != "en" and "," in text:
        return text.replace(".", "").replace(" ", "").replace(",", ".")
    if language != "en" and GROUPED_ONLY.match(text):
        raise AmbiguousAmount(text)
    return text.replace(",", "")


class MoneyField(forms.Field):
    """An amount typed in major units ("40.00"), cleaned to exact minor units (4000).

    `currency` is the business's; set it per form instance with `set_currency` when the form is
    built for one row (see MoneyFieldsMixin)."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 40.00."),
        "negative": _("Enter an amount of zero or more."),
    }

    def __init__(self, *, currency: str = "INR", allow_negative: bool = False, **kwargs):
        self.currency = currency
        self.allow_negative = allow_negative
        kwargs.setdefault("widget", MoneyInput(currency))
        super().__init__(**kwargs)

    def set_currency(self, currency: str) -> None:
        self.currency = currency
        if isinstance(self.widget, MoneyInput):
            self.widget.currency = currency

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(to_major(value, self.currency))
        return value

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            text = typed_amount(str(value)).removeprefix(self.currency).strip()
        except AmbiguousAmount:
            whole = str(value).strip().replace(".", "")
            raise forms.ValidationError(
                _("“%(typed)s” could be read two ways: write %(whole)s for the whole amount, or use a comma "
                  "for the decimals (%(comma)s).")
                % {"typed": str(value).strip(), "whole": whole, "comma": str(value).strip().replace(".", ",")},
                code="ambiguous") from None
        try:
            minor = to_minor(text, self.currency)
        except MoneyError:
            places = exponent(self.currency)
            raise forms.ValidationError(
                _("Enter an amount in %(currency)s with at most %(places)s decimals, such as %(example)s.")
                % {"currency": self.currency, "places": places, "example": to_major(4000, self.currency)},
                code="invalid") from None
        if abs(minor) > MAX_MINOR:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if minor < 0 and not self.allow_negative:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        return minor


class MoneyFieldsMixin:
    """For a ModelForm: the fields named in `Meta.money_fields` (model fields in minor units)
    become MoneyFields in the row's currency (`currency_of(instance)`, else the business's)."""

    money_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = self.currency_of()
        for name in self.money_fields:
            if name in self.fields:
                old = self.fields[name]
                field = MoneyField(currency=currency, required=old.required, label=f"{old.label} ({currency})",
                                   help_text=old.help_text, allow_negative=getattr(self, "allow_negative", False))
                self.fields[name] = field

    def currency_of(self) -> str:
        posted = getattr(self, "data", {}).get(self.add_prefix("currency")) if hasattr(self, "add_prefix") else None
        if posted in CURRENCY_EXPONENTS:
            return posted
        instance = getattr(self, "instance", None)
        currency = getattr(instance, "currency", None)
        if not currency and getattr(instance, "business_id", None):
            currency = instance.business.currency  # type: ignore[union-attr]
        return currency or self.default_currency

    default_currency = "INR"
