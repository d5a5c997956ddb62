from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import twofactor
from .api.errors import json_not_found
from .backoffice.language import choose_language_view
from .health import healthz

urlpatterns = [
    path("admin/2fa/", include(twofactor)),  # before the admin's own catch-all
    path("admin/language/", admin.site.admin_view(choose_language_view), name="staff_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("shopchat.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", authentication_classes=[], permission_classes=[]),
        name="api-docs",
    ),
    path("healthz", healthz, name="healthz"),
    path("", include("shopchat.web_urls")),
    path("", include("chat.urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("bench/", include("bench.floor_urls")))


def handler404(request, exception=None):
    if request.path.startswith(("/api/", "/webhooks/")):
        return json_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler403(request, exception=None):
    """Staff who may not open a back-office page get it inside the back office (sidebar and all);
    everyone else gets the plain page."""
    if request.path.startswith("/admin/") and getattr(request.user, "is_staff", False):
        from django.template.response import TemplateResponse

        response = TemplateResponse(request, "admin/403.html", admin.site.each_context(request), status=403)
        return response.render()
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler500(request):
    if request.path.startswith(("/api/", "/webhooks/")):
        from .api.errors import json_server_error

        return json_server_error(request)
    from django.views.defaults import server_error

    return server_error(request)
