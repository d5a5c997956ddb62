"""The sidebar: the shop's daily work first (Shop, Money, Support), settings, then a Developer
section with the internal tables (outbox, dead letters, raw inbound) that only platform staff
and owners see. An entry shows only when its admin lets the user view it, so the one tenancy
mechanism (TenantAdmin's permissions) decides the sidebar too."""
from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ..tenancy import business_ids

# (title, icon, "app_label.model_name" or a URL name, extra query string)
SECTIONS: list[tuple[Any, list[tuple[Any, str, str, str]]]] = [
    (_("Shop"), [
        (_("Dashboard"), "dashboard", "admin:index", ""),
        (_("Orders"), "shopping_bag", "orders.order", ""),
        (_("Customers"), "group", "shopchat.customer", ""),
        (_("Products"), "inventory_2", "catalog.product", ""),
        (_("Collections"), "category", "catalog.collection", ""),
        (_("Discounts"), "sell", "orders.discount", ""),
        (_("Catalog imports"), "upload_file", "catalog.importjob", ""),
        (_("Carts"), "shopping_cart", "orders.cart", ""),
    ]),
    (_("Money"), [
        (_("Payments"), "payments", "payments.payment", ""),
        (_("Refunds"), "undo", "payments.refund", ""),
        (_("Settlements"), "account_balance", "payments.settlement", ""),
        (_("Wallets"), "account_balance_wallet", "payments.wallet", ""),
        (_("Top-ups"), "add_card", "payments.topup", ""),
        (_("Transfers"), "swap_horiz", "payments.transfer", ""),
        (_("Ledger accounts"), "menu_book", "payments.ledgeraccount", ""),
        (_("Ledger transactions"), "receipt_long", "payments.ledgertransaction", ""),
        (_("Disputes"), "gavel", "payments.dispute", ""),
    ]),
    (_("Support"), [
        (_("Inbox"), "forum", "chat.conversation", ""),
        (_("Received media"), "photo_library", "chat.receivedmedia", ""),
        (_("Tickets"), "support_agent", "support.ticket", ""),
        (_("Canned replies"), "quickreply", "support.cannedreply", ""),
        (_("SLA policies"), "timer", "support.slapolicy", ""),
        (_("Technical support"), "help", "support.platformticket", ""),
    ]),
    (_("Settings"), [
        (_("Business"), "storefront", "shopchat.business", ""),
        (_("Staff"), "badge", "shopchat.membership", ""),
        (_("API keys"), "key", "shopchat.apikey", ""),
        (_("WhatsApp"), "chat", "chat.whatsappconfig", ""),
        (_("Card tokens"), "credit_card", "payments.fundingsource", ""),
        (_("Payment provider"), "point_of_sale", "payments.paymentproviderconfig", ""),
        (_("Shipping options"), "local_shipping", "orders.shippingoption", ""),
        (_("Shipping zones"), "map", "orders.shippingzone", ""),
    ]),
]
DEVELOPER: list[tuple[Any, str, str, str]] = [
    (_("Outbox events"), "outbox", "shopchat.outboxevent", ""),
    (_("Dead letters"), "report", "chat.deadletter", ""),
    (_("Raw inbound messages"), "move_to_inbox", "chat.inboundmessage", ""),
    (_("Outbound messages"), "outgoing_mail", "chat.outboundmessage", ""),
    (_("Provider callbacks"), "webhook", "payments.providerevent", ""),
]


def sees_developer_section(user: Any) -> bool:
    """Platform staff, and owners (their shop's technical side is theirs to look at)."""
    return bool(user.is_superuser or business_ids(user, "developer"))


def _entry(request, title, icon, target: str, query: str) -> dict | None:
    if "." in target:
        app_label, model_name = target.split(".")
        model_admin = next((ma for model, ma in admin.site._registry.items()
                            if model._meta.app_label == app_label and model._meta.model_name == model_name), None)
        if model_admin is None or not model_admin.has_view_permission(request):
            return None
        url_name = f"admin:{app_label}_{model_name}_changelist"
    else:
        url_name = target
    try:
        link = reverse(url_name) + query
    except NoReverseMatch:
        return None
    return {"title": title, "icon": icon, "link": link}


def sidebar(request) -> list[dict]:
    """Unfold's SIDEBAR navigation for this user (only what they may open)."""
    groups = []
    sections = list(SECTIONS)
    if request.user.is_authenticated and sees_developer_section(request.user):
        sections.append((_("Developer"), DEVELOPER))
    for title, entries in sections:
        items = [item for entry in entries if (item := _entry(request, *entry))]
        if items:
            groups.append({"title": title, "separator": True, "collapsible": title == _("Developer"),
                           "items": items})
    return groups


def show_all_applications(request) -> bool:
    return bool(request.user.is_superuser)


def favicon_url(request) -> str:
    return static("shopchat/favicon.svg")


def styles_url(request) -> str:
    return static("shopchat/backoffice.css")


def scripts_url(request) -> str:
    return static("shopchat/backoffice.js")


def site_header(request) -> str:
    """The header's title in the staff member's language (UNFOLD["SITE_HEADER"])."""
    return str(_("shopchat back office"))
