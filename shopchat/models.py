"""The core: businesses, their staff, their chat customers, API keys, the event outbox and
stored idempotent responses. Every merchant-owned row in every app points at a Business."""
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import channels
from .languages import CHAT_LANGUAGES, DEFAULT_GREETING, NATIVE_NAMES, STAFF_LANGUAGES
from .money import CURRENCY_CHOICES, display
from .outbound import validate_public_url
from .payloads import SafeJSONDecoder
from .validators import (
    mask_account,
    validate_currency,
    validate_language_texts,
    validate_payout_account,
    validate_time_zone,
    validate_wa_id,
)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Business(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="INR",
                                validators=[validate_currency])
    country = models.CharField(_("country"), max_length=2, default="IN", help_text=_("ISO 3166-1 alpha-2"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Kolkata", validators=[validate_time_zone])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)

    # WhatsApp identity (the Cloud API credentials live in the WhatsApp adapter's own model).
    wa_phone_number_id = models.CharField(_("WhatsApp phone-number id"), max_length=32, blank=True, db_index=True)
    wa_display_number = models.CharField(_("WhatsApp display number"), max_length=20, blank=True)
    greeting = models.TextField(_("greeting"), blank=True, default=DEFAULT_GREETING)
    language = models.CharField(
        _("default language"), max_length=8, default="en", choices=[(c, NATIVE_NAMES[c]) for c in CHAT_LANGUAGES],
        help_text=_("The chat's language for customers whose language is not known."))
    greetings = models.JSONField(
        _("greeting in other languages"), default=dict, blank=True, validators=[validate_language_texts],
        help_text=_('By language code, e.g. {"de": "Willkommen!", "hi": "स्वागत है!"}; the greeting above '
                    "answers the languages not given."))

    # The public shop page (/shop/<slug>/) and the chat in the browser.
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the public shop page."))
    logo_url = models.URLField(_("logo"), max_length=500, blank=True,
                               help_text=_("The address of the shop's logo image."))
    web_chat_enabled = models.BooleanField(
        _("public web chat"), default=True,
        help_text=_("Anyone may shop in the browser chat of the shop page. Your own test chat stays on."),
    )

    # Platform commission: percent of each captured payment plus a fixed amount (minor units).
    commission_percent = models.DecimalField(_("commission percent"),
        max_digits=5, decimal_places=2, default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    commission_fixed_minor = models.BigIntegerField(_("commission fixed minor"), default=0,
                                                    validators=[MinValueValidator(0)])
    payout_account = models.CharField(_("payout account"),
        max_length=64, blank=True, validators=[validate_payout_account],
        help_text=_("IBAN or UPI id the settlements are paid out to."),
    )

    # Event webhooks to the chat gateway.
    webhook_url = models.URLField(_("webhook url"), blank=True, max_length=500, validators=[validate_public_url])
    webhook_secret = models.CharField(_("webhook secret"), max_length=80, default=new_webhook_secret)

    # Orders: tax, shipping, numbering, expiry of unpaid orders.
    order_prefix = models.CharField(_("order prefix"),
        max_length=6, default="SC", help_text=_("Order numbers read PREFIX-1042. Letters and digits."),
        validators=[RegexValidator(r"^[A-Za-z0-9]{1,6}$", "Use letters and digits only (at most 6).",
                                   code="invalid_order_prefix")],
    )
    tax_rate_percent = models.DecimalField(_("tax rate percent"),
        max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)
    shipping_fee_minor = models.BigIntegerField(_("shipping fee minor"), default=0, validators=[MinValueValidator(0)])
    free_shipping_over_minor = models.BigIntegerField(_("free shipping over minor"), null=True, blank=True,
                                                      validators=[MinValueValidator(0)])
    # at least 5: WhatsApp Pay refuses an order_details expiration under 300 seconds away
    unpaid_order_minutes = models.PositiveIntegerField(_("unpaid order minutes"), default=30,
                                                       validators=[MinValueValidator(5)])

    # Wallet limits (minor units; empty means no limit).
    transfer_limit_minor = models.BigIntegerField(_("transfer limit minor"), null=True, blank=True,
                                                  validators=[MinValueValidator(0)])
    daily_transfer_limit_minor = models.BigIntegerField(_("daily transfer limit minor"), null=True, blank=True,
                                                        validators=[MinValueValidator(0)])

    # Catalog feed for Meta's Commerce Manager.
    feed_token = models.CharField(_("feed token"), max_length=64, default=new_feed_token)

    # Support desk.
    ticket_auto_close_days = models.PositiveIntegerField(_("ticket auto close days"), default=7)
    auto_assign_tickets = models.BooleanField(_("auto assign tickets"), default=False)

    # Privacy: how long personal data is kept (days), purged by a beat job (shopchat.privacy).
    retention_chat_days = models.PositiveIntegerField(
        _("keep chat messages (days)"), default=180, validators=[MinValueValidator(1)],
        help_text=_("Messages in and out, with their text."))
    retention_payload_days = models.PositiveIntegerField(
        _("keep raw webhook payloads (days)"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Delivery statuses and payment-provider callbacks (the de-duplication ids stay)."))
    retention_dead_letter_days = models.PositiveIntegerField(
        _("keep dead letters (days)"), default=30, validators=[MinValueValidator(1)])
    retention_outbox_days = models.PositiveIntegerField(
        _("keep delivered notifications (days)"), default=30, validators=[MinValueValidator(1)])

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(commission_fixed_minor__gte=0), name="business_commission_fixed_gte_0"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=50),
                name="business_commission_percent_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def payout_account_masked(self) -> str:
        return mask_account(self.payout_account)

    def money(self, minor: int) -> str:
        return display(minor, self.currency)

    def greeting_in(self, language: str) -> str:
        """The merchant's greeting in `language`, else their default greeting (the starting one
        translated into the active language)."""
        text = str((self.greetings or {}).get(language) or "").strip() or self.greeting
        return gettext(DEFAULT_GREETING) if text == DEFAULT_GREETING else text


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        AGENT = "agent", _("Support agent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="memberships")
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    available_for_tickets = models.BooleanField(_("available for tickets"), default=True,
                                                help_text=_("Takes part in ticket auto-assignment."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "business"], name="membership_user_business_unique")]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} of {self.business}"


class StaffPreference(models.Model):
    """What a staff user chose for themselves: the back office's language (shopchat.backoffice.language)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                primary_key=True,
                                related_name="staff_preference")
    language = models.CharField(_("back-office language"), max_length=8, default="en",
                                choices=[(c, NATIVE_NAMES[c]) for c in STAFF_LANGUAGES])

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self):
        return f"{self.user_id}: {self.language}"


class Customer(models.Model):
    """A chat contact of one business, identified by its WhatsApp id (E.164 digits)."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="customers")
    wa_id = models.CharField(_("WhatsApp id"), max_length=15, validators=[validate_wa_id])
    name = models.CharField(_("name"), max_length=200, blank=True)
    locale = models.CharField(_("locale"), max_length=16, blank=True)
    last_inbound_at = models.DateTimeField(_("last inbound at"), null=True, blank=True,
                                           help_text=_("Last message from the customer."))
    is_test = models.BooleanField(_("is test"), default=False,
                                  help_text=_("The merchant's own test chats: left out of revenue."))
    # Consent to business-initiated (marketing) messages: when and how it was given or withdrawn
    # (shopchat.consent). Service messages inside the 24-hour window need none.
    marketing_opt_in_at = models.DateTimeField(_("marketing opt in at"), null=True, blank=True)
    marketing_opt_in_source = models.CharField(_("marketing opt in source"), max_length=40, blank=True,
                                               help_text=_("Where the opt-in came from: chat, api, import, web..."))
    marketing_opt_out_at = models.DateTimeField(_("marketing opt out at"), null=True, blank=True)
    marketing_opt_out_source = models.CharField(_("marketing opt out source"), max_length=40, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True,
                                     help_text=_("Personal data replaced by tombstones (shopchat.privacy)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["business", "wa_id"], name="customer_business_wa_id_unique")]

    def __str__(self):
        return f"{self.name or 'Customer'} (+{self.wa_id})"


class ApiKey(models.Model):
    """A business's key for the gateway API. Only a hash of the secret is stored; the key is
    shown once. Keys are long random strings, so a plain SHA-256 is enough (no slow KDF)."""

    class Scope(models.TextChoices):
        GATEWAY = "gateway", _("Gateway (chat-facing calls)")
        INTEGRATION = "integration", _("Integration (catalog writes, fulfilment, tickets)")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("API keys")
        verbose_name = _("API key")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class OutboxEvent(models.Model):
    """A notification written in the same transaction as the change that caused it, then
    delivered by Celery through its channel (the business's webhook, e-mail to staff, or one an
    app registered in `shopchat.channels`). Its id is the event id receivers de-duplicate on."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No webhook configured")

    class Channel:
        """The kernel's own channels; other apps register theirs (their labels come from there too)."""

        WEBHOOK = "webhook"
        EMAIL = "email"

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="events")
    channel = models.CharField(_("channel"), max_length=10, choices=channels.choices, default=Channel.WEBHOOK)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, decoder=SafeJSONDecoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.event_type} {self.id}"


class IdempotencyRecord(models.Model):
    """The first response to a call made with an `Idempotency-Key`, replayed on retries."""

    class State(models.TextChoices):
        STARTED = "started", _("In progress")
        DONE = "done", _("Done")

    # no index of its own: the unique (business, key) index leads with it
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="+",
                                 db_index=False)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.STARTED)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["business", "key"], name="idempotency_business_key_unique")]

    def __str__(self):
        return f"{self.key} ({self.state})"



from .privacy.models import ErasureRecord  # noqa: E402  (the privacy kernel's table, app shopchat)

__all__ = ["ApiKey", "Business", "Customer", "ErasureRecord", "IdempotencyRecord", "Membership", "OutboxEvent"]
