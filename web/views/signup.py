"""Merchant sign-up pages: the form, the "check your e-mail" page and the verification link."""
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from .. import antibot, signup
from ..errors import BadVerificationLink, EmailTaken
from ..forms import SignUpForm

SESSION_KEY = "web_signup"


@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup_page(request: HttpRequest) -> HttpResponse:
    data = request.POST.copy() if request.method == "POST" else None
    form = SignUpForm(data)
    status = 200
    if request.method == "POST":
        if not antibot.allow("signup", antibot.client_ip(request), limit=settings.SIGNUP_RATE_PER_HOUR,
                             window_seconds=3600):
            form.add_error(None, _("Too many sign-ups from your network. Please try again in an hour."))
            return render(request, "web/signup.html", {"form": form}, status=429)
        if form.looks_automated():
            form.add_error(None, _("Please take a moment to check the form and send it again."))
            status = 400
        elif form.is_valid():
            given = form.cleaned_data
            try:
                created = signup.sign_up(business_name=given["business_name"], country=given["country"],
                                         currency=given["currency"], owner_name=given["owner_name"],
                                         email=given["email"], password=given["password"])
            except EmailTaken as exc:
                form.add_error("email", exc.message)
                status = 400
            else:
                if created.business.is_active:
                    login(request, created.user, backend="django.contrib.auth.backends.ModelBackend")
                    return redirect("admin:index")
                request.session[SESSION_KEY] = created.business.slug
                return redirect("web:signup-done")
        else:
            status = 400
        if data is not None and not antibot.stamp_ok(str(data.get("stamp") or ""), min_seconds=0):
            data["stamp"] = antibot.form_stamp()  # the form shown again carries a stamp of ours
    return render(request, "web/signup.html", {"form": form}, status=status)


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/signup_done.html", {"slug": request.session.get(SESSION_KEY, "")})


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        verified = signup.verify_email(token=token)
    except BadVerificationLink as exc:
        return render(request, "web/verified.html", {"error": exc.message}, status=400)
    return render(request, "web/verified.html", {"business": verified.business})
