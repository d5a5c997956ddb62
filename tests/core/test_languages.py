"""Languages and money in a person's locale (shopchat.languages)."""
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision

from shopchat.languages import (
    Speech,
    chat_language,
    customer_language,
    format_money,
    money_locale,
    number_country,
    staff_language,
)
from shopchat.money import CURRENCY_EXPONENTS

NBSP = "\xa0"  # Babel keeps the amount and its sign on one line


@pytest.mark.parametrize(("minor", "currency", "locale", "shown"), [
    (123450, "EUR", "de_DE", f"1.234,50{NBSP}€"),
    (123450, "INR", "en_IN", "₹1,234.50"),
    (12345000, "INR", "en_IN", "₹1,23,450.00"),
    (123450, "BRL", "pt_BR", f"R${NBSP}1.234,50"),
    (1235, "JPY", "en", "¥1,235"),
    (123450, "EUR", "it_IT", f"1.234,50{NBSP}€"),
    (123450, "EUR", "es_ES", f"1.234,50{NBSP}€"),
    (123450, "INR", "hi_IN", "₹1,234.50"),
    (1234567, "BHD", "en", "BHD1,234.567"),  # three decimals: the ISO exponent
])
def test_money_is_shown_in_the_locale(minor, currency, locale, shown):
    assert format_money(minor, currency, locale) == shown


def test_money_keeps_every_minor_unit():
    assert format_money(100000000000001, "EUR", "de_DE") == f"1.000.000.000.000,01{NBSP}€"


def test_babel_shows_as_many_decimals_as_every_accepted_currency_has():
    """So the amount shown is the amount charged (no rounding by Babel's own table)."""
    assert {c: e for c, e in CURRENCY_EXPONENTS.items() if get_currency_precision(c) != e} == {}


@pytest.mark.parametrize(("locale", "language"), [
    ("de_DE", "de"), ("de-AT", "de"), ("pt_BR", "pt-br"), ("pt", "pt-br"), ("hi_IN", "hi"), ("en_IN", "en"),
    ("it", "it"), ("es_MX", "es"), ("fr_FR", None), ("", None), (None, None),
])
def test_a_saved_locale_maps_onto_a_chat_language(locale, language):
    assert chat_language(locale) == language


def test_the_back_office_speaks_english_german_and_italian_only():
    assert [staff_language(c) for c in ("de", "it_IT", "es", "hi", "", "en")] == ["de", "it", "en", "en", "en", "en"]


@pytest.mark.parametrize(("wa_id", "language"), [
    ("4915112345678", "de"), ("393331234567", "it"), ("34612345678", "es"), ("5511987654321", "pt-br"),
    ("919876543210", "en"), ("15550001234", "en"), ("4312345678", "de"), ("351912345678", "pt-br"),
])
def test_the_numbers_country_code_gives_a_language(wa_id, language):
    assert number_country(wa_id)[1] == language


def test_the_saved_choice_comes_before_the_number_and_the_business_default():
    assert customer_language(locale="it_IT", wa_id="4915112345678", business_language="es") == "it"
    assert customer_language(locale="", wa_id="4915112345678", business_language="es") == "de"
    assert customer_language(locale="fr", wa_id="33612345678", business_language="es") == "es"
    assert customer_language(locale="", wa_id="33612345678", business_language="") == "en"


def test_numbers_follow_the_saved_locale_else_the_numbers_country():
    assert money_locale(language="en", locale="en_IN") == "en_IN"
    assert money_locale(language="en", wa_id="919876543210") == "en_IN"
    assert money_locale(language="de", wa_id="4312345678") == "de_AT"
    assert money_locale(language="de", wa_id="15550001234", country="IN") == "de_DE"
    assert money_locale(language="pt-br") == "pt_BR"
    assert money_locale(language="de", locale="it_IT") == "de_DE"  # a locale of another language: not its numbers


def test_speech_tells_the_events_decimal_strings_exactly():
    speech = Speech("de", "de_DE", "EUR")
    assert speech.amount("1234.50") == f"1.234,50{NBSP}€"
    assert speech.amount(Decimal("0.01")) == f"0,01{NBSP}€"
    assert speech.amount("not money") == "EUR not money"
