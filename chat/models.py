"""WhatsApp adapter rows: each business's Cloud API settings, the messages received (kept for
de-duplication and the conversation view), the messages sent with their delivery state, and
payloads that could not be parsed (dead letters for the back office)."""
import re
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopchat.models import Customer
from shopchat.outbound import validate_public_url
from shopchat.payloads import SafeJSONDecoder, dig, text_of
from shopchat.validators import validate_language_texts

API_VERSION_VALIDATOR = RegexValidator(r"^v\d{1,3}\.\d{1,2}$", "A Graph API version such as v23.0.")
DIGITS_VALIDATOR = RegexValidator(r"^\d{1,32}$", "Digits only, as Meta shows it.")
TEMPLATE_NAME_VALIDATOR = RegexValidator(r"^[a-z0-9_]{1,512}$", "Lower-case letters, digits and '_'.")
# The chat's language codes as Meta names a template's language.
META_TEMPLATE_LANGUAGES = {"en": "en", "de": "de", "it": "it", "es": "es", "pt-br": "pt_BR", "hi": "hi"}


def validate_template_names(value: Any) -> None:
    """{"de": "bestellung_info"}: chat languages to approved template names."""
    validate_language_texts(value)
    for name in value.values():
        TEMPLATE_NAME_VALIDATOR(name)


def mask_secret(value: str) -> str:
    """Enough of a secret to recognise it in the back office, never the secret."""
    if not value:
        return ""
    return "*" * 8 + (value[-4:] if len(value) >= 12 else "")


class WhatsAppConfig(models.Model):
    """The Cloud API credentials of one business's WhatsApp number."""

    class PaymentGateway(models.TextChoices):
        RAZORPAY = "razorpay", _("Razorpay")
        PAYU = "payu", _("PayU")
        BILLDESK = "billdesk", _("BillDesk")
        ZAAKPAY = "zaakpay", _("Zaakpay")

    class TemplateCategory(models.TextChoices):
        """Meta's category of the approved template: a marketing one needs the customer's opt-in."""
        UTILITY = "utility", _("Utility (order and account updates)")
        MARKETING = "marketing", _("Marketing (only to customers who opted in)")

    business = models.OneToOneField("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                    related_name="whatsapp_config")
    phone_number_id = models.CharField(
        _("phone-number id"), max_length=32, unique=True, validators=[DIGITS_VALIDATOR],
        help_text=_("From Meta's WhatsApp Manager (API setup)."),
    )
    access_token = models.CharField(_("access token"), max_length=1000,
                                    help_text=_("A system-user access token. Write-only."))
    app_secret = models.CharField(_("app secret"), max_length=200,
                                  help_text=_("The Meta app's secret; signs the webhooks. Write-only."))
    verify_token = models.CharField(_("verify token"), max_length=200,
                                    help_text=_("The token you enter with the callback URL at Meta."))
    base_url = models.URLField(_("base url"),
        default="https://graph.facebook.com", max_length=300, validators=[validate_public_url],
        help_text=_("Meta's Graph API, or a Solution Provider's compatible endpoint."),
    )
    api_version = models.CharField(_("api version"), max_length=8, default="v23.0", validators=[API_VERSION_VALIDATOR])
    waba_id = models.CharField(
        _("WhatsApp Business Account id"), max_length=32, blank=True, validators=[DIGITS_VALIDATOR],
        help_text=_("From Meta's WhatsApp Manager (account settings): needed to sync the message templates."))
    catalog_id = models.CharField(_("catalog id"), max_length=32, blank=True, validators=[DIGITS_VALIDATOR],
                                  help_text=_("The Commerce Manager catalog linked to the number."))
    payment_configuration = models.CharField(_("payment configuration"),
        max_length=60, blank=True,
        help_text=_("WhatsApp Payments configuration name; empty: customers pay by wallet or card link."),
    )
    payment_gateway = models.CharField(_("payment gateway"), max_length=10, choices=PaymentGateway.choices,
                                       default=PaymentGateway.RAZORPAY)
    # Meta: without a catalog_id, every order_details item names its origin and importer.
    country_of_origin = models.CharField(_("country of origin"), max_length=60, default="India", blank=True)
    importer_name = models.CharField(_("importer name"), max_length=200, blank=True,
                                     help_text=_("Without a catalog: the importer shown on each item (WhatsApp Pay)."))
    importer_address = models.JSONField(_("importer address"),
        default=dict, blank=True,
        help_text=_('{"address_line1": ..., "city": ..., "zone_code": ..., "postal_code": ..., "country_code": "IN"}'))
    template_name = models.CharField(_("template name"),
        max_length=512, blank=True, validators=[TEMPLATE_NAME_VALIDATOR],
        help_text=_("Approved template sent instead of a message when the customer last wrote over 24 hours ago."),
    )
    template_language = models.CharField(_("template language"), max_length=15, default="en", blank=True)
    template_names = models.JSONField(
        _("template in other languages"), default=dict, blank=True, validators=[validate_template_names],
        help_text=_('By chat language, e.g. {"de": "bestellung_info"}: the approved template sent to customers '
                    "who chat in that language; the template above answers the other languages."))
    template_category = models.CharField(
        _("template category"), max_length=10, choices=TemplateCategory.choices, default=TemplateCategory.UTILITY,
        help_text=_("As approved by Meta. A marketing template is never sent to a customer who has not opted in "
                    "to marketing messages, or who has opted out (STOP)."))
    enabled = models.BooleanField(_("enabled"), default=True)
    messages_per_second = models.PositiveSmallIntegerField(
        _("messages per second"), default=80, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("The number's throughput at Meta: 80 by default, up to 1,000 on a higher tier."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "shopchat_whatsappconfig"  # the table from before the adapter had its own app
        verbose_name = _("WhatsApp settings")
        verbose_name_plural = _("WhatsApp settings")

    def __str__(self):
        return f"WhatsApp {self.phone_number_id} of {self.business}"

    def template_for(self, language: str) -> tuple[str, str]:
        """The approved template (name, Meta's language code) for a customer chatting in
        `language`: the merchant's template of that language, else the default one."""
        name = str((self.template_names or {}).get(language) or "").strip()
        if name:
            return name, META_TEMPLATE_LANGUAGES.get(language, language)
        return self.template_name, self.template_language

    @staticmethod
    def switched_on(business) -> "WhatsAppConfig | None":
        """The business's number when it is switched on, else None; no query when the business
        was read with `select_related("whatsapp_config")` (or through a row that joins it)."""
        config = getattr(business, "whatsapp_config", None)
        return config if config is not None and config.enabled else None

    @property
    def messages_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"

    @property
    def templates_url(self) -> str:
        """The WhatsApp Business Account's message templates (Business Management API)."""
        return f"{self.base_url.rstrip('/')}/{self.api_version}/{self.waba_id}/message_templates"


class MessageTemplate(models.Model):
    """One of the number's message templates as Meta holds it (synced from the WhatsApp Business
    Account's `message_templates`: name, language, category, status, components), and the event
    it tells outside the 24-hour window, with the event's values that fill its body parameters.

    Meta's fields are read-only here (a sync overwrites them); `event` and `parameters` are the
    merchant's. A template Meta no longer lists keeps its row, marked `removed_at`, and is never
    sent."""

    class Category(models.TextChoices):
        UTILITY = "utility", _("Utility")
        MARKETING = "marketing", _("Marketing")
        AUTHENTICATION = "authentication", _("Authentication")

    class Status(models.TextChoices):
        """Meta's review states (lower case); only an approved template is sent."""
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Pending review")
        REJECTED = "rejected", _("Rejected")
        PAUSED = "paused", _("Paused")
        DISABLED = "disabled", _("Disabled")
        IN_APPEAL = "in_appeal", _("In appeal")
        PENDING_DELETION = "pending_deletion", _("Pending deletion")
        DELETED = "deleted", _("Deleted")
        LIMIT_EXCEEDED = "limit_exceeded", _("Limit exceeded")
        ARCHIVED = "archived", _("Archived")

    class ParameterFormat(models.TextChoices):
        POSITIONAL = "positional", _("Positional ({{1}}, {{2}} ...)")
        NAMED = "named", _("Named ({{order_number}} ...)")

    class Event(models.TextChoices):
        """The events a template can tell (`chat.message_templates.EVENT_FIELDS` says with what)."""
        ORDER_SHIPPED = "order.shipped", _("Order shipped")
        ORDER_DELIVERED = "order.delivered", _("Order delivered")
        PAYMENT_ACTION_REQUIRED = "payment.action_required", _("Payment to complete (pay link)")
        TICKET_REPLY = "ticket.reply", _("Support reply")

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="whatsapp_templates")
    config = models.ForeignKey(WhatsAppConfig, verbose_name=_("WhatsApp number"), on_delete=models.CASCADE,
                               related_name="message_templates")
    meta_id = models.CharField(_("template id"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=512)
    language = models.CharField(_("language"), max_length=15, help_text=_("Meta's code, e.g. en_US, de, pt_BR."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    parameter_format = models.CharField(_("parameter format"), max_length=10, choices=ParameterFormat.choices,
                                        default=ParameterFormat.POSITIONAL)
    body_text = models.TextField(_("body"), blank=True)
    parameter_count = models.PositiveSmallIntegerField(_("body parameters"), default=0)
    parameter_names = models.JSONField(_("named parameters"), default=list, blank=True,
                                       help_text=_("The body's named parameters, in their order."))
    components = models.JSONField(_("components"), default=list, blank=True, decoder=SafeJSONDecoder,
                                  help_text=_("As Meta gives them."))
    event = models.CharField(_("event"), max_length=40, choices=Event.choices, blank=True,
                             help_text=_("Sent instead of this event's message when the customer last wrote over "
                                         "24 hours ago."))
    parameters = models.JSONField(
        _("parameter values"), default=list, blank=True,
        help_text=_("The event's value for each body parameter, in order; empty: the event's usual order."))
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("gone from Meta since"), null=True, blank=True,
                                      help_text=_("No longer listed by Meta: never sent."))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["config", "name", "language"], name="wa_template_config_name_language"),
            # one template per event and language, so which one goes out is never a guess
            models.UniqueConstraint(fields=["config", "event", "language"], name="wa_template_event_language",
                                    condition=~models.Q(event=""),
                                    violation_error_message=_("Another template of this language already tells "
                                                              "this event.")),
        ]
        indexes = [models.Index(fields=["config", "event"], name="wa_template_event_idx")]

    def __str__(self):
        return f"{self.name} ({self.language})"


class InboundMessage(models.Model):
    """A message or a status Meta delivered. `wa_message_id` is the de-duplication key: the
    message id, or for statuses `<id>:<status>` (a message gets sent, delivered, read...)."""

    STATUS = "status"

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="whatsapp_inbound")
    customer = models.ForeignKey("shopchat.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL,
                                 related_name="whatsapp_inbound")
    wa_message_id = models.CharField(_("message id"), max_length=200)
    wa_id = models.CharField(_("from"), max_length=32, blank=True)
    profile_name = models.CharField(_("profile name"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=20)
    payload = models.JSONField(_("payload"), decoder=SafeJSONDecoder)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        db_table = "shopchat_inboundmessage"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "wa_message_id"], name="wa_inbound_business_message_unique"),
        ]
        indexes = [
            models.Index(fields=["processed_at", "received_at"], name="wa_inbound_pending_idx",
                         condition=models.Q(processed_at__isnull=True)),
            models.Index(fields=["customer", "-id"], name="wa_inbound_customer_idx"),
            # a conversation's waiting messages, oldest first (chat.services.answer_conversation)
            models.Index(fields=["business", "wa_id", "id"], name="wa_inbound_conversation_idx",
                         condition=models.Q(processed_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.type} {self.wa_message_id}"

    @property
    def summary(self) -> str:
        return summarize(self.type, self.payload)


def media_upload_to(instance: "ReceivedMedia", filename: str) -> str:
    """Where a received file is stored: by business and month, under a random name (never the
    customer's file name, which stays in the row). `filename` carries only the extension."""
    import secrets
    from datetime import date

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    suffix = re.sub(r"[^a-z0-9]", "", suffix)[:8] or "bin"
    today = date.today()
    return f"chat-media/{instance.business_id}/{today:%Y/%m}/{secrets.token_hex(16)}.{suffix}"


class ReceivedMedia(models.Model):
    """A photo, voice note, video, document or sticker a customer sent: what Meta told about it,
    the file once downloaded (Django's default storage), and the ticket it was attached to.

    The webhook stores only the message; the engine writes this row (pending) with an outbox event
    that downloads the file after the conversation's transaction commits (`chat.media`)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        AUDIO = "audio", _("Voice message")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")
        STICKER = "sticker", _("Sticker")

    class Status(models.TextChoices):
        PENDING = "pending", _("Downloading")
        STORED = "stored", _("Stored")
        TOO_LARGE = "too_large", _("Too large (not downloaded)")
        FAILED = "failed", _("Download failed")
        ERASED = "erased", _("Erased")

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="received_media")
    customer = models.ForeignKey("shopchat.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="received_media")
    inbound = models.OneToOneField(InboundMessage, verbose_name=_("message"), on_delete=models.CASCADE,
                                   related_name="media")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    wa_media_id = models.CharField(_("media id"), max_length=128, blank=True,
                                   help_text=_("Meta's id of the file (valid for 30 days)."))
    mime_type = models.CharField(_("MIME type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True,
                                 help_text=_("The name the customer's document had."))
    file = models.FileField(_("file"), upload_to=media_upload_to, max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    ticket = models.ForeignKey("support.Ticket", verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    ticket_message = models.ForeignKey("support.TicketMessage", verbose_name=_("ticket message"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    stored_at = models.DateTimeField(_("stored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("received media")
        verbose_name_plural = _("received media")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="wa_media_customer_idx"),
            models.Index(fields=["business", "created_at"], name="wa_media_business_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_image(self) -> bool:
        return self.kind in (self.Kind.IMAGE, self.Kind.STICKER)


class OutboundMessage(models.Model):
    """A message shopchat sends, with what Meta reported about it. Delivery states only move
    forward (queued < sent < delivered < read): a late `sent` never overwrites `read`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="whatsapp_outbound")
    customer = models.ForeignKey("shopchat.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="whatsapp_outbound")
    kind = models.CharField(_("kind"), max_length=20, help_text=_("text, template or the interactive type"))
    body = models.JSONField(_("body"), decoder=SafeJSONDecoder,
                            help_text=_("The message object, without `to` and `messaging_product`."))
    wa_message_id = models.CharField(_("WhatsApp message id"), max_length=200, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_title = models.CharField(_("error title"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    order_number = models.CharField(_("order number"), max_length=20, blank=True, db_index=True)
    ticket_id = models.CharField(_("ticket id"), max_length=40, blank=True, db_index=True)
    source_event = models.UUIDField(_("source event"), null=True, blank=True, unique=True,
                                    help_text=_("The outbox event this message tells the customer about."))
    in_reply_to = models.ForeignKey(InboundMessage, verbose_name=_("in reply to"), null=True, blank=True,
                                    on_delete=models.SET_NULL,
                                    related_name="replies")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status_at = models.DateTimeField(_("status at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        db_table = "shopchat_outboundmessage"
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "-id"], name="wa_outbound_customer_idx")]

    def __str__(self):
        return gettext("%(kind)s to %(customer)s (%(status)s)") % {
            "kind": self.kind, "customer": self.customer_id, "status": self.get_status_display()}

    @property
    def summary(self) -> str:
        return summarize(self.kind, self.body)


class Conversation(Customer):
    """A customer seen as a WhatsApp conversation (the back office's conversation view)."""

    class Meta:
        proxy = True
        verbose_name = _("WhatsApp conversation")


class DeadLetter(models.Model):
    """A webhook payload that could not be parsed, kept so nothing Meta sent is silently lost."""

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), null=True, blank=True,
                                 on_delete=models.CASCADE,
                                 related_name="whatsapp_dead_letters")
    reason = models.CharField(_("reason"), max_length=300)
    body = models.TextField(_("body"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        db_table = "shopchat_deadletter"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.reason} ({self.received_at:%Y-%m-%d %H:%M})"


def summarize(kind: str, body: Any) -> str:
    """One line for the conversation view: what was said, whatever the message type, and
    whatever shape was stored (a payload that is not what Meta documents still gets a line)."""
    line = _summary(kind, body if isinstance(body, dict) else {})
    return text_of(line, SUMMARY_LENGTH)


SUMMARY_LENGTH = 500


def _summary(kind: str, body: dict) -> str:
    if kind == "text":
        return text_of(dig(body, "text", "body"))
    if kind == InboundMessage.STATUS:
        return f"status {text_of(body.get('status'), 40)}"
    if kind == "order":
        items = dig(body, "order", "product_items")
        items = items if isinstance(items, list) else []
        return "cart: " + ", ".join(
            f"{text_of(dig(i, 'quantity'), 10)} x {text_of(dig(i, 'product_retailer_id'), 60)}" for i in items[:50])
    if kind == "template":
        return f"template {text_of(dig(body, 'template', 'name'), 100)}"
    interactive = body.get("interactive")
    if isinstance(interactive, dict) and interactive:
        reply = dig(interactive, "button_reply") or dig(interactive, "list_reply")
        if isinstance(reply, dict):
            return f"tapped {text_of(reply.get('title'), 60)} [{text_of(reply.get('id'), 60)}]"
        text = text_of(dig(interactive, "body", "text"))
        return f"[{text_of(interactive.get('type') or kind, 40)}] {text}".strip()
    if kind == "button":
        return f"tapped {text_of(dig(body, 'button', 'text'), 60)}"
    return re.sub(r"_", " ", str(kind))


# --- the chat in the browser (web-chat channel) --------------------------------------------

class WebChatVisitor(models.Model):
    """Someone chatting with a shop in the browser: the chat customer behind a cookie token (only
    its hash is stored). Its customer's `wa_id` is in the reserved range `webchat.WA_PREFIX`, so
    the channel is known from the id alone; the merchant's own "Try your shop" chats are tests."""

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="web_chat_visitors")
    customer = models.OneToOneField("shopchat.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="web_chat")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    is_test = models.BooleanField(_("is test"), default=False, help_text=_("The merchant's own test chat."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("browser-chat visitors")
        verbose_name = _("browser-chat visitor")

    def __str__(self):
        return f"browser chat {self.customer_id}{' (test)' if self.is_test else ''}"


class WebChatMessage(models.Model):
    """A message of a browser chat, either way: what the visitor sent, and what the engine and the
    order, payment and ticket events answered (the body in WhatsApp's message shape, rendered by
    the page as WhatsApp shows it). Stored is delivered: the page fetches what is new."""

    class Direction(models.TextChoices):
        IN = "in", _("From the customer")
        OUT = "out", _("To the customer")

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="web_chat_messages")
    customer = models.ForeignKey("shopchat.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="web_chat_messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=20)
    body = models.JSONField(_("body"))
    order_number = models.CharField(_("order number"), max_length=20, blank=True)
    source_event = models.UUIDField(_("source event"), null=True, blank=True, unique=True,
                                    help_text=_("The outbox event this message tells the customer about."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("web chat message")
        verbose_name_plural = _("web chat messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "id"], name="webchat_message_customer_idx")]

    def __str__(self):
        return f"{self.direction} {self.kind} ({self.customer_id})"

    @property
    def summary(self) -> str:
        return summarize(self.kind, self.body)


class CheckoutStep(models.Model):
    """Where a customer is in choosing how to receive a chat order: the step of the dialog and
    the address given so far (a draft; personal data, gone when the choice is made or the
    customer is erased)."""

    class Step(models.TextChoices):
        CHOOSE = "choose", "Choosing delivery or pickup"
        ADDRESS_FORM = "address_form", "Filling WhatsApp's address form"
        LINE1 = "line1", "Typing the street"
        POSTCODE = "postcode", "Typing the postcode"
        CITY = "city", "Typing the city"
        REGION = "region", "Typing the state or region"
        SHIPPING = "shipping", "Choosing a shipping option"

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="+")
    customer = models.OneToOneField("shopchat.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="checkout_step")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    def __str__(self):
        return f"{self.order_id}: {self.step}"
