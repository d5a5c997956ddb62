"""Building WhatsApp messages within the format's limits.

Every builder returns the message object the Cloud API takes (without `to` and
`messaging_product`) and raises `InvalidMessage` when a limit would be broken, so a message
Meta would refuse with a 400 is caught here, before it is queued. `validate(body)` applies the
same checks to a stored body (the sender calls it before every request). `clip()` is for
callers that show free text (product titles) in a limited field.
"""
import re
from typing import Any

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_FOOTER = 60
MAX_HEADER = 60
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_REPLY_ID = 256
MAX_LIST_BUTTON = 20
MAX_SECTIONS = 10
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_SECTION_TITLE = 24
MAX_PRODUCTS = 30
MAX_PRODUCT_SECTIONS = 10
REFERENCE_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,35}$")
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


class InvalidMessage(ValueError):
    """A message that breaks one of WhatsApp's format limits."""


def clip(text: str, limit: int) -> str:
    """`text` on one line, shortened with an ellipsis to fit `limit` characters. No-break spaces
    stay (money in most locales keeps its sign on the amount's line with one)."""
    text = " ".join(_BREAKING_SPACE.split(str(text or "").strip()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_len(value, limit: int, what: str, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            raise InvalidMessage(f"{what} is required")
        return
    if not isinstance(value, str):
        raise InvalidMessage(f"{what} must be text")
    if len(value) > limit:
        raise InvalidMessage(f"{what} is {len(value)} characters; at most {limit}")


def _interactive(kind, body, action, header=None, footer=None) -> dict:
    interactive = {"type": kind}
    if header:
        interactive["header"] = {"type": "text", "text": header}
    if body is not None:
        interactive["body"] = {"text": body}
    if footer:
        interactive["footer"] = {"text": footer}
    interactive["action"] = action
    message = {"type": "interactive", "interactive": interactive}
    validate(message)
    return message


def text(body: str, preview_url: bool = False) -> dict:
    message = {"type": "text", "text": {"preview_url": preview_url, "body": body}}
    validate(message)
    return message


def reply_buttons(body: str, buttons, header: str | None = None, footer: str | None = None) -> dict:
    """`buttons`: [(id, title)], at most 3, titles at most 20 characters."""
    action = {"buttons": [{"type": "reply", "reply": {"id": bid, "title": title}} for bid, title in buttons]}
    return _interactive("button", body, action, header, footer)


def list_message(body: str, button: str, sections, header: str | None = None, footer: str | None = None) -> dict:
    """`sections`: [(title, [(row id, row title, description)])]; at most 10 sections and 10 rows in all."""
    action = {
        "button": button,
        "sections": [
            {"title": title, "rows": [
                {"id": rid, "title": rtitle, **({"description": desc} if desc else {})} for rid, rtitle, desc in rows
            ]}
            for title, rows in sections
        ],
    }
    return _interactive("list", body, action, header, footer)


def product(catalog_id: str, retailer_id: str, body: str | None = None, footer: str | None = None) -> dict:
    action = {"catalog_id": catalog_id, "product_retailer_id": retailer_id}
    return _interactive("product", body, action, footer=footer)


def product_list(catalog_id: str, header: str, body: str, sections, footer: str | None = None) -> dict:
    """`sections`: [(title, [retailer ids])]; at most 10 sections and 30 products in all."""
    action = {
        "catalog_id": catalog_id,
        "sections": [
            {"title": title, "product_items": [{"product_retailer_id": rid} for rid in rids]}
            for title, rids in sections
        ],
    }
    return _interactive("product_list", body, action, header, footer)


def catalog_message(body: str, thumbnail_retailer_id: str | None = None, footer: str | None = None) -> dict:
    action: dict[str, Any] = {"name": "catalog_message"}
    if thumbnail_retailer_id:
        action["parameters"] = {"thumbnail_product_retailer_id": thumbnail_retailer_id}
    return _interactive("catalog_message", body, action, footer=footer)


def order_details(body: str, parameters: dict, footer: str | None = None) -> dict:
    """A payment request (WhatsApp Payments); `parameters` as built by the engine from an order."""
    return _interactive("order_details", body, {"name": "review_and_pay", "parameters": parameters}, footer=footer)


def order_status(body: str, reference_id: str, status: str, description: str = "") -> dict:
    order = {"status": status}
    if description:
        order["description"] = clip(description, 120)
    parameters = {"reference_id": reference_id, "order": order}
    return _interactive("order_status", body, {"name": "review_order", "parameters": parameters})


ADDRESS_MESSAGE_COUNTRIES = {"IN", "SG"}  # where Meta offers the native address form


def address_message(body: str, country: str, values: dict | None = None, validation_errors: dict | None = None,
                    footer: str | None = None) -> dict:
    """WhatsApp's native address form (India and Singapore); `values` prefill it, and
    `validation_errors` ({field: message}) show what to correct when it is sent again."""
    parameters: dict[str, Any] = {"country": country}
    if values:
        parameters["values"] = values
    if validation_errors:
        parameters["validation_errors"] = validation_errors
    return _interactive("address_message", body, {"name": "address_message", "parameters": parameters},
                        footer=footer)


def template(name: str, language: str, components: list[dict] | None = None) -> dict:
    """An approved template; `components` fill its parameters, e.g.
    `[{"type": "body", "parameters": [{"type": "text", "text": "SC-1"}]}]`."""
    message: dict[str, Any] = {"type": "template", "template": {"name": name, "language": {"code": language or "en"}}}
    if components:
        message["template"]["components"] = components
    validate(message)
    return message


def kind_of(message: dict) -> str:
    """`text`, `template`, or the interactive type (`button`, `list`, `product_list`...)."""
    if message.get("type") == "interactive":
        return (message.get("interactive") or {}).get("type", "interactive")
    return message.get("type", "")


ORDER_STATUSES = {"pending", "processing", "partially_shipped", "shipped", "completed", "canceled"}


def validate(message: dict) -> None:
    """Raise InvalidMessage unless `message` respects WhatsApp's limits."""
    kind = message.get("type")
    if kind == "text":
        _check_len((message.get("text") or {}).get("body"), MAX_TEXT, "text body")
        return
    if kind == "template":
        tpl = message.get("template") or {}
        _check_len(tpl.get("name"), 512, "template name")
        _check_template_components(tpl.get("components"))
        return
    if kind != "interactive":
        raise InvalidMessage(f"unsupported message type {kind!r}")
    interactive = message.get("interactive") or {}
    itype = interactive.get("type")
    action = interactive.get("action") or {}
    body = (interactive.get("body") or {}).get("text")
    body_required = itype not in ("product",)
    _check_len(body, MAX_BODY, "body", required=body_required)
    _check_len((interactive.get("footer") or {}).get("text"), MAX_FOOTER, "footer", required=False)
    header = interactive.get("header") or {}
    if header.get("type") == "text":
        _check_len(header.get("text"), MAX_HEADER, "header")
    if itype == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise InvalidMessage(f"{len(buttons)} reply buttons; 1 to {MAX_BUTTONS} allowed")
        ids = [b["reply"]["id"] for b in buttons]
        if len(set(ids)) != len(ids):
            raise InvalidMessage("reply button ids must differ")
        for b in buttons:
            _check_len(b["reply"]["id"], MAX_REPLY_ID, "button id")
            _check_len(b["reply"]["title"], MAX_BUTTON_TITLE, "button title")
    elif itype == "list":
        _check_len(action.get("button"), MAX_LIST_BUTTON, "list button")
        sections = action.get("sections") or []
        _check_sections(sections, MAX_SECTIONS)
        rows = [row for s in sections for row in s.get("rows") or []]
        if not 1 <= len(rows) <= MAX_ROWS:
            raise InvalidMessage(f"{len(rows)} list rows; 1 to {MAX_ROWS} allowed in all")
        if len({r["id"] for r in rows}) != len(rows):
            raise InvalidMessage("list row ids must differ")
        for row in rows:
            _check_len(row.get("id"), 200, "row id")
            _check_len(row.get("title"), MAX_ROW_TITLE, "row title")
            _check_len(row.get("description"), MAX_ROW_DESCRIPTION, "row description", required=False)
    elif itype == "product_list":
        if header.get("type") != "text":
            raise InvalidMessage("a product list needs a text header")
        _check_len(action.get("catalog_id"), 32, "catalog_id")
        sections = action.get("sections") or []
        _check_sections(sections, MAX_PRODUCT_SECTIONS)
        count = sum(len(s.get("product_items") or []) for s in sections)
        if not 1 <= count <= MAX_PRODUCTS:
            raise InvalidMessage(f"{count} products; 1 to {MAX_PRODUCTS} allowed in a product list")
        if any(not s.get("product_items") for s in sections):
            raise InvalidMessage("every section needs at least one product")
    elif itype == "product":
        _check_len(action.get("catalog_id"), 32, "catalog_id")
        _check_len(action.get("product_retailer_id"), 100, "product_retailer_id")
    elif itype == "catalog_message":
        if action.get("name") != "catalog_message":
            raise InvalidMessage("a catalog message's action is named catalog_message")
    elif itype == "address_message":
        if action.get("name") != "address_message":
            raise InvalidMessage("an address message's action is named address_message")
        if (action.get("parameters") or {}).get("country") not in ADDRESS_MESSAGE_COUNTRIES:
            raise InvalidMessage("address messages are offered in India (IN) and Singapore (SG) only")
    elif itype == "order_details":
        _check_reference((action.get("parameters") or {}).get("reference_id"))
        _check_order_amounts(action.get("parameters") or {})
    elif itype == "order_status":
        params = action.get("parameters") or {}
        _check_reference(params.get("reference_id"))
        if (params.get("order") or {}).get("status") not in ORDER_STATUSES - {"pending"}:
            raise InvalidMessage("order_status needs processing, partially_shipped, shipped, completed or canceled")
    else:
        raise InvalidMessage(f"unsupported interactive type {itype!r}")


# Meta refuses a template's text parameter with a new line, a tab or more than 4 spaces in a row (132018).
_PARAMETER_BREAKS = re.compile(r"[\n\t]| {5,}")


def _check_template_components(components) -> None:
    if components is None:
        return
    if not isinstance(components, list):
        raise InvalidMessage("template components must be a list")
    for component in components:
        if not isinstance(component, dict) or not component.get("type"):
            raise InvalidMessage("a template component needs a type")
        for parameter in component.get("parameters") or []:
            if not isinstance(parameter, dict) or not parameter.get("type"):
                raise InvalidMessage("a template parameter needs a type")
            if parameter["type"] == "text":
                _check_len(parameter.get("text"), MAX_BODY, "template text parameter")
                if _PARAMETER_BREAKS.search(parameter["text"]):
                    raise InvalidMessage("a template text parameter has no new lines, tabs or runs of spaces")


def _check_sections(sections, limit: int) -> None:
    if not 1 <= len(sections) <= limit:
        raise InvalidMessage(f"{len(sections)} sections; 1 to {limit} allowed")
    for section in sections:
        _check_len(section.get("title"), MAX_SECTION_TITLE, "section title", required=len(sections) > 1)


def _check_reference(reference_id) -> None:
    if not isinstance(reference_id, str) or not REFERENCE_ID_RE.match(reference_id):
        raise InvalidMessage("reference_id: 1 to 35 characters of letters, digits, '_', '.', '-'")


def _check_order_amounts(params: dict) -> None:
    """Meta refuses an order whose amounts do not add up; so do we."""
    order = params.get("order") or {}

    def value(key):
        return int((order.get(key) or {}).get("value", 0))

    subtotal = sum(int(i["amount"]["value"]) * int(i["quantity"]) for i in order.get("items") or [])
    if subtotal != value("subtotal"):
        raise InvalidMessage("order subtotal is not the sum of its items")
    total = value("subtotal") + value("tax") + value("shipping") - value("discount")
    if int((params.get("total_amount") or {}).get("value", -1)) != total:
        raise InvalidMessage("total_amount is not subtotal + tax + shipping - discount")
