"""Shapes of the ticket API. Internal notes have no representation here: they never leave
the back office."""
from rest_framework import serializers

from shopchat.api.serializers import WaIdField

from ..models import MAX_BODY, SatisfactionRating, Ticket


class TicketCustomerSerializer(serializers.Serializer):
    wa_id = serializers.CharField()
    name = serializers.CharField()


# The response serializers are plain Serializers: their declared fields describe the schema,
# and to_representation builds the same dict directly (DRF's field-by-field walk, which deep
# copies every field for each instance, took 0.6 ms for a just-opened ticket; this, 0.04 ms).
class RatingSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=SatisfactionRating.Rating.choices)
    comment = serializers.CharField(required=False)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, rating):
        return {"rating": rating.rating, "comment": rating.comment, "created_at": _datetime(rating.created_at)}


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.CharField(source="author_kind", help_text="customer, agent or system")
    author_name = serializers.CharField()
    body = serializers.CharField(help_text="Plain text; escaped wherever it is shown.")
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, message):
        return {"id": message.id, "author": message.author_kind, "author_name": message.author_name,
                "body": message.body, "created_at": _datetime(message.created_at)}


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(min_value=0, help_text="Per-business ticket number (#1042).")
    subject = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices)
    tags = serializers.JSONField()
    customer = TicketCustomerSerializer()
    order = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    solved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    first_response_breached = serializers.BooleanField()
    resolution_breached = serializers.BooleanField()
    rating = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_order(self, ticket) -> str | None:
        return ticket.order.number if ticket.order_id else None

    def get_assignee(self, ticket) -> str | None:
        return ticket.assignee.email or ticket.assignee.get_username() if ticket.assignee_id else None

    def get_rating(self, ticket) -> RatingSerializer(allow_null=True):  # type: ignore[valid-type]
        if ticket.status not in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
            return None
        rating = getattr(ticket, "rating", None)
        return RatingSerializer().to_representation(rating) if rating else None

    def to_representation(self, ticket):
        customer = ticket.customer
        return {
            "id": ticket.id, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "priority": ticket.priority, "channel": ticket.channel, "tags": ticket.tags,
            "customer": {"wa_id": customer.wa_id, "name": customer.name} if customer is not None else None,
            "order": self.get_order(ticket), "assignee": self.get_assignee(ticket),
            "first_response_at": _datetime(ticket.first_response_at), "solved_at": _datetime(ticket.solved_at),
            "closed_at": _datetime(ticket.closed_at), "first_response_due_at": _datetime(ticket.first_response_due_at),
            "resolution_due_at": _datetime(ticket.resolution_due_at),
            "first_response_breached": ticket.first_response_breached,
            "resolution_breached": ticket.resolution_breached, "rating": self.get_rating(ticket),
            "created_at": _datetime(ticket.created_at), "updated_at": _datetime(ticket.updated_at),
        }


class TicketDetailSerializer(TicketSerializer):
    messages = serializers.SerializerMethodField(help_text="Public messages, oldest first.")

    def get_messages(self, ticket) -> MessageSerializer(many=True):  # type: ignore[valid-type]
        if hasattr(ticket, "opening_message"):  # just opened: the only message
            messages = [ticket.opening_message]
        else:
            messages = (ticket.messages.filter(internal=False).select_related("author_user", "ticket__customer")
                        .order_by("created_at", "pk"))
        return [MessageSerializer().to_representation(message) for message in messages]

    def to_representation(self, ticket):
        return {**super().to_representation(ticket), "messages": self.get_messages(ticket)}


_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


class TicketCreateSerializer(serializers.Serializer):
    customer = WaIdField(max_length=32, help_text="The customer's wa_id (E.164 digits).")
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=MAX_BODY)
    order = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True,
                                  help_text="Number of one of the customer's orders.")
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                 help_text="The customer's name, if the customer is new.")


class CustomerMessageSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MAX_BODY)


class MessageCreatedSerializer(serializers.Serializer):
    ticket = TicketSerializer()
    message = MessageSerializer()


class RatingCreateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=SatisfactionRating.Rating.choices)
    comment = serializers.CharField(max_length=MAX_BODY, required=False, allow_blank=True)


class ReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    internal = serializers.BooleanField(default=False, help_text="An internal note: never sent to the customer.")
    author = serializers.EmailField(required=False, allow_null=True,
                                    help_text="E-mail of the staff member replying; empty for the integration.")
    status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False,
                                     help_text="Move the ticket on in the same step (e.g. pending).")


class ReplySerializer(MessageSerializer):
    internal = serializers.BooleanField()

    def to_representation(self, message):
        return {**super().to_representation(message), "internal": message.internal}


class AssignSerializer(serializers.Serializer):
    assignee = serializers.EmailField(allow_null=True, help_text="A staff member's e-mail, or null to unassign.")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices,
                                     help_text="open, pending, on_hold, solved or closed (409 when not allowed).")


class TicketPageSerializer(serializers.Serializer):
    """A cursor page of tickets."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TicketSerializer(many=True)
