"""Click-to-chat: the `https://wa.me/<number>?text=...` links of the public shop page, and the
prefilled text of "Order on WhatsApp" that the conversation engine answers with the product.

The text is the customer's words in the shop's language, ending in the product's id in a form
no translation changes: "Hi! I would like to order Basmati rice 5 kg (#RICE-5)". The engine
reads the id back with `product_reference`."""
import re
from urllib.parse import quote

from django.utils.translation import gettext as _

REFERENCE_RE = re.compile(r"\(#([A-Za-z0-9_.\-]{1,100})\)\s*$")


def order_text(*, title: str, retailer_id: str) -> str:
    """The prefilled message of a product's "Order on WhatsApp" link."""
    return _("Hi! I would like to order %(title)s") % {"title": title} + f" (#{retailer_id})"


def greeting_text() -> str:
    """The prefilled message of the shop's own chat link."""
    return _("Hi")


def product_reference(text: str) -> str:
    """The product id a prefilled order text ends with, or ""."""
    match = REFERENCE_RE.search(text or "")
    return match.group(1) if match else ""


def wa_digits(display_number: str) -> str:
    """The number as wa.me wants it: digits only, country code first ("+91 98765 43210" -> 919876543210)."""
    return "".join(ch for ch in display_number or "" if ch.isdigit())


def wa_me_link(*, display_number: str, text: str) -> str:
    """`https://wa.me/<digits>?text=<text>`, or "" when the business shows no WhatsApp number."""
    digits = wa_digits(display_number)
    if not digits:
        return ""
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"
