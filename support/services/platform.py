"""Platform staff: who answers merchants' technical-support tickets, and how they are told."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q
from django.utils.translation import gettext_noop

from shopchat.models import Business
from shopchat.outbox import emit_events, staff_email

PLATFORM_AGENTS_GROUP = "platform agents"
_CACHED = "_is_platform_agent"  # the attribute caching the answer on the user object
# The technical-support mails' subjects (English messages of the catalogs; see shopchat.outbox.staff_email).
PLATFORM_TICKET_SUBJECT = gettext_noop("[%(business)s] technical support #%(number)s: %(subject)s")
PLATFORM_MESSAGE_SUBJECT = gettext_noop("[%(business)s] technical support #%(number)s: new message")
PLATFORM_REPLY_SUBJECT = gettext_noop("Re: technical support #%(number)s: %(subject)s")


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


def email_platform_agents(business: Business, subject: str, body: str, params: dict) -> None:
    """E-mail every platform agent with an address, through the outbox (in the caller's
    transaction); nothing when there is none. `subject` is an English message of the catalogs
    filled with `params`, read in each agent's back-office language (English when they never
    chose: they are not the business's staff); `body` is the merchant's message as written."""
    User = get_user_model()
    recipients = sorted(set(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=PLATFORM_AGENTS_GROUP), is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))
    if recipients:
        emit_events(business=business, events=[staff_email(subject=subject, body=[{"raw": body}], params=params,
                                                           roles=(), recipients=recipients, fallback="en")])
