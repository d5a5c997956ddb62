"""Platform staff: who answers merchants' technical-support tickets, and how they are told."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from shopchat.models import Business, OutboxEvent
from shopchat.outbox import emit_event

PLATFORM_AGENTS_GROUP = "platform agents"
_CACHED = "_is_platform_agent"  # the attribute caching the answer on the user object


def is_platform_agent(user: User | AnonymousUser | None) -> bool:
    """Platform staff: active superusers and members of the "platform agents" group (the group
    is looked up once per user object)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, _CACHED, None)
    if cached is None:
        cached = user.groups.filter(name=PLATFORM_AGENTS_GROUP).exists()
        setattr(user, _CACHED, cached)
    return cached


def email_platform_agents(business: Business, subject: str, body: str) -> None:
    """E-mail every platform agent with an address, through the outbox (in the caller's
    transaction); nothing when there is none."""
    User = get_user_model()
    recipients = sorted(set(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=PLATFORM_AGENTS_GROUP), is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))
    if recipients:
        emit_event(business=business, event_type="staff.email", channel=OutboxEvent.Channel.EMAIL,
                   data={"subject": subject, "body": body, "recipients": recipients})
