"""`/webhooks/whatsapp/`: Meta's subscription handshake (GET) and its webhooks (POST).

The POST only verifies, stores and enqueues (the work happens in Celery), so Meta gets its
200 fast; a missing or wrong signature is a 403 and nothing is stored."""
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .webhook import SIGNATURE_HEADER


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request):
    if request.method == "GET":
        if services.verify_subscription(mode=request.GET.get("hub.mode", ""),
                                        token=request.GET.get("hub.verify_token", "")):
            return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")
        return HttpResponseForbidden("verification failed", content_type="text/plain")
    if not services.receive_webhook(body=request.body, signature=request.headers.get(SIGNATURE_HEADER, "")):
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
