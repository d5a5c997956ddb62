"""The benchmark floor: bare DRF views doing the minimum, served only with BENCH_ENDPOINTS=1."""
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.response import Response

from shopchat.models import Business


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def floor(request):
    """One primary-key SELECT and a JSON answer: what no real endpoint can beat."""
    row = Business.objects.filter(pk=int(request.GET.get("id", 1))).values("id", "name").first()
    return Response(row or {})


urlpatterns = [path("floor/", floor, name="bench-floor")]
