"""Exact money: amounts are integers in the currency's minor unit, beside an ISO 4217 code.

The API speaks decimal strings in the major unit ("1249.50"); WhatsApp speaks
`{"value": 124950, "offset": 100}`. These helpers convert between them without floats
and refuse amounts that do not fit the currency's exponent.
"""
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit exponents. Currencies not listed here are refused.
CURRENCY_EXPONENTS = {
    "AED": 2, "ARS": 2, "AUD": 2, "BDT": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "GHS": 2, "HKD": 2,
    "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0,
    "KWD": 3, "LKR": 2, "MAD": 2, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NPR": 2, "NZD": 2,
    "OMR": 3, "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2, "SAR": 2, "SEK": 2,
    "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2,
    "VND": 0, "XAF": 0, "XOF": 0, "ZAR": 2,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]


class MoneyError(ValueError):
    """An amount that cannot be represented exactly in its currency."""


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def to_minor(amount, currency: str) -> int:
    """'12.50' or Decimal('12.5') in INR -> 1250. Refuses floats and excess precision."""
    if isinstance(amount, float):
        raise MoneyError("amounts must not be floats")
    if isinstance(amount, bool):
        raise MoneyError("not an amount")
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise MoneyError(f"{amount!r} is not a number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} has more decimals than {currency} allows ({exponent(currency)})")
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """1250 in INR -> Decimal('12.50')."""
    places = exponent(currency)
    return (Decimal(int(minor)).scaleb(-places)).quantize(Decimal(1).scaleb(-places))


def format_major(minor: int, currency: str) -> str:
    """1250 in INR -> '12.50' (the API's string form)."""
    return str(to_major(minor, currency))


def display(minor: int, currency: str) -> str:
    """1250 in INR -> 'INR 12.50' (for people: admin, chat messages)."""
    return f"{currency} {format_major(minor, currency)}"


# How people write the currencies most shops here sell in; others show their ISO code.
SYMBOLS = {
    "INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "BRL": "R$", "AUD": "A$", "CAD": "C$",
    "CHF": "CHF", "NGN": "₦", "KES": "KSh", "ZAR": "R", "AED": "AED", "SGD": "S$", "MXN": "MX$",
}


def label(minor: int, currency: str) -> str:
    """4000 in INR -> '₹ 40.00'; 124950 -> '₹ 1,249.50' (the back office's form: symbol, grouped
    digits, every decimal of the currency). Exact: no floats.

    In another active language (a staff member who works in German or Italian) the amount is in
    that language's locale through Babel, as customers get it: 124950 EUR in "de" -> '1.249,50 €'."""
    from django.utils.translation import get_language

    language = get_language()
    if language and language.split("-")[0] != "en":
        from .languages import format_money, money_locale

        return format_money(minor, currency, money_locale(language=language))
    value = to_major(minor, currency)
    sign = "-" if value < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency)} {abs(value):,}"


def from_offset(value: int, offset: int, currency: str) -> int:
    """WhatsApp's {"value": v, "offset": o} -> minor units of `currency`."""
    return to_minor(Decimal(int(value)) / Decimal(int(offset)), currency)


def percent_of(minor: int, percent: Decimal) -> int:
    """`percent` % of an amount, rounded half-up to the minor unit."""
    from decimal import ROUND_HALF_UP

    return int((Decimal(int(minor)) * Decimal(percent) / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
