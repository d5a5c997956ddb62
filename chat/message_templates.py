"""Message templates per event: which of the number's approved templates tells an event outside
the 24-hour customer-service window, and with which of the event's values in its body.

- `EVENT_FIELDS`: the events a template can tell and the values each offers (the order number,
  carrier, tracking number and link of `order.shipped`; the amount and pay link of
  `payment.action_required`; the ticket number of `ticket.reply`...). A template's
  `parameters` name the value of each body parameter in order; empty, a positional template
  takes the event's values in the order given here, a named one the value of its name.
- `choose(...)`: the event's approved, usable template in the customer's language: their saved
  locale exactly (en_IN), else their chat language (en, then en_US...), else the business's
  default language; None: the sender keeps the number's parameterless template (unchanged).
- `template_message(...)`: the Cloud API message, `type: template` with the body's parameters
  filled (`{"type": "text", "text": ...}`, `parameter_name` too for a named template). Money is
  told in the customer's locale, as the rest of the chat tells it.
- `read_template(item)`: one template of Meta's `message_templates` answer, as the row's fields
  (used by `chat.services.sync_message_templates`).
"""
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.selectors import carrier_tracking_link
from shopchat.errors import InvalidInput
from shopchat.languages import Speech, chat_language

from . import messages as wa
from .models import META_TEMPLATE_LANGUAGES, MessageTemplate

# Meta refuses an empty text parameter: an event's value it does not carry is sent as this.
MISSING = "-"
MAX_PARAMETER = 1024
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MEDIA_HEADERS = {"IMAGE", "VIDEO", "DOCUMENT", "LOCATION"}
# buttons whose value is given at send time (a URL's variable part, a coupon or one-time code)
BUTTONS_WITH_VALUES = {"COPY_CODE", "OTP"}

FIELD_LABELS = {
    "order_number": _("order number"),
    "carrier": _("carrier"),
    "tracking_number": _("tracking number"),
    "tracking_link": _("tracking link (or the tracking number)"),
    "amount": _("amount"),
    "pay_link": _("pay link"),
    "ticket_number": _("ticket number"),
    "customer_name": _("customer's name"),
}

# The events a template can tell, and their values: a positional template with no mapping of
# its own takes them in this order.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    MessageTemplate.Event.ORDER_SHIPPED: ("order_number", "carrier", "tracking_number", "tracking_link",
                                          "customer_name"),
    MessageTemplate.Event.ORDER_DELIVERED: ("order_number", "customer_name"),
    # the shop's ask to pay: the bank's page (3-D Secure) for the order's payment
    MessageTemplate.Event.PAYMENT_ACTION_REQUIRED: ("order_number", "amount", "pay_link", "customer_name"),
    MessageTemplate.Event.TICKET_REPLY: ("ticket_number", "customer_name"),
}


class NotUsable(ValueError):
    """A template that cannot tell its event as it is (the reason is shown in the back office)."""


# --- reading Meta's templates ---------------------------------------------------------------

def body_of(components: Any) -> dict:
    for component in components if isinstance(components, list) else []:
        if isinstance(component, dict) and str(component.get("type") or "").upper() == "BODY":
            return component
    return {}


def body_parameters(text: str, parameter_format: str = "") -> tuple[str, int, list[str]]:
    """(format, count, names) of a body's placeholders: {{1}}..{{n}} positional, {{name}} named."""
    found = PLACEHOLDER_RE.findall(text or "")
    names = list(dict.fromkeys(found))
    named = str(parameter_format or "").lower() == MessageTemplate.ParameterFormat.NAMED or any(
        not name.isdigit() for name in names)
    if named:
        return MessageTemplate.ParameterFormat.NAMED, len(names), names
    return MessageTemplate.ParameterFormat.POSITIONAL, max((int(n) for n in names), default=0), []


def read_template(item: Any) -> dict | None:
    """The row's fields for one entry of Meta's `data` list, or None when it is not a template
    (no name or language)."""
    if not isinstance(item, dict):
        return None
    name, language = item.get("name"), item.get("language")
    if not isinstance(name, str) or not isinstance(language, str) or not name or not language:
        return None
    components = item.get("components") if isinstance(item.get("components"), list) else []
    body = str(body_of(components).get("text") or "")
    parameter_format, count, names = body_parameters(body, str(item.get("parameter_format") or ""))
    return {
        "name": name[:512], "language": language[:15], "meta_id": str(item.get("id") or "")[:40],
        "category": str(item.get("category") or "").lower()[:20], "status": str(item.get("status") or "").lower()[:20],
        "parameter_format": parameter_format, "body_text": body, "parameter_count": count, "parameter_names": names,
        "components": components,
    }


# --- which template, with which values ------------------------------------------------------

def other_values_needed(components: Any) -> bool:
    """Whether the template's header or buttons need values at send time (only the body's are
    filled): a text header with a variable, a media header, a URL button with a variable, a
    coupon or one-time-code button."""
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type") or "").upper()
        if kind == "HEADER":
            if str(component.get("format") or "TEXT").upper() in MEDIA_HEADERS:
                return True
            if PLACEHOLDER_RE.search(str(component.get("text") or "")):
                return True
        if kind == "BUTTONS":
            for button in component.get("buttons") or []:
                if not isinstance(button, dict):
                    continue
                button_type = str(button.get("type") or "").upper()
                if button_type in BUTTONS_WITH_VALUES or (
                        button_type == "URL" and PLACEHOLDER_RE.search(str(button.get("url") or ""))):
                    return True
    return False


def check_event(*, template: MessageTemplate, event: str, parameters: list[str]) -> None:
    """Whether `template` may tell `event` with `parameters` (the event's values, in order; empty:
    the event's usual order). Sets both on the unsaved instance; raises InvalidInput naming the
    field at fault. The back office's event mapping asks this before it saves."""
    template.parameters = parameters
    if not event:
        return
    if template.category == MessageTemplate.Category.AUTHENTICATION:
        raise InvalidInput("event", gettext("An authentication template carries one-time codes only: it cannot tell "
                                      "an event."))
    if other_values_needed(template.components):
        raise InvalidInput("event", gettext("Its header or buttons need values too; only the body is filled."))
    if MessageTemplate.objects.filter(config_id=template.config_id, event=event,
                                      language=template.language).exclude(pk=template.pk).exists():
        raise InvalidInput("event", gettext("Another template of this language already tells this event."))
    template.event = event
    try:
        parameter_fields(template)
    except NotUsable as exc:
        raise InvalidInput("values", str(exc)) from None


def parameter_fields(template: MessageTemplate) -> list[str]:
    """The event's value for each body parameter of `template`, in order; NotUsable says why
    there is none (no event, an unknown value, too few values for the parameters...)."""
    fields = EVENT_FIELDS.get(template.event)
    if fields is None:
        raise NotUsable(_("It tells no event."))
    count = template.parameter_count
    chosen = [str(f) for f in template.parameters] if isinstance(template.parameters, list) else []
    if not chosen:
        if template.parameter_format == MessageTemplate.ParameterFormat.NAMED:
            chosen = [str(name) for name in template.parameter_names or []]
        else:
            chosen = list(fields[:count])
    unknown = [f for f in chosen if f not in fields]
    if unknown:
        raise NotUsable(_("The event has no value %(names)s: choose the value of each parameter.")
                        % {"names": ", ".join(unknown)})
    if len(chosen) != count:
        raise NotUsable(_("The body has %(count)d parameters and %(given)d values are chosen.")
                        % {"count": count, "given": len(chosen)})
    return chosen


def why_not_usable(template: MessageTemplate) -> str:
    """"" when `template` can tell its event outside the window, else why not (shown to staff)."""
    if template.removed_at is not None:
        return str(_("Meta no longer lists it."))
    if template.status != MessageTemplate.Status.APPROVED:
        return str(_("Not approved by Meta (%(status)s).") % {"status": template.status or "-"})
    if template.category == MessageTemplate.Category.AUTHENTICATION:
        return str(_("An authentication template carries one-time codes only."))
    if other_values_needed(template.components):
        return str(_("Its header or buttons need values too; only the body is filled."))
    try:
        parameter_fields(template)
    except NotUsable as exc:
        return str(exc)
    return ""


def meta_language(code: str) -> str:
    """A locale as Meta spells a template's language: 'en-in' -> 'en_IN', 'pt-br' -> 'pt_BR', 'de' -> 'de'."""
    parts = re.split(r"[-_]", str(code or "").strip())
    if not parts or not parts[0]:
        return ""
    return "_".join([parts[0].lower(), *(p.upper() for p in parts[1:])])


def _preference(template: MessageTemplate, wanted: list[tuple[str, str]]) -> tuple[int, int, str] | None:
    """Where `template` ranks for the languages wanted, in order (lower is better; None: not
    wanted): the exact locale first, then Meta's code of the chat language, then its variants."""
    for rank, (exact, language) in enumerate(wanted):
        if exact and template.language == exact:
            return rank, 0, template.language
        if language and chat_language(template.language) == language:
            return rank, 1 if template.language == META_TEMPLATE_LANGUAGES.get(language) else 2, template.language
    return None


def choose(*, config, event_type: str, customer, speech: Speech | None = None) -> MessageTemplate | None:
    """The approved template telling `event_type` to `customer`: in their saved locale, else
    their chat language, else the business's default language; None when there is none (or
    none usable), and the number's parameterless template goes as before."""
    if event_type not in EVENT_FIELDS:
        return None
    rows = [t for t in MessageTemplate.objects.filter(config=config, event=event_type,
                                                      status=MessageTemplate.Status.APPROVED,
                                                      removed_at__isnull=True)
            if not why_not_usable(t)]
    if not rows:
        return None
    business = config.business
    speech = speech or Speech.of(customer, business)
    wanted = [(meta_language(customer.locale or ""), speech.language), ("", chat_language(business.language) or "")]
    ranked = sorted(((rank, t.pk), t) for t in rows if (rank := _preference(t, wanted)) is not None)
    return ranked[0][1] if ranked else None


def event_values(event_type: str, data: dict, customer, speech: Speech) -> dict[str, str]:
    """Every value `event_type` offers a template, from the event's payload."""
    values = {"customer_name": str((data.get("customer") or {}).get("name") or getattr(customer, "name", "") or "")}
    if event_type.startswith(("order.", "payment.")):
        values["order_number"] = str(data.get("order") or data.get("number") or "")
    if event_type == MessageTemplate.Event.ORDER_SHIPPED:
        number, carrier = str(data.get("tracking_number") or ""), str(data.get("carrier") or "")
        values.update(tracking_number=number, carrier=carrier,
                      tracking_link=carrier_tracking_link(carrier, number) or number)
    if event_type == MessageTemplate.Event.PAYMENT_ACTION_REQUIRED:
        amount = data.get("amount") or data.get("total")
        values["amount"] = speech.amount(amount, data.get("currency")) if amount not in (None, "") else ""
        values["pay_link"] = str(data.get("url") or "")
    if event_type == MessageTemplate.Event.TICKET_REPLY:  # the ticket's number per business, as the chat tells it
        values["ticket_number"] = str(data.get("number") or data.get("ticket") or "")
    return values


@dataclass(frozen=True)
class Filled:
    template: MessageTemplate
    body: dict  # the Cloud API message (without `to`)


def template_message(template: MessageTemplate, values: dict[str, str]) -> dict:
    """`template` as a Cloud API message with its body parameters filled from `values`."""
    fields = parameter_fields(template)
    parameters = []
    for index, field in enumerate(fields):
        parameter = {"type": "text", "text": wa.clip(values.get(field) or "", MAX_PARAMETER) or MISSING}
        if template.parameter_format == MessageTemplate.ParameterFormat.NAMED:
            parameter = {"type": "text", "parameter_name": template.parameter_names[index], "text": parameter["text"]}
        parameters.append(parameter)
    components = [{"type": "body", "parameters": parameters}] if parameters else None
    return wa.template(template.name, template.language, components=components)


def for_event(*, config, event, customer) -> Filled | None:
    """The template message telling outbox `event` to `customer` outside the window, or None
    (no template for it: the parameterless template, as before)."""
    speech = Speech.of(customer, config.business)
    template = choose(config=config, event_type=event.event_type, customer=customer, speech=speech)
    if template is None:
        return None
    values = event_values(event.event_type, event.payload or {}, customer, speech)
    return Filled(template, template_message(template, values))
