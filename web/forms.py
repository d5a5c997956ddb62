"""The sign-up form: what a merchant types, checked field by field (the password by Django's
validators), plus the two bot traps (a honeypot field and the signed time stamp)."""
import re

from babel import Locale, UnknownLocaleError
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shopchat.money import CURRENCY_CHOICES

from . import antibot

ALPHA2 = re.compile(r"^[A-Z]{2}$")


def country_choices() -> list[tuple[str, str]]:
    try:
        locale = Locale.parse((get_language() or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    names = {code: name for code, name in locale.territories.items() if ALPHA2.match(code) and code not in ("ZZ", "EU")}
    return sorted(names.items(), key=lambda item: item[1])


class SignUpForm(forms.Form):
    business_name = forms.CharField(label=_("Business name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="INR")
    owner_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False),
                               help_text=password_validation.password_validators_help_text_html())
    # Bot traps: a field people never see (hidden by CSS, skipped by screen readers and autofill)...
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    # ... and when the form was rendered, signed.
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = "IN"
        self.fields["business_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["owner_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password"].widget.attrs["autocomplete"] = "new-password"
        if not self.is_bound:
            self.initial["stamp"] = antibot.form_stamp()

    def looks_automated(self) -> bool:
        """A filled honeypot, or a form sent too fast or not rendered by us."""
        return bool(self.data.get("website")) or not antibot.stamp_ok(
            str(self.data.get("stamp") or ""), min_seconds=settings.SIGNUP_MIN_SECONDS)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            user = User(username=data.get("email") or "", email=data.get("email") or "",
                        first_name=data.get("owner_name") or "")
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
