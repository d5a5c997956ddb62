"""Validators for the core's identifiers: chat ids, currencies, time zones, payout accounts."""
import re
import zoneinfo

from django.core.exceptions import ValidationError

from .money import CURRENCY_EXPONENTS

# E.164 as WhatsApp sends it: digits only, a country code that does not start with 0,
# 8 to 15 digits in all. Whether a carrier assigned the number is not our business.
WA_ID_RE = re.compile(r"^[1-9][0-9]{7,14}$")
UPI_RE = re.compile(r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}$")
IBAN_RE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normalize_wa_id(raw: str) -> str:
    """'+1 555-000 1234' -> '15550001234'; the result still needs validate_wa_id."""
    return re.sub(r"[\s\-().]", "", str(raw or "")).lstrip("+")


def validate_wa_id(value: str) -> None:
    if not WA_ID_RE.match(value or ""):
        raise ValidationError(
            "Enter the number in E.164 form as digits only: country code first, 8 to 15 digits.",
            code="invalid_wa_id",
        )


def validate_currency(value: str) -> None:
    if value not in CURRENCY_EXPONENTS:
        raise ValidationError(f"{value!r} is not a supported ISO 4217 currency code.", code="invalid_currency")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone.", code="invalid_time_zone") from None


def _iban_checksum_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def validate_payout_account(value: str) -> None:
    """An IBAN (checksum verified) or a UPI id (name@bank)."""
    if not value:
        return
    compact = value.replace(" ", "").upper()
    if IBAN_RE.match(compact):
        if not _iban_checksum_ok(compact):
            raise ValidationError("The IBAN check digits do not match.", code="invalid_iban")
        return
    if UPI_RE.match(value):
        return
    raise ValidationError("Enter an IBAN or a UPI id (name@bank).", code="invalid_payout_account")


def mask_account(value: str) -> str:
    """Show enough of a payout account to recognise it, never all of it."""
    if not value:
        return ""
    if "@" in value:
        name, bank = value.split("@", 1)
        return f"{name[:2]}{'*' * max(len(name) - 2, 2)}@{bank}"
    compact = value.replace(" ", "")
    return f"{compact[:4]} **** **** {compact[-4:]}"


def mask_secret(value: str) -> str:
    """Enough of a secret to recognise it, never the secret."""
    if not value:
        return ""
    return "*" * 8 + (value[-4:] if len(value) >= 12 else "")


def validate_language_texts(value) -> None:
    """Merchant texts by chat language: {"de": "Willkommen!"}, keys among the chat's languages."""
    from django.utils.translation import gettext as _

    from .languages import CHAT_LANGUAGES

    if not isinstance(value, dict):
        raise ValidationError(_('Give the texts by language code, e.g. {"de": "Willkommen!"}.'))
    for key, text in value.items():
        if key not in CHAT_LANGUAGES:
            raise ValidationError(_("%(code)s is not a chat language (%(codes)s).")
                                  % {"code": key, "codes": ", ".join(CHAT_LANGUAGES)})
        if not isinstance(text, str):
            raise ValidationError(_("The text for %(code)s must be text.") % {"code": key})
