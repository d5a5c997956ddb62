"""Core operations: onboarding a business, its staff and API keys, and chat customers."""
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import queries, sql
from .api.auth import forget_cached_key, hash_secret
from .models import ApiKey, Business, Customer, Membership
from .validators import normalize_wa_id, validate_currency, validate_wa_id

# Who makes a change, as the services record it: a staff user, the API's `GatewayClient` (an
# API key, not a person) or None (the system: a job, the chat). Services only label it or keep
# it when it is a user, so it stays dynamic.
Actor: TypeAlias = Any


class BusinessError(ValueError):
    """A business cannot be created as asked (bad currency, slug taken, ...)."""


def create_business(*, name: str, currency: str, owner_email: str, password: str | None = None,
                    slug: str | None = None, **fields: Any) -> Business:
    """Create a business with its owner (a staff user who logs in to the back office).

    The owner account is created if the e-mail is new; an existing account becomes owner.
    """
    currency = (currency or "").upper()
    try:
        validate_currency(currency)
    except ValidationError as exc:
        raise BusinessError(exc.messages[0]) from None
    slug = slug or slugify(name)[:60]
    if not slug:
        raise BusinessError("The business needs a name or a slug made of letters or digits.")
    if Business.objects.filter(slug=slug).exists():
        raise BusinessError(f"The slug {slug!r} is taken.")
    User = get_user_model()
    with transaction.atomic():
        business = Business(name=name, slug=slug, currency=currency, **fields)
        business.full_clean()
        try:
            business.save()
        except IntegrityError:
            raise BusinessError(f"The slug {slug!r} is taken.") from None
        user = User.objects.filter(username=owner_email).first()
        check_password(password, user or User(username=owner_email, email=owner_email))
        if user is None:
            user = User.objects.create_user(username=owner_email, email=owner_email, password=password)
        elif password:
            user.set_password(password)
        user.is_staff = True
        user.save()
        Membership.objects.create(user=user, business=business, role=Membership.Role.OWNER)
    return business


def check_password(password: str | None, user: Any) -> None:
    """A staff password follows AUTH_PASSWORD_VALIDATORS (length, common, numeric, like the
    user's name), wherever staff are created or changed; raises BusinessError naming why."""
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise BusinessError(" ".join(exc.messages)) from None


def add_member(*, business: Business, email: str, role: str, password: str | None = None,
               available_for_tickets: bool = True) -> Membership:
    """Give `email` a role in the business; the staff account is created when it is new."""
    User = get_user_model()
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email, "is_staff": True})
        check_password(password, user)
        if password:
            user.set_password(password)
            user.save()
        membership, _ = Membership.objects.update_or_create(
            user=user, business=business, defaults={"role": role, "available_for_tickets": available_for_tickets}
        )
    return membership


def rotate_webhook_secret(*, business: Business) -> str:
    """A new webhook signing secret for the business; returns it (shown once, then masked).
    Events signed from now on use it: the gateway must be given it at once."""
    from .models import new_webhook_secret

    secret = new_webhook_secret()
    Business.objects.filter(pk=business.pk).update(webhook_secret=secret)
    return secret


def suspend_businesses(*, businesses: Iterable[Business]) -> int:
    """Platform staff suspend businesses: their staff and API keys lose access (API keys within
    API_KEY_CACHE_SECONDS in other web processes)."""
    return Business.objects.filter(pk__in=[b.pk for b in businesses]).update(status=Business.Status.SUSPENDED)


def approve_businesses(*, businesses: Iterable[Business]) -> int:
    """Platform staff approve signed-up businesses: pending ones become active (their staff get
    the back office, their shop page goes public). Others are left as they are."""
    return (Business.objects.filter(pk__in=[b.pk for b in businesses], status=Business.Status.PENDING)
            .update(status=Business.Status.ACTIVE))


def reactivate_businesses(*, businesses: Iterable[Business]) -> int:
    return Business.objects.filter(pk__in=[b.pk for b in businesses]).update(status=Business.Status.ACTIVE)


def create_api_key(*, business: Business, name: str = "gateway", scopes: Iterable[str] | None = None,
                   created_by: User | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its full text, which is never stored or shown again."""
    scopes = list(scopes or [ApiKey.Scope.GATEWAY])
    unknown = set(scopes) - set(ApiKey.Scope.values)
    if unknown:
        raise BusinessError(f"Unknown scope(s): {', '.join(sorted(unknown))}. Use gateway, integration.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32).replace("_", "x")
    key = ApiKey.objects.create(
        business=business, name=name, prefix=prefix, secret_hash=hash_secret(secret), scopes=scopes,
        created_by=created_by,
    )
    return key, f"sc_{prefix}_{secret}"


def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    forget_cached_key(api_key.prefix)
    api_key.refresh_from_db()
    return api_key


@dataclass(frozen=True)
class SavedCustomer:
    """A chat customer as `put_customer` left it, and whether that call created it."""

    customer: Customer
    created: bool


def upsert_customer(*, business: Business, wa_id: str, name: str | None = None, locale: str | None = None,
                    inbound: bool = False) -> Customer:
    """Create the chat customer or update the fields given (see `put_customer`)."""
    return put_customer(business=business, wa_id=wa_id, name=name, locale=locale, inbound=inbound).customer


def put_customer(*, business: Business, wa_id: str, name: str | None = None, locale: str | None = None,
                 inbound: bool = False) -> SavedCustomer:
    """Create the chat customer or update the fields given; writes nothing when nothing changed.
    `inbound`: a message from the customer arrived now (moves `last_inbound_at` on).

    One written-out lookup: every order placed and every chat message looks the customer up (a
    chat message of a known customer moves `last_inbound_at` in the same statement); a
    new customer is one INSERT ... ON CONFLICT DO NOTHING more (a concurrent twin's row wins and
    is updated), so it needs neither a transaction nor a savepoint, inside a caller's or not."""
    wa_id = normalize_wa_id(wa_id)
    validate_wa_id(wa_id)
    changes: dict[str, str | datetime] = {k: v for k, v in (("name", name), ("locale", locale)) if v is not None}
    if inbound:  # a new message always moves it on: one UPDATE ... RETURNING for a known customer
        now = timezone.now()
        touched = queries.touch_customer(business_id=business.pk, wa_id=wa_id, now=now, changes=dict(changes))
        if touched is not None:
            touched.business = business
            return SavedCustomer(touched, False)
    customer = sql.find_model(Customer, business_id=business.pk, wa_id=wa_id)
    if inbound:
        changes["last_inbound_at"] = timezone.now()
    if customer is None:
        customer = Customer(business=business, wa_id=wa_id, **changes)
        if queries.insert_customer(customer=customer):  # one statement: no transaction, no savepoint
            return SavedCustomer(customer, True)
        # created by a concurrent call since the lookup: update that one
        customer = Customer.objects.get(business=business, wa_id=wa_id)
    customer.business = business
    changed = {k: v for k, v in changes.items() if k == "last_inbound_at" or getattr(customer, k) != v}
    if changed:
        changed["updated_at"] = timezone.now()
        # erased_at: an erasure that committed while we waited on its lock left a tombstone here;
        # the number now belongs to nobody, so it starts a new customer (shopchat.privacy)
        if not Customer.objects.filter(pk=customer.pk, erased_at__isnull=True).update(**changed):
            return put_customer(business=business, wa_id=wa_id, name=name, locale=locale, inbound=inbound)
        for field, value in changed.items():
            setattr(customer, field, value)
    return SavedCustomer(customer, False)
