"""The chat customer's cart. It holds no stock: availability is checked again, under lock,
when the order is placed."""
from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from shopchat.errors import InvalidInput, check_tenant
from shopchat.models import Business, Customer

from ..errors import OutOfStock, ProductUnavailable
from ..models import Cart, CartItem

MAX_QUANTITY = 999


def set_cart_item(*, business: Business, customer: Customer, product: Product, quantity: int) -> CartItem:
    """Put `quantity` of `product` in the customer's cart (replacing what was there).

    Active products only; a tracked product cannot go above what is available now."""
    check_tenant(business, customer, product)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput("quantity", f"Enter a whole number from 1 to {MAX_QUANTITY}.")
    if not product.is_active:
        raise ProductUnavailable(product.retailer_id)
    available = product.available_quantity
    if available is not None and quantity > available:
        raise OutOfStock([{"retailer_id": product.retailer_id, "title": product.title,
                           "requested": quantity, "available": available}])
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(customer=customer, defaults={"business": business})
        item, _ = CartItem.objects.update_or_create(cart=cart, product=product, defaults={"quantity": quantity})
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return item


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
