"""Two-factor login for staff (TOTP, django-otp), as a step after the password.

The admin's own login stays as it is (whatever theme it wears). After the password, a staff
user who must use a second factor and has not passed it in this session is sent by
`StaffTwoFactorMiddleware` to:

- `/admin/2fa/setup/`: a new authenticator (QR code made with segno, plus the key to type in),
  confirmed by a first code; any staff member may open it to turn two-factor on for themselves;
- `/admin/2fa/verify/`: a code from the confirmed authenticator.

Who must: a staff user with a confirmed device (they turned it on), and platform staff
(superusers) when `REQUIRE_STAFF_2FA` is on. Codes are checked by django-otp's TOTP device, which
throttles repeated wrong codes; failures are logged (user id only).
"""
import logging
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger(__name__)

PREFIX = "/admin/2fa/"
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/")


SESSION_FLAG = "shopchat_2fa_device"  # whether the user had a confirmed device when they logged in


def has_device(request: HttpRequest) -> bool:
    """Whether the session's user has a confirmed authenticator, asked once per session (at login,
    or on the first admin page of a session made before this) so admin pages cost no query."""
    flag = request.session.get(SESSION_FLAG)
    if flag is None:
        flag = request.session[SESSION_FLAG] = user_has_device(request.user, confirmed=True)
    return bool(flag)


def remember_devices(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver (connected in ShopchatConfig.ready): note in the new session
    whether the user owes a code (a session check, not a business flow)."""
    if request is not None and hasattr(request, "session") and getattr(user, "is_staff", False):
        request.session[SESSION_FLAG] = user_has_device(user, confirmed=True)


def must_use_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return False
    if user.is_superuser and settings.REQUIRE_STAFF_2FA:
        return True
    return has_device(request)


class StaffTwoFactorMiddleware:
    """Sends staff who owe a second factor to the 2FA pages before any other admin page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path_ = request.path
        if path_.startswith("/admin/") and not path_.startswith(PREFIX) and not path_.startswith(OPEN_PATHS):
            user = request.user
            if must_use_second_factor(request) and not user.is_verified():  # type: ignore[union-attr]
                target = "twofactor-verify" if has_device(request) else "twofactor-setup"
                return HttpResponseRedirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    token = forms.CharField(label=_("Code from your authenticator app"), max_length=8, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return reverse("admin:index")
    return target


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "next": _next(request), **extra}


@staff_member_required
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: scan the QR code (or type the key), then confirm with a code."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            request.session[SESSION_FLAG] = True
            log.info("2fa: user %s confirmed an authenticator", user.pk)
            return HttpResponseRedirect(_next(request))
        log.warning("2fa: wrong confirmation code for user %s", user.pk)
        form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
    qr = segno.make(device.config_url, error="m")
    return render(request, "admin/twofactor/setup.html", _context(
        request, title=_("Set up two-factor login"), form=form, qr_svg=qr.svg_inline(scale=4),
        key=_grouped(device.bin_key), required=must_use_second_factor(request)))


@staff_member_required
def verify(request: HttpRequest) -> HttpResponse:
    """The code after the password, for staff with a confirmed authenticator."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(_next(request))
        log.warning("2fa: wrong code for user %s", user.pk)
        form.add_error("token", _("That code is not right, or too many tries: wait a little and try again."))
    if not user_has_device(user, confirmed=True):
        return HttpResponseRedirect(f"{reverse('twofactor-setup')}?next={_next(request)}")
    return render(request, "admin/twofactor/verify.html", _context(
        request, title=_("Two-factor login"), form=form))


def _grouped(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


urlpatterns = [
    path("setup/", setup, name="twofactor-setup"),
    path("verify/", verify, name="twofactor-verify"),
]
