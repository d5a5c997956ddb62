"""The Celery app. Queues: `payments` (money never waits behind a flood of messages),
`notifications` (outbox delivery, e-mail) and `default`."""
import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopchat.settings")

app = Celery("shopchat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ("default", "payments", "notifications")
)
# celery-types declares these settings as read-only properties; Celery's Settings is a mapping that takes them
app.conf.task_default_exchange = "default"  # type: ignore[misc]
app.conf.task_default_routing_key = "default"  # type: ignore[misc]
app.autodiscover_tasks()
