"""Merchant sign-up: a business with its owner, pending until platform staff approve it (or at
once with SIGNUP_AUTO_APPROVE), and the owner's e-mail verified by a signed link sent through
the outbox (so it is sent even if the mail server or the broker is down at that moment)."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from shopchat import outbox
from shopchat.models import Business
from shopchat.services import create_business

from .errors import BadVerificationLink, EmailTaken
from .models import SignUp

VERIFY_SALT = "web.verify-email"
VERIFY_MAX_AGE = 7 * 24 * 3600


def free_slug(name: str) -> str:
    """A slug for the new business's public address, made unique with a number when taken."""
    base = (slugify(name)[:50] or "shop").strip("-") or "shop"
    taken = set(Business.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def sign_up(*, business_name: str, country: str, currency: str, owner_name: str, email: str, password: str,
            auto_approve: bool | None = None) -> SignUp:
    """Create a pending (or, with auto-approval, active) business, its owner and the e-mail
    verification, in one transaction. The password is checked by the caller's form with
    Django's validators. Raises EmailTaken (an existing account is never taken over)."""
    if auto_approve is None:
        auto_approve = settings.SIGNUP_AUTO_APPROVE
    email = email.strip().lower()
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=email, email=email, password=password,
                                            first_name=owner_name.strip()[:150], is_staff=True)
            business = create_business(
                name=business_name.strip(), currency=currency, owner_email=email, slug=free_slug(business_name),
                country=country.upper(),
                status=Business.Status.ACTIVE if auto_approve else Business.Status.PENDING)
            signup = SignUp.objects.create(business=business, user=user)
            # in the language of the sign-up page (the owner has chosen none yet)
            outbox.notify_staff(business=business, roles=("owner",), subject=VERIFY_SUBJECT, body=VERIFY_BODY,
                                params=verification_params(signup), fallback=translation.get_language())
    except IntegrityError:  # the username is unique: a concurrent sign-up with the same e-mail
        raise EmailTaken() from None
    return signup


def verification_link(signup: SignUp) -> str:
    token = signing.dumps({"s": signup.pk, "u": signup.user_id}, salt=VERIFY_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("web:verify-email", args=[token])


VERIFY_SUBJECT = gettext_noop("Confirm your e-mail for shopchat")
VERIFY_BODY = gettext_noop("Welcome to shopchat!\n\nPlease confirm your e-mail address by opening this link:\n"
                           "%(link)s\n\nYour shop %(name)s is %(status)s.")


def verification_params(signup: SignUp) -> dict:
    """The verification mail's params (`shopchat.outbox.staff_email`)."""
    return {"link": verification_link(signup), "name": signup.business.name,
            "status": {"text": gettext_noop("active") if signup.business.is_active
                       else gettext_noop("waiting for approval by the platform")}}


def verify_email(*, token: str) -> SignUp:
    """Mark the owner's e-mail verified (a second click changes nothing). Raises BadVerificationLink."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        raise BadVerificationLink() from None
    with transaction.atomic():
        signup = (SignUp.objects.select_for_update().select_related("business")
                  .filter(pk=data.get("s"), user_id=data.get("u")).first())
        if signup is None:
            raise BadVerificationLink()
        if signup.email_verified_at is None:
            signup.email_verified_at = timezone.now()
            signup.save(update_fields=["email_verified_at"])
    return signup
