"""Reads of the chat app: messages not delivered (for the order and ticket pages), and what the
conversation engine reads (catalog sections, search, the wallet balance)."""
from django.utils.translation import pgettext

from catalog.models import Collection, CollectionProduct, Product
from catalog.selectors import search_products
from payments.models import LedgerAccount
from shopchat.channels import UndeliveredMessage
from shopchat.models import Business, Customer

from .models import OutboundMessage, WhatsAppConfig
from .notifications import WEB_CHAT_PREFIX


def chat_failures(*, business: Business, order_number: str = "", ticket_id: str = "") -> list[OutboundMessage]:
    """Messages about an order or a ticket that WhatsApp did not deliver, newest first, with
    their error code and title (e.g. 131047: the customer last wrote over 24 hours ago)."""
    messages = OutboundMessage.objects.filter(business=business, status=OutboundMessage.Status.FAILED)
    if order_number:
        messages = messages.filter(order_number=order_number)
    elif ticket_id:
        messages = messages.filter(ticket_id=str(ticket_id))
    else:
        return []
    return list(messages.order_by("-id")[:20])


def undelivered_messages(*, business: Business, order_number: str = "",
                         ticket_id: str = "") -> list[UndeliveredMessage]:
    """`chat_failures` as the channel registry hands them to the order and ticket pages, which
    know nothing of the chat app."""
    return [UndeliveredMessage(status_at=m.status_at, kind=m.kind, error_code=m.error_code, error_title=m.error_title)
            for m in chat_failures(business=business, order_number=order_number, ticket_id=ticket_id)]


# --- what the conversation engine reads --------------------------------------------------------

# A list that shows a variant group once reads this many times its room, so groups do not crowd it.
GROUP_OVERREAD = 3


def first_of_each_group(products: list[Product], limit: int) -> list[Product]:
    """`products` with only the first of each variant group (`item_group_id`), at most `limit`."""
    seen: set[str] = set()
    kept: list[Product] = []
    for product in products:
        if product.item_group_id:
            if product.item_group_id in seen:
                continue
            seen.add(product.item_group_id)
        kept.append(product)
        if len(kept) >= limit:
            break
    return kept


def find_products(*, business: Business, query: str, limit: int, one_per_group: bool = False) -> list[Product]:
    """Active products matching `query`, best first (the catalog's search); with `one_per_group`,
    a variant group once (its best match). One read of `limit` rows when none of them belongs to
    a group (or there are no more); a second, longer read only to fold groups."""
    first = list(search_products(business=business, query=query)[:limit])
    if not one_per_group or not any(p.item_group_id for p in first):
        return first  # no group among the best matches (most catalogs): nothing to fold
    if len(first) < limit:  # that was every match
        return first_of_each_group(first, limit)
    return first_of_each_group(list(search_products(business=business, query=query)[:limit * GROUP_OVERREAD]), limit)



def collection_sections(business: Business, max_items: int, max_sections: int,
                        one_per_group: bool = False) -> list[tuple[str, list[Product]]]:
    """[(collection name, [products])] within the limits; one 'Products' section without collections.
    With `one_per_group`, a variant group once per section."""
    read = GROUP_OVERREAD if one_per_group else 1

    def cut(products: list[Product], room: int) -> list[Product]:
        return first_of_each_group(products, room) if one_per_group else products[:room]

    collections = list(Collection.objects.filter(business=business, is_active=True).order_by("position", "name")
                       [:max_sections])
    sections: list[tuple[str, list[Product]]] = []
    if collections:
        per_section = max(1, max_items // len(collections))
        for collection in collections:
            room = min(per_section, max_items - sum(len(p) for _, p in sections))
            if room <= 0:
                break
            products = cut([entry.product for entry in CollectionProduct.objects.filter(
                collection=collection, product__is_active=True).select_related("product").order_by("position", "id")
                [:room * read]], room)
            if products:
                sections.append((collection.name, products))
    if not sections:
        products = cut(list(Product.objects.filter(business=business, is_active=True).order_by("title")
                            [:max_items * read]), max_items)
        if products:
            sections.append((pgettext("section title", "Products"), products))
    return sections


def wallet_balance(customer: Customer) -> int:
    return (LedgerAccount.objects.filter(customer=customer, kind=LedgerAccount.Kind.CUSTOMER_WALLET)
            .values_list("balance_minor", flat=True).first() or 0)


def reaches_customers(business: Business, customer: Customer | None = None) -> bool:
    """The business has an enabled WhatsApp number and `customer` (if named) chats on WhatsApp,
    not in the browser: messages can reach them there."""
    if customer is not None and customer.wa_id.startswith(WEB_CHAT_PREFIX):
        return False
    return WhatsAppConfig.objects.filter(business=business, enabled=True).exists()
