"""The Celery app. Queues: `payments` (money never waits behind a flood of messages),
`notifications` (outbox delivery, e-mail) and `default`."""
import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopchat.settings")

app = Celery("shopchat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("payments"), Queue("notifications"))
app.autodiscover_tasks()
