"""The Celery app. Queues: `payments` (money never waits behind a flood of messages),
`notifications` (outbox delivery, e-mail) and `default`."""
import os

from celery import Celery, signals
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

# A worker keeps its database connections from task to task. Celery's Django fixup closes them
# before and after every task unless told to reuse them, which cost a new PostgreSQL connection
# per chat message (~15% of a worker's time in the WhatsApp bench). Instead each task starts as
# a Django request does: a connection that failed or is older than WORKER_CONN_MAX_AGE is closed
# and the next query opens a new one; the fixup still closes them all every DB_REUSE_MAX tasks.
DB_REUSE_MAX = 1000
app.conf.CELERY_DB_REUSE_MAX = DB_REUSE_MAX


@signals.worker_process_init.connect
@signals.worker_init.connect
def _keep_connections(**_kwargs) -> None:
    from django.conf import settings
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE


@signals.task_prerun.connect
def _drop_broken_or_old_connections(task=None, **_kwargs) -> None:
    """In a worker only: a task run eagerly (tests, CELERY_TASK_ALWAYS_EAGER) is inside its
    caller's request or transaction, whose connection is not the task's to close."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
