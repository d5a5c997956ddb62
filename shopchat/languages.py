"""The languages shopchat speaks, and money in a person's locale.

The chat speaks `CHAT_LANGUAGES` (Django language codes; the catalogs live in `locale/`), the
back office `STAFF_LANGUAGES`. A customer's saved `locale` is free-form ("de_DE", "pt-BR",
"en_IN"): `chat_language()` maps it onto a language the chat speaks, and `money_locale()` keeps
its territory for numbers (so "en_IN" gets "₹1,234.50" while its words are English).

Which language a customer gets is decided in `customer_language()`: the saved choice, else the
number's country code, else the business's default. (The language of the first message is found
by `chat.language` and saved as the customer's choice, so it is the saved choice afterwards.)

Money goes through Babel from exact minor units (`to_major` gives a Decimal), so the amount shown
is the amount charged: 123450 EUR minor units in "de" -> "1.234,50 €", 1235 JPY -> "¥1,235".
"""
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal
from django.utils.translation import gettext_noop

from .money import MoneyError, to_major, to_minor

ENGLISH = "en"
# The modules whose marked strings customers read: every msgid found in them is translated into
# every chat language (tests/core/test_translations.py). A new customer-facing module joins here.
CHAT_SOURCES = ("chat/engine.py", "chat/media.py", "chat/notifications.py", "chat/order_details.py",
                "chat/selectors.py", "chat/language.py", "shopchat/languages.py", "chat/checkout.py",
                "orders/services/addresses.py", "orders/services/discounts.py", "orders/services/shipping.py",
                "chat/variants.py")
# The greeting a business starts with; told in each customer's language until the merchant writes their own.
DEFAULT_GREETING = gettext_noop("Hi! Welcome to our shop. Here is our catalog.")
CHAT_LANGUAGES = ("en", "de", "it", "es", "pt-br", "hi")
STAFF_LANGUAGES = ("en", "de", "it")
# Each language's name in itself (shown when the customer picks one; at most 24 characters).
NATIVE_NAMES = {"en": "English", "de": "Deutsch", "it": "Italiano", "es": "Español", "pt-br": "Português",
                "hi": "हिन्दी"}
# Where a language is mostly spoken, for numbers when nothing better is known.
DEFAULT_TERRITORY = {"en": "US", "de": "DE", "it": "IT", "es": "ES", "pt-br": "BR", "hi": "IN"}

# Calling codes of the number -> (ISO country, language of the chat). India: English, the
# language its chat commerce is mostly written in (a customer writing Hindi is answered in Hindi:
# the first message decides before the country code); Brazil and Portugal: Brazilian Portuguese.
CALLING_CODES = {
    "49": ("DE", "de"), "43": ("AT", "de"), "423": ("LI", "de"),
    "39": ("IT", "it"), "378": ("SM", "it"),
    "34": ("ES", "es"), "52": ("MX", "es"), "54": ("AR", "es"), "56": ("CL", "es"), "57": ("CO", "es"),
    "51": ("PE", "es"), "58": ("VE", "es"), "593": ("EC", "es"), "598": ("UY", "es"), "595": ("PY", "es"),
    "591": ("BO", "es"), "506": ("CR", "es"), "507": ("PA", "es"), "502": ("GT", "es"),
    "55": ("BR", "pt-br"), "351": ("PT", "pt-br"), "244": ("AO", "pt-br"), "258": ("MZ", "pt-br"),
    "91": ("IN", "en"), "1": ("US", "en"), "44": ("GB", "en"), "61": ("AU", "en"), "353": ("IE", "en"),
}


def chat_language(locale: str | None) -> str | None:
    """'de_DE' -> 'de', 'pt_BR' / 'pt' -> 'pt-br', 'hi-IN' -> 'hi'; None when the chat does not
    speak it (or `locale` is blank)."""
    code = str(locale or "").strip().replace("_", "-").lower()
    if not code:
        return None
    if code in CHAT_LANGUAGES:
        return code
    base = code.split("-")[0]
    if base == "pt":
        return "pt-br"
    return base if base in CHAT_LANGUAGES else None


def staff_language(code: str | None) -> str:
    """The back-office language for a saved choice (English when it is not one we offer)."""
    language = chat_language(code)
    return language if language in STAFF_LANGUAGES else ENGLISH


def number_country(wa_id: str) -> tuple[str, str] | None:
    """(ISO country, chat language) of a WhatsApp id's calling code, when we know it."""
    for length in (3, 2, 1):
        found = CALLING_CODES.get(str(wa_id or "")[:length])
        if found:
            return found
    return None


def customer_language(*, locale: str | None, wa_id: str, business_language: str | None) -> str:
    """The chat language of a customer: saved choice, else number's country, else business default."""
    return (chat_language(locale) or (number_country(wa_id) or ("", None))[1]
            or chat_language(business_language) or ENGLISH)


def _known(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag, sep="_")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def money_locale(*, language: str, locale: str | None = None, wa_id: str = "", country: str = "") -> str:
    """The Babel locale for numbers: the saved `locale` when it is of `language` ("en_IN"), else
    `language` in the number's country, else in the business's `country`, else in its home."""
    base = "pt" if language == "pt-br" else language.split("-")[0]
    saved = _known(str(locale or "").replace("-", "_"))
    if saved is not None and saved.language == base:
        return str(saved)
    territories = [(number_country(wa_id) or ("", ""))[0], (country or "").upper(), DEFAULT_TERRITORY.get(language, "")]
    for territory in territories:
        if territory and _known(f"{base}_{territory}") is not None:
            return f"{base}_{territory}"
    return base


@functools.lru_cache(maxsize=8192)  # pure; a catalog's prices repeat in every list (Babel parses the locale each call)
def format_money(minor: int, currency: str, locale: str) -> str:
    """Exact minor units in `locale`: (123450, 'EUR', 'de_DE') -> '1.234,50 €' (Babel's no-break
    space before the sign), (123450, 'INR', 'en_IN') -> '₹1,234.50', (1235, 'JPY', 'en') -> '¥1,235'.

    Babel shows as many decimals as CLDR gives the currency, which is the ISO exponent of every
    currency we accept (a test holds them equal), so the amount shown is the amount charged."""
    return format_currency(to_major(minor, currency), currency, locale=locale)


def format_number(value: int | Decimal, locale: str) -> str:
    """A count or quantity in `locale` (1234 -> '1.234' in German)."""
    return format_decimal(value, locale=locale)


def format_when(value, locale: str, time_zone: str = "UTC") -> str:
    """A date and time for people in `locale` and `time_zone` (medium length)."""
    return format_datetime(value, format="medium", tzinfo=_zone(time_zone), locale=locale)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name or "UTC")


@dataclass(frozen=True)
class Speech:
    """How to speak to one customer: the chat language and the locale of numbers."""

    language: str
    number_locale: str
    currency: str

    @classmethod
    def of(cls, customer, business) -> "Speech":
        """The customer's (a `shopchat.models.Customer` of `business`)."""
        language = customer_language(locale=customer.locale, wa_id=customer.wa_id,
                                     business_language=getattr(business, "language", None))
        return cls(language, money_locale(language=language, locale=customer.locale, wa_id=customer.wa_id,
                                          country=getattr(business, "country", "")), business.currency)

    def money(self, minor: int, currency: str | None = None) -> str:
        return format_money(minor, currency or self.currency, self.number_locale)

    def amount(self, major, currency: str | None = None) -> str:
        """An amount given in major units (the API's and the events' decimal strings)."""
        currency = str(currency or self.currency)
        try:
            return self.money(to_minor(Decimal(str(major)), currency), currency)
        except (InvalidOperation, MoneyError, ValueError):
            return f"{currency} {major or ''}".strip()
