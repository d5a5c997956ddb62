"""The chat in the browser: the page, sending a message (a text, a tapped button or row) and
fetching what is new. The conversation runs in the chat app's web-chat channel (the same
engine and services as WhatsApp); these views only find the visitor by its cookie, limit the
rate, and render. A business that turned its public web chat off answers 404 to visitors; the
merchant's own test chat ("Try your shop", staff only) stays open."""
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from chat import webchat
from chat.models import WebChatVisitor
from shopchat.models import Business, Membership

from .. import antibot, chat_render, selectors

COOKIE = "shopchat_chat_{}"
COOKIE_AGE = 30 * 24 * 3600
NEW_VISITORS_PER_HOUR = 30  # per client IP


def _visitor(request: HttpRequest, business: Business) -> WebChatVisitor | None:
    return webchat.visitor_for(business=business, token=request.COOKIES.get(COOKIE.format(business.pk), ""))


def _open_for(business: Business, visitor: WebChatVisitor | None) -> bool:
    return business.web_chat_enabled or (visitor is not None and visitor.is_test)


def _set_cookie(response: HttpResponse, business: Business, token: str) -> None:
    response.set_cookie(COOKIE.format(business.pk), token, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=not settings.DEBUG, path=f"/shop/{business.slug}/")


def _error(message: str, status: int, field: str = "") -> JsonResponse:
    return JsonResponse({"error": {"code": "validation_error" if status == 400 else "rate_limited"
                                   if status == 429 else "not_found", "message": message,
                                   "fields": {field: [message]} if field else {}}}, status=status)


def _html(business: Business, messages) -> str:
    return render_to_string("web/_bubbles.html", {"bubbles": chat_render.bubbles(business, messages)})


@ensure_csrf_cookie
@require_GET
def chat_page(request: HttpRequest, slug: str) -> HttpResponse:
    business = selectors.public_business(slug)
    visitor = _visitor(request, business)
    if not _open_for(business, visitor):
        raise Http404("The chat in the browser is closed.")
    messages = webchat.messages_after(visitor=visitor) if visitor else []
    return render(request, "web/chat.html", {
        "business": business, "visitor": visitor,
        "bubbles": chat_render.bubbles(business, messages), "last": messages[-1].pk if messages else 0,
        "prefill": str(request.GET.get("text") or "")[:webchat.MAX_TEXT],
    })


@csrf_protect
@require_POST
def chat_send(request: HttpRequest, slug: str) -> HttpResponse:
    business = selectors.public_business(slug)
    visitor = _visitor(request, business)
    if not _open_for(business, visitor):
        return _error(_("The chat in the browser is closed."), 404)
    text = str(request.POST.get("text") or "").strip()
    reply_id = str(request.POST.get("reply_id") or "").strip()
    if not text and not reply_id:
        return _error(_("Type a message."), 400, "text")
    if len(text) > webchat.MAX_TEXT:
        return _error(_("A message has at most %(n)d characters.") % {"n": webchat.MAX_TEXT}, 400, "text")
    if len(reply_id) > 256:
        return _error(_("This option is not valid."), 400, "reply_id")
    token = ""
    if visitor is None:
        if not antibot.allow("chat-new", antibot.client_ip(request), limit=NEW_VISITORS_PER_HOUR,
                             window_seconds=3600):
            return _error(_("Too many new chats from your network. Please try again later."), 429)
        visitor, token = webchat.start_visitor(business=business)
    if not antibot.allow("chat", str(visitor.pk), limit=settings.WEB_CHAT_RATE_PER_MINUTE, window_seconds=60):
        return _error(_("You are sending messages very fast. Please wait a moment."), 429)
    if reply_id:
        message = webchat.inbound_reply(reply_id, str(request.POST.get("reply_title") or reply_id),
                                        from_list=request.POST.get("reply_kind") == "list")
    else:
        message = webchat.inbound_text(text)
    stored = webchat.converse(visitor=visitor, message=message)
    response = JsonResponse({"html": _html(business, stored), "last": stored[-1].pk})
    if token:
        _set_cookie(response, business, token)
    return response


@require_GET
def chat_poll(request: HttpRequest, slug: str) -> HttpResponse:
    business = selectors.public_business(slug)
    visitor = _visitor(request, business)
    try:
        after = max(0, int(request.GET.get("after") or 0))
    except ValueError:
        return _error(_("`after` is a message number."), 400, "after")
    if visitor is None or not _open_for(business, visitor):
        return JsonResponse({"html": "", "last": after})
    messages = webchat.messages_after(visitor=visitor, after=after)
    return JsonResponse({"html": _html(business, messages) if messages else "",
                         "last": messages[-1].pk if messages else after})


@staff_member_required
@require_GET
def try_shop(request: HttpRequest, slug: str) -> HttpResponse:
    """The merchant's own test chat: a fresh test customer (left out of revenue), open even
    when the public web chat is off. Staff of the business (or platform staff) only."""
    business = selectors.public_business(slug)
    user = request.user
    member = Membership.objects.filter(user_id=user.pk or 0, business=business).exists()
    if not (user.is_superuser or member):
        raise Http404("No such shop.")
    response = redirect("web:chat", slug=business.slug)
    current = _visitor(request, business)
    if current is None or not current.is_test:  # this browser's test chat goes on where it was
        _, token = webchat.start_visitor(business=business, is_test=True)
        _set_cookie(response, business, token)
    return response
