"""Ticket endpoints: the chat gateway opens tickets, adds the customer's messages and rates;
a merchant's integration (CRM) lists tickets, replies, assigns and moves them on. Views stay
thin: they parse, look up within the key's business, and call support.services."""
from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import Order
from shopchat.api.base import BusinessScopedMixin, CursorPage
from shopchat.api.errors import ApiError
from shopchat.api.schema import WA_ID_PARAM, errors
from shopchat.api.views import clean_wa_id
from shopchat.errors import InvalidInput, NotFound
from shopchat.models import Customer

from .. import services
from ..models import Ticket
from . import serializers as s

MAX_ID = 2**63 - 1
TICKET_ID = OpenApiParameter("ticket_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The ticket's id.")


class TicketMixin(BusinessScopedMixin):
    def tickets(self):
        return self.scoped(Ticket.objects.filter(kind=Ticket.Kind.CUSTOMER)).select_related(
            "customer", "order", "assignee", "rating")

    def get_ticket(self, ticket_id) -> Ticket:
        if not 0 < int(ticket_id) <= MAX_ID:
            raise NotFound("No such ticket.")
        ticket = self.tickets().filter(pk=ticket_id).first()
        if ticket is None:
            raise NotFound("No such ticket.")
        return ticket

    def staff_member(self, email, field):
        """A user working for the key's business, by e-mail (400 naming `field` otherwise)."""
        user = get_user_model().objects.filter(
            Q(email__iexact=email) | Q(username__iexact=email),
            memberships__business=self.business, is_active=True,
        ).first()
        if user is None:
            raise InvalidInput(field, "No staff member of this business has this e-mail.")
        return user


class TicketListCreateView(TicketMixin, APIView):
    required_scope = {"GET": "integration", "POST": "gateway"}

    @extend_schema(
        operation_id="support_tickets_list",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=Ticket.Status.values,
                                     description="Only tickets in this status."),
                    OpenApiParameter("cursor", OpenApiTypes.STR), OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={200: s.TicketPageSerializer, **errors(400, 401, 403, 404, 429)},
        description="Tickets of the business, newest first (integration scope).",
    )
    def get(self, request):
        queryset = self.tickets()
        status = request.query_params.get("status")
        if status is not None:
            if status not in Ticket.Status.values:
                raise ApiError(400, "validation_error", "Unknown status.",
                               {"status": [f"Choose one of {', '.join(Ticket.Status.values)}."]})
            queryset = queryset.filter(status=status)
        paginator = CursorPage()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(s.TicketSerializer(page, many=True).data)

    @extend_schema(
        operation_id="support_ticket_create",
        request=s.TicketCreateSerializer,
        responses={201: s.TicketDetailSerializer, **errors(400, 401, 403, 404, 415, 429)},
        description="Open a ticket for a chat customer with their first message (the customer is "
                    "created if new). `order` is one of the customer's order numbers.",
    )
    def post(self, request):
        data = _validated(s.TicketCreateSerializer, request)
        order = None
        if data.get("order"):
            order = Order.objects.filter(business=self.business, number=data["order"],
                                         customer__wa_id=data["customer"]).select_related("customer").first()
            if order is None:
                raise InvalidInput("order", "No such order for this customer.")
        ticket = services.open_ticket(
            business=self.business, wa_id=data["customer"], name=data.get("name"), subject=data["subject"],
            message=data["message"], order=order, priority=data.get("priority") or Ticket.Priority.NORMAL,
            channel=Ticket.Channel.CHAT if "gateway" in request.auth.scopes else Ticket.Channel.API,
        )
        return Response(s.TicketDetailSerializer(ticket).data, status=201)


def _validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TicketDetailView(TicketMixin, APIView):
    @extend_schema(operation_id="support_ticket_retrieve", parameters=[TICKET_ID],
                   responses={200: s.TicketDetailSerializer, **errors(401, 403, 404, 429)},
                   description="The ticket with its public messages (internal notes are never shown).")
    def get(self, request, ticket_id):
        return Response(s.TicketDetailSerializer(self.get_ticket(ticket_id)).data)


class TicketMessagesView(TicketMixin, APIView):
    @extend_schema(
        operation_id="support_ticket_message_create", parameters=[TICKET_ID],
        request=s.CustomerMessageSerializer,
        responses={201: s.MessageCreatedSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
        description="The customer's next message. A pending or solved ticket reopens; a closed one answers 409.",
    )
    def post(self, request, ticket_id):
        ticket = self.get_ticket(ticket_id)
        data = _validated(s.CustomerMessageSerializer, request)
        message = services.add_customer_message(ticket=ticket, body=data["message"])
        ticket = self.get_ticket(ticket_id)
        return Response({"ticket": s.TicketSerializer(ticket).data, "message": s.MessageSerializer(message).data},
                        status=201)


class TicketRatingView(TicketMixin, APIView):
    @extend_schema(
        operation_id="support_ticket_rate", parameters=[TICKET_ID],
        request=s.RatingCreateSerializer,
        responses={201: s.RatingSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
        description="The customer's satisfaction rating, once the ticket is solved (409 before, or when rated).",
    )
    def post(self, request, ticket_id):
        ticket = self.get_ticket(ticket_id)
        data = _validated(s.RatingCreateSerializer, request)
        rating = services.rate_ticket(ticket=ticket, rating=data["rating"], comment=data.get("comment", ""))
        return Response(s.RatingSerializer(rating).data, status=201)


class TicketReplyView(TicketMixin, APIView):
    required_scope = "integration"

    @extend_schema(
        operation_id="support_ticket_reply", parameters=[TICKET_ID],
        request=s.ReplyCreateSerializer,
        responses={201: s.ReplySerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
        description="An agent reply (sent to the customer's chat as `ticket.reply`) or an internal note.",
    )
    def post(self, request, ticket_id):
        ticket = self.get_ticket(ticket_id)
        data = _validated(s.ReplyCreateSerializer, request)
        author = self.staff_member(data["author"], "author") if data.get("author") else None
        message = services.reply_to_ticket(ticket=ticket, author=author, body=data["body"],
                                           internal=data["internal"], status=data.get("status"))
        return Response(s.ReplySerializer(message).data, status=201)


class TicketAssignView(TicketMixin, APIView):
    required_scope = "integration"

    @extend_schema(
        operation_id="support_ticket_assign", parameters=[TICKET_ID],
        request=s.AssignSerializer,
        responses={200: s.TicketSerializer, **errors(400, 401, 403, 404, 415, 429)},
        description="Assign the ticket to a staff member of the business (by e-mail), or unassign with null.",
    )
    def post(self, request, ticket_id):
        ticket = self.get_ticket(ticket_id)
        data = _validated(s.AssignSerializer, request)
        assignee = self.staff_member(data["assignee"], "assignee") if data["assignee"] else None
        services.assign_ticket(ticket=ticket, assignee=assignee)
        return Response(s.TicketSerializer(self.get_ticket(ticket_id)).data)


class TicketStatusView(TicketMixin, APIView):
    required_scope = "integration"

    @extend_schema(
        operation_id="support_ticket_status", parameters=[TICKET_ID],
        request=s.StatusSerializer,
        responses={200: s.TicketSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
        description="Move the ticket on: open, pending, on_hold, solved, closed (409 when not allowed).",
    )
    def post(self, request, ticket_id):
        ticket = self.get_ticket(ticket_id)
        data = _validated(s.StatusSerializer, request)
        services.change_status(ticket=ticket, status=data["status"])
        return Response(s.TicketSerializer(self.get_ticket(ticket_id)).data)


class CustomerTicketsView(TicketMixin, APIView):
    @extend_schema(
        operation_id="customer_tickets_list",
        parameters=[WA_ID_PARAM, OpenApiParameter("cursor", OpenApiTypes.STR),
                    OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={200: s.TicketPageSerializer, **errors(400, 401, 403, 404, 429)},
        description="The customer's tickets, newest first.",
    )
    def get(self, request, wa_id):
        customer = self.get_scoped_or_404(Customer.objects.all(), wa_id=clean_wa_id(wa_id))
        paginator = CursorPage()
        page = paginator.paginate_queryset(self.tickets().filter(customer=customer), request, view=self)
        return paginator.get_paginated_response(s.TicketSerializer(page, many=True).data)
