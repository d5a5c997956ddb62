"""The Content-Security-Policy of every page (django-csp), with one exception by path.

Everything we serve loads its scripts from our own static files (no inline script, no inline
event handler). The back office's theme (unfold)
runs Alpine.js, whose standard build evaluates its `x-*` expressions with `new Function`: so
`'unsafe-eval'` is added for `/admin/` only, never for the public shop, the web chat, the pay
page or the API's documentation."""
from __future__ import annotations

from typing import TYPE_CHECKING

from csp.constants import UNSAFE_EVAL
from csp.middleware import CSPMiddleware, PolicyParts

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX = "/admin/"


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, adding `'unsafe-eval'` to `script-src` under the back office."""

    def get_policy_parts(self, request: HttpRequest, response: HttpResponseBase,
                         report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), "script-src": [UNSAFE_EVAL]}  # appended by django-csp
        return parts
