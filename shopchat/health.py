"""/healthz: is the database reachable, and the broker? 200 when both are, else 503."""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def broker_ok() -> bool:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def healthz(request):
    checks = {"database": "ok" if database_ok() else "down", "broker": "ok" if broker_ok() else "down"}
    checks["broker_url"] = "redis" if settings.REDIS_URL else "filesystem"
    healthy = checks["database"] == "ok" and checks["broker"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
