"""shopchat: chat-commerce back end. The Celery app loads with Django."""
from .celery import app as celery_app

__all__ = ("celery_app",)
