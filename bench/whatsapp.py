"""WhatsApp adapter benchmark: a burst of inbound messages end to end (webhook -> Celery ->
engine -> outbound request to a fake Cloud API on 127.0.0.1) with one worker process and again
with two (BENCH_WA_BURST messages, 1,000 by default), and the time the webhook request itself
takes (target p99 < 20 ms: it only verifies, stores and enqueues).

With REDIS_URL the work runs on a real Celery worker (a `celery worker` process, prefork);
without it tasks run eagerly inside the webhook request, and the webhook timing is taken with
processing switched off (store only). Requests go through Django's test client in threads
(the exact signed bytes matter, so the in-process client is used rather than the HTTP load).
"""
import itertools
import json
import os
import threading
import time

ORDER = 60
TITLE = "WhatsApp"

PHONE_NUMBER_ID = "190000000000002"
APP_SECRET = "bench-app-secret"
CUSTOMERS = 100


def _envelope(message_id: str, wa_id: str, text: str) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "190000000000001", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001000", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()


def _setup(ctx, fake_url):
    from django.utils import timezone

    from catalog.models import Product
    from chat.services import configure_whatsapp
    from shopchat.models import Customer

    business = ctx.business
    config = configure_whatsapp(business=business, phone_number_id=PHONE_NUMBER_ID, access_token="bench-token",
                                app_secret=APP_SECRET, verify_token="bench-verify", base_url=fake_url)
    type(config).objects.filter(pk=config.pk).update(messages_per_second=1000)  # a supermarket's tier (chat.pacing)
    for i in range(20):
        Product.objects.get_or_create(business=business, retailer_id=f"WA-TEA-{i}",
                                      defaults={"title": f"Bench tea {i}", "price_minor": 10000 + i})
    wa_ids = [f"1555{9000000 + i:07d}" for i in range(CUSTOMERS)]
    now = timezone.now()
    for wa_id in wa_ids:  # not first contacts: each message gets exactly one reply (a search result)
        Customer.objects.update_or_create(business=business, wa_id=wa_id, defaults={"last_inbound_at": now})
    return wa_ids


def _database_url() -> str:
    """The bench database as a URL, for the worker process (the harness may have set it in code)."""
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class _Worker:
    """A real Celery worker process (prefork, one child per CPU) when Redis is configured, else eager tasks."""

    def __init__(self, concurrency: int | None = None):
        import os

        from django.conf import settings

        from shopchat.celery import app

        self.app = app
        self.settings = settings
        self.real = bool(settings.REDIS_URL) and settings.IS_POSTGRES
        self.saved = app.conf.task_always_eager
        self.concurrency = concurrency or max(2, os.cpu_count() or 2)
        self.process = None

    def __enter__(self):
        if not self.real:
            self.app.conf.task_always_eager = True
            return self
        import os
        import subprocess
        import sys

        env = dict(os.environ, DATABASE_URL=_database_url(), REDIS_URL=self.settings.REDIS_URL,
                   DJANGO_SETTINGS_MODULE="shopchat.settings", LOG_LEVEL="WARNING", DEBUG="0",
                   SECURE_SSL_REDIRECT="0", CELERY_TASK_ALWAYS_EAGER="0",
                   CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"))  # a worker keeps its connections
        # The sections before this one published their events' deliveries with no worker running;
        # a worker started now would first work through those, so the burst's replies would wait
        # behind them. Their rows stay pending in the outbox, for the sweep.
        self.app.control.purge()
        log = open(self.settings.VAR_DIR / "bench-whatsapp-worker.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shopchat", "worker", "-Q", "default,payments,notifications",
             "-c", str(self.concurrency), "-P", "prefork", "--loglevel", "WARNING", "-n", f"bench-wa-{os.getpid()}@%h"],
            cwd=str(self.settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT)
        self.app.conf.task_always_eager = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Celery worker exited; see var/bench-whatsapp-worker.log")
            if self.app.control.ping(destination=[f"bench-wa-{os.getpid()}@{_hostname()}"], timeout=0.5):
                return self
        raise RuntimeError("the Celery worker did not come up in 30 s")

    def __exit__(self, *exc):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except Exception:
                self.process.kill()
        self.app.conf.task_always_eager = self.saved


def _hostname() -> str:
    import socket

    return socket.gethostname()


def _post(client, body):
    from chat.webhook import signature_for

    return client.post("/webhooks/whatsapp/", data=body, content_type="application/json", secure=True,
                       HTTP_X_HUB_SIGNATURE_256=signature_for(APP_SECRET, body))


def _burst(count, wa_ids, run_id, threads=8):
    """POST `count` messages from `threads` threads; returns webhook timings in ms."""
    from django.db import connection
    from django.test import Client

    counter = itertools.count()
    timings, errors = [], []
    lock = threading.Lock()

    def work():
        client = Client()
        try:
            while True:
                i = next(counter)
                if i >= count:
                    return
                body = _envelope(f"wamid.BENCH.{run_id}.{i}", wa_ids[i % len(wa_ids)], "tea")
                start = time.perf_counter()
                response = _post(client, body)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    timings.append(elapsed)
                    if response.status_code != 200:
                        errors.append(response.status_code)
        finally:
            connection.close()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return timings, errors


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def run(ctx):
    from unittest import mock

    from tests.chat.fake_cloud import FakeCloudAPI

    burst = 100 if ctx.quick else int(os.environ.get("BENCH_WA_BURST", "1000"))
    rows = []
    with FakeCloudAPI() as fake:
        wa_ids = _setup(ctx, fake.url)
        run_id = int(time.time())
        # One worker process, then two (issue #21's scale-out measurement on this machine).
        for processes in (1, 2):
            with _Worker(concurrency=processes) as worker:
                mode = f"Celery worker, prefork x{worker.concurrency}" if worker.real else "eager tasks (no Redis)"
                already = len(fake.requests)
                start = time.perf_counter()
                timings, errors = _burst(burst, wa_ids, f"{run_id}.{processes}")
                posted = time.perf_counter() - start
                delivered = fake.wait_for(already + burst, timeout=max(60, burst / 5))
                elapsed = time.perf_counter() - start
                sent = len(fake.requests) - already
                rows.append([f"burst of {burst} text messages, end to end ({mode})", burst, sent,
                             f"{sent / elapsed:.0f} msg/s" if delivered else f"incomplete after {elapsed:.0f} s",
                             f"{_pct(timings, 50):.1f}", f"{_pct(timings, 99):.1f}", len(errors)])
                rows.append(["  of which posting the webhooks", burst, "", f"{burst / posted:.0f} req/s", "", "",
                             ""])
            if not worker.real:
                break
        # The webhook alone (verify, store, enqueue): processing switched off so only its own work counts.
        with mock.patch("chat.services.enqueue_processing"):
            timings, errors = _burst(burst, wa_ids, f"{run_id}.store", threads=4)
        rows.append(["webhook request alone (verify + store + enqueue), 4 threads", burst, "", "",
                     f"{_pct(timings, 50):.1f}", f"{_pct(timings, 99):.1f}", len(errors)])
    ctx.section(
        "WhatsApp adapter",
        ["what", "messages", "replies at the fake", "throughput", "webhook p50 ms", "webhook p99 ms", "errors"],
        rows,
        notes="Each message is a search ('tea') by a returning customer: one reply each. Webhook requests go "
              "through Django's in-process test client (signed bytes), threads in one process. Target: webhook "
              "p99 < 20 ms.",
    )
