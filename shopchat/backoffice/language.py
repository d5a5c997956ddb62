"""The back office in each staff user's own language (English, German or Italian).

The choice is saved per user (`StaffPreference`) and copied into the session when they log in
(`remember_language`, on `user_logged_in`, like the two-factor flag), so an admin page costs no
query for it: `StaffLanguageMiddleware` turns it on for /admin/ requests, after Django's
LocaleMiddleware (which still decides for those who never chose, from their browser). The
language menu of the header (unfold's, fed by `language_menu`) posts to `choose_language_view`.
E-mails to staff are written in the recipient's saved language (`language_of`).
"""
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ..languages import ENGLISH, NATIVE_NAMES, STAFF_LANGUAGES
from ..models import StaffPreference

SESSION_KEY = "shopchat_staff_language"
ADMIN_PREFIX = "/admin/"


def language_of(user: Any) -> str:
    """The user's saved back-office language (English when they never chose)."""
    if user is None or not getattr(user, "pk", None):
        return ENGLISH
    return saved_choice(user) or ENGLISH


def saved_choice(user: Any) -> str:
    """The saved language, or "" when the user never chose one (their browser's language then applies)."""
    language = StaffPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return language if language in STAFF_LANGUAGES else ""


@transaction.atomic
def set_staff_language(*, user: Any, language: str) -> StaffPreference:
    """Save `language` as the user's back-office language (one of STAFF_LANGUAGES)."""
    if language not in STAFF_LANGUAGES:
        raise ValueError(language)
    preference, _created = StaffPreference.objects.update_or_create(user_id=user.pk, defaults={"language": language})
    return preference


def remember_language(sender, request, user, **kwargs) -> None:
    """On login: the saved choice into the session (one query per login, none per page)."""
    if request is not None and hasattr(request, "session") and getattr(user, "is_staff", False):
        request.session[SESSION_KEY] = saved_choice(user)


class StaffLanguageMiddleware:
    """Back-office pages in the session's saved language (placed after LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = ""
        if request.path.startswith(ADMIN_PREFIX) and hasattr(request, "session"):
            language = request.session.get(SESSION_KEY) or ""
        if language in STAFF_LANGUAGES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def language_menu(request: HttpRequest) -> list[dict]:
    """The header's language menu (unfold's LANGUAGES navigation): the staff languages only."""
    return [{"code": code, "name_local": NATIVE_NAMES[code]} for code in STAFF_LANGUAGES]


def language_action(request: HttpRequest) -> str:
    return reverse("staff_language")


def choose_language_view(request: HttpRequest) -> HttpResponse:
    """POST language (and next): saved for the user, used from the next page on."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = str(request.POST.get("language") or "")
    target = str(request.POST.get("next") or "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    if language not in STAFF_LANGUAGES:
        messages.error(request, _("That language is not offered."))
        return HttpResponseRedirect(target)
    set_staff_language(user=request.user, language=language)
    request.session[SESSION_KEY] = language
    translation.activate(language)
    return HttpResponseRedirect(target)
