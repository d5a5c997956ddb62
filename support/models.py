"""The support desk: tickets of chat customers (and merchants' technical-support tickets to the
platform), their conversations, canned replies, SLA policies and satisfaction ratings.

Every write goes through `support.services`; these classes hold data and small read helpers.
"""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from shopchat.languages import customer_language
from shopchat.models import Business, Customer
from shopchat.validators import validate_language_texts

MAX_BODY = 4096
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


class Ticket(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer support")
        PLATFORM = "platform", _("Platform technical support")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending (waiting on customer)")
        ON_HOLD = "on_hold", _("On hold")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Channel(models.TextChoices):
        CHAT = "chat", _("Chat")
        WEB = "web", _("Back office")
        API = "api", _("API")

    UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
    PAUSED = (Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED)

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="tickets")
    number = models.PositiveIntegerField(_("number"), help_text=_("Per-business ticket number (#1042)."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="tickets",
                                 help_text=_("The requester of a customer-support ticket."))
    requester_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester user"), null=True,
                                       blank=True, on_delete=models.PROTECT,
                                       related_name="requested_tickets",
                                       help_text=_("The merchant's staff member who asked the platform."))
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL,
                                 related_name="assigned_tickets")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices, default=Channel.CHAT)
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="tickets")

    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # SLA clock: business minutes used before the clock last (re)started at sla_resumed_at;
    # the due times are empty while the clock is paused (pending, on hold, solved).
    sla_elapsed_minutes = models.FloatField(_("sla elapsed minutes"), default=0)
    sla_resumed_at = models.DateTimeField(_("sla resumed at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due at"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due at"), null=True, blank=True)
    next_sla_due_at = models.DateTimeField(_("next sla due at"), null=True, blank=True,
                                           help_text=_("The next SLA target to meet."))
    first_response_breached = models.BooleanField(_("first response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Not a column: set by `services.open_ticket` on the ticket it returns (its first message).
    opening_message: "TicketMessage"

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="ticket_business_number_unique"),
            models.CheckConstraint(
                condition=(Q(kind="customer", customer__isnull=False)
                           | Q(kind="platform", requester_user__isnull=False)),
                name="ticket_has_requester",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "kind", "status", "next_sla_due_at"], name="ticket_queue_sla_idx"),
            models.Index(fields=["business", "kind", "assignee", "status"], name="ticket_queue_assignee_idx"),
            models.Index(fields=["business", "kind", "-updated_at"], name="ticket_queue_updated_idx"),
            models.Index(fields=["customer", "status"], name="ticket_customer_status_idx"),
            models.Index(fields=["status", "solved_at"], name="ticket_status_solved_idx"),
            models.Index(fields=["status", "next_sla_due_at"], name="ticket_status_due_idx"),
        ]

    def __str__(self):
        return f"#{self.number} {self.subject}"

    @property
    def is_platform(self) -> bool:
        return self.kind == self.Kind.PLATFORM


class PlatformTicket(Ticket):
    """Merchants' technical-support tickets to the platform, with their own back-office page."""

    class Meta:
        proxy = True
        verbose_name = _("technical-support ticket")
        verbose_name_plural = _("technical support (to the platform)")


class TicketMessage(models.Model):
    tenant_path = "ticket__business"

    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer / requester")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("author kind"), max_length=8, choices=AuthorKind.choices)
    author_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author user"), null=True, blank=True,
                                    on_delete=models.SET_NULL,
                                    related_name="+")
    body = models.TextField(_("body"), help_text=_("Plain text; escaped wherever it is shown."))
    internal = models.BooleanField(_("internal"), default=False,
                                   help_text=_("Internal note: never sent to the customer."))
    # A note the desk wrote about itself: its code (support.system_notes) and params, shown in the
    # reader's language; `body` keeps its English text. Empty for what people wrote.
    note_code = models.CharField(_("note code"), max_length=40, blank=True, default="")
    note_params = models.JSONField(_("note params"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_message_ticket_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(internal=False) | ~Q(author_kind="customer"),
                                   name="ticket_message_customer_never_internal"),
        ]

    def __str__(self):
        return f"{self.get_author_kind_display()}: {self.body[:40]}"

    @property
    def shown_body(self) -> str:
        """The text as the reader sees it: a system note in their language, anything else as written."""
        from .system_notes import NOTES, shown

        if self.note_code in NOTES:
            try:
                return shown(self.note_code, self.note_params)
            except (KeyError, TypeError, ValueError):
                return self.body
        return self.body

    @property
    def author_name(self) -> str:
        if self.author_kind == self.AuthorKind.CUSTOMER and self.author_user_id is None:
            customer = self.ticket.customer
            if customer is None:
                return gettext("Customer")
            return customer.name or f"+{customer.wa_id}"
        if self.author_user_id and (user := self.author_user) is not None:
            return user.get_full_name() or user.email or user.get_username()
        return "API" if self.author_kind == self.AuthorKind.AGENT else gettext("System")


def validate_business_days(value: str) -> None:
    if not value or not re.fullmatch(r"[1-7]{1,7}", value) or len(set(value)) != len(value):
        raise ValidationError("Digits 1 (Monday) to 7 (Sunday), each once, e.g. 12345.")


class SlaPolicy(models.Model):
    """Targets for one priority, in business minutes counted in the business's time zone."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="sla_policies")
    priority = models.CharField(_("priority"), max_length=10, choices=Ticket.Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response minutes"), validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(_("resolution minutes"), validators=[MinValueValidator(1)])
    around_the_clock = models.BooleanField(_("around the clock"), default=False,
                                           help_text=_("Count every minute, not only business hours."))
    business_days = models.CharField(_("business days"), max_length=7, default="12345",
                                     validators=[validate_business_days],
                                     help_text=_("ISO weekdays: 1 = Monday ... 7 = Sunday."))
    day_starts = models.TimeField(_("day starts"), default="09:00")
    day_ends = models.TimeField(_("day ends"), default="18:00")

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["business", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["business", "priority"], name="sla_policy_business_priority_unique"),
            models.CheckConstraint(condition=Q(day_starts__lt=F("day_ends")), name="sla_policy_day_order"),
            models.CheckConstraint(condition=Q(first_response_minutes__gte=1) & Q(resolution_minutes__gte=1),
                                   name="sla_policy_targets_positive"),
        ]

    def __str__(self):
        return f"{self.get_priority_display()}: first response {self.first_response_minutes} min"

    def clean(self):
        if self.day_starts and self.day_ends and self.day_starts >= self.day_ends:
            raise ValidationError({"day_ends": "The working day must end after it starts."})


class CannedReply(models.Model):
    """A saved answer. Placeholders: {customer_name}, {order_number}, {ticket_number},
    {agent_name}, {business_name}; unknown ones are left as typed."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="canned_replies")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"), validators=[MaxLengthValidator(MAX_BODY)])
    bodies = models.JSONField(
        _("body in other languages"), default=dict, blank=True, validators=[validate_language_texts],
        help_text=_('By chat language, e.g. {"de": "Hallo {customer_name}, ..."}: used for customers who chat in '
                    "that language; the body above answers the others. Same placeholders."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["business", "title"], name="canned_reply_business_title_unique")]

    def __str__(self):
        return self.title

    def render(self, *, ticket, agent=None) -> str:
        """The body with its placeholders filled from the ticket's customer and order (the
        ticket's own, else the customer's latest): {customer_name}, {order_number},
        {order_status}, {tracking_number}, {tracking_link} (carrier and number), {ticket_number},
        {business_name}, {agent_name}."""
        order = ticket.order if ticket.order_id else (
            ticket.customer.orders.order_by("-created_at").first() if ticket.customer_id else None)
        tracking = " ".join(x for x in ((order.carrier, order.tracking_number) if order else ()) if x)
        values = {
            "customer_name": (ticket.customer.name if ticket.customer_id else "") or "there",
            "order_number": order.number if order else "",
            "order_status": order.get_status_display().lower() if order else "",
            "tracking_number": order.tracking_number if order else "",
            "tracking_link": tracking,
            "ticket_number": str(ticket.number),
            "business_name": ticket.business.name,
            "agent_name": (agent.get_full_name() or agent.get_username()) if agent else "",
        }
        return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), self.body_for(ticket))

    def body_for(self, ticket) -> str:
        """The body in the language the ticket's customer chats in, else the default body."""
        if not self.bodies or not ticket.customer_id:
            return self.body
        customer = ticket.customer
        language = customer_language(locale=customer.locale, wa_id=customer.wa_id,
                                     business_language=ticket.business.language)
        return str(self.bodies.get(language) or "").strip() or self.body

    def clean(self):
        super().clean()
        if any(len(str(text)) > MAX_BODY for text in (self.bodies or {}).values()):
            raise ValidationError({"bodies": _("Each text has at most %(limit)s characters.") % {"limit": MAX_BODY}})


class SatisfactionRating(models.Model):
    tenant_path = "ticket__business"

    class Rating(models.TextChoices):
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="rating")
    rating = models.CharField(_("rating"), max_length=4, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    # rated in the chat: until then the customer's next text is taken as the comment (null: not asked)
    comment_until = models.DateTimeField(_("comment awaited until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        # the chat asks on every free text whether a rating waits for its comment: only those are indexed
        indexes = [models.Index(fields=["comment_until"], name="rating_comment_wait_idx",
                                condition=models.Q(comment_until__isnull=False))]

    def __str__(self):
        return f"{self.get_rating_display()} for {self.ticket}"


class DeskState(models.Model):
    """Per-business counters of the desk: the last ticket number and the last agent given a
    ticket by round-robin. Both are drawn like a sequence, in one statement on the row
    (support.queries.draw_from_desk)."""

    business = models.OneToOneField(Business, verbose_name=_("business"), on_delete=models.CASCADE, primary_key=True,
                                    related_name="desk_state")
    last_number = models.PositiveIntegerField(_("last number"), default=0)
    last_auto_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("last auto assignee"), null=True,
                                           blank=True,
                                           on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"Desk of {self.business}"
