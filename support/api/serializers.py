"""Shapes of the ticket API. Internal notes have no representation here: they never leave
the back office."""
from rest_framework import serializers

from shopchat.api.serializers import WaIdField

from ..models import MAX_BODY, SatisfactionRating, Ticket, TicketMessage


class TicketCustomerSerializer(serializers.Serializer):
    wa_id = serializers.CharField()
    name = serializers.CharField()


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SatisfactionRating
        fields = ["rating", "comment", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_kind", help_text="customer, agent or system")
    author_name = serializers.CharField()

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "author_name", "body", "created_at"]


class TicketSerializer(serializers.ModelSerializer):
    customer = TicketCustomerSerializer()
    order = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "subject", "status", "priority", "channel", "tags", "customer", "order", "assignee",
            "first_response_at", "solved_at", "closed_at", "first_response_due_at", "resolution_due_at",
            "first_response_breached", "resolution_breached", "rating", "created_at", "updated_at",
        ]

    def get_order(self, ticket) -> str | None:
        return ticket.order.number if ticket.order_id else None

    def get_assignee(self, ticket) -> str | None:
        return ticket.assignee.email or ticket.assignee.get_username() if ticket.assignee_id else None

    def get_rating(self, ticket) -> RatingSerializer(allow_null=True):  # type: ignore[valid-type]
        if ticket.status not in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
            return None
        rating = getattr(ticket, "rating", None)
        return RatingSerializer(rating).data if rating else None


class TicketDetailSerializer(TicketSerializer):
    messages = serializers.SerializerMethodField(help_text="Public messages, oldest first.")

    class Meta(TicketSerializer.Meta):
        fields = TicketSerializer.Meta.fields + ["messages"]

    def get_messages(self, ticket) -> MessageSerializer(many=True):  # type: ignore[valid-type]
        if hasattr(ticket, "opening_message"):  # just opened: the only message
            return MessageSerializer([ticket.opening_message], many=True).data
        messages = ticket.messages.filter(internal=False).select_related("author_user", "ticket__customer")
        return MessageSerializer(messages.order_by("created_at", "pk"), many=True).data


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

    class Meta(MessageSerializer.Meta):
        fields = MessageSerializer.Meta.fields + ["internal"]


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
