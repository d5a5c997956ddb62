"""Chat's tile on the back-office home page: WhatsApp messages that did not reach the customer
in the last 7 days (failed sends, the window closed without a template), linking to that list."""
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.dashboard import Period, Tile
from shopchat.tenancy import scope_queryset

from .models import OutboundMessage


def failed_message_tiles(user: Any, period: Period) -> list[Tile]:
    since = period.now - timedelta(days=7)
    failed = scope_queryset(OutboundMessage.objects.filter(status=OutboundMessage.Status.FAILED,
                                                           created_at__gte=since), user, "customers").count()
    url = reverse("admin:chat_outboundmessage_changelist") + "?" + urlencode(
        {"status__exact": "failed", "created_at__gte": since.isoformat()})
    return [Tile(_("Chat messages not delivered, 7 days"), failed, url, urgent=True)]
