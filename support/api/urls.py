"""/api/v1/ endpoints of the support app."""
from django.urls import path

from . import views

urlpatterns = [
    path("support/tickets/", views.TicketListCreateView.as_view(), name="api-support-tickets"),
    path("support/tickets/<int:ticket_id>/", views.TicketDetailView.as_view(), name="api-support-ticket"),
    path("support/tickets/<int:ticket_id>/messages/", views.TicketMessagesView.as_view(),
         name="api-support-ticket-messages"),
    path("support/tickets/<int:ticket_id>/rating/", views.TicketRatingView.as_view(), name="api-support-ticket-rating"),
    path("support/tickets/<int:ticket_id>/replies/", views.TicketReplyView.as_view(),
         name="api-support-ticket-replies"),
    path("support/tickets/<int:ticket_id>/assign/", views.TicketAssignView.as_view(), name="api-support-ticket-assign"),
    path("support/tickets/<int:ticket_id>/status/", views.TicketStatusView.as_view(), name="api-support-ticket-status"),
    path("customers/<str:wa_id>/tickets/", views.CustomerTicketsView.as_view(), name="api-customer-tickets"),
]
