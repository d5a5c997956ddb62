"""The chat customer's cart. It holds no stock: availability is checked again, under lock,
when the order is placed."""
from django.db import transaction

from catalog.models import Product
from shopchat.errors import InvalidInput, check_tenant
from shopchat.models import Business, Customer

from .. import queries
from ..errors import OutOfStock, ProductUnavailable
from ..models import CartItem
from ..selectors import CartContents, contents_of

MAX_QUANTITY = 999


def set_cart_item(*, business: Business, customer: Customer, product: Product, quantity: int) -> CartContents:
    """Put `quantity` of `product` in the customer's cart (replacing what was there) and answer
    the cart as it is now.

    Active products only; a tracked product cannot go above what is available now. The cart
    and the item are written, and the cart read back, by one statement on PostgreSQL
    (`queries.put_in_cart`): no transaction, no savepoints; it locks the cart row until it ends."""
    check_tenant(business, customer, product)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
    if not product.is_active:
        raise ProductUnavailable(product.retailer_id)
    available = product.available_quantity
    if available is not None and quantity > available:
        raise OutOfStock([{"retailer_id": product.retailer_id, "title": product.variant_title,
                           "requested": quantity, "available": available}])
    entries = queries.put_in_cart(business_id=business.pk, customer_id=customer.pk, product_id=product.pk,
                                  quantity=quantity)
    return contents_of(business=business, customer=customer, items=[(e.product, e.quantity) for e in entries])


def remove_cart_item(*, business: Business, customer: Customer, product: Product) -> bool:
    """Take `product` out of the customer's cart; False when it was not there."""
    check_tenant(business, customer, product)
    with transaction.atomic():
        deleted, _ = CartItem.objects.filter(cart__customer=customer, product=product).delete()
    return bool(deleted)


def clear_cart(*, business: Business, customer: Customer) -> int:
    """Empty the customer's cart; returns how many items were removed."""
    check_tenant(business, customer)
    with transaction.atomic():
        deleted, _ = CartItem.objects.filter(cart__customer=customer).delete()
    return deleted
