"""WhatsApp adapter benchmark: a burst of inbound messages end to end (webhook -> Celery ->
engine -> outbound request to a fake Cloud API on 127.0.0.1), and the time the webhook
request itself takes (target p99 < 20 ms: it only verifies, stores and enqueues).

With REDIS_URL the work runs on a real Celery worker (started in this process, thread pool);
without it tasks run eagerly inside the webhook request, and the webhook timing is taken with
processing switched off (store only). Requests go through Django's test client in threads
(the exact signed bytes matter, so the in-process client is used rather than the HTTP load).
"""
import itertools
import json
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
    from shopchat.models import Customer
    from shopchat.whatsapp.services import configure_whatsapp

    business = ctx.business
    configure_whatsapp(business=business, phone_number_id=PHONE_NUMBER_ID, access_token="bench-token",
                       app_secret=APP_SECRET, verify_token="bench-verify", base_url=fake_url)
    for i in range(20):
        Product.objects.get_or_create(business=business, retailer_id=f"WA-TEA-{i}",
                                      defaults={"title": f"Bench tea {i}", "price_minor": 10000 + i})
    wa_ids = [f"1555{9000000 + i:07d}" for i in range(CUSTOMERS)]
    now = timezone.now()
    for wa_id in wa_ids:  # not first contacts: each message gets exactly one reply (a search result)
        Customer.objects.update_or_create(business=business, wa_id=wa_id, defaults={"last_inbound_at": now})
    return wa_ids


class _Worker:
    """A real Celery worker in this process when Redis is configured, else eager tasks."""

    def __init__(self):
        from django.conf import settings

        from shopchat.celery import app

        self.app = app
        self.real = bool(settings.REDIS_URL)
        self.saved = app.conf.task_always_eager
        self.context = None

    def __enter__(self):
        if self.real:
            from celery.contrib.testing.worker import start_worker

            self.app.conf.task_always_eager = False
            self.context = start_worker(self.app, pool="threads", concurrency=8, perform_ping_check=False,
                                        shutdown_timeout=10)
            self.context.__enter__()
        else:
            self.app.conf.task_always_eager = True
        return self

    def __exit__(self, *exc):
        if self.context is not None:
            self.context.__exit__(*exc)
        self.app.conf.task_always_eager = self.saved


def _post(client, body):
    from shopchat.whatsapp.webhook import signature_for

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

    from tests.whatsapp.fake_cloud import FakeCloudAPI

    burst = 100 if ctx.quick else 1000
    rows = []
    with FakeCloudAPI() as fake:
        wa_ids = _setup(ctx, fake.url)
        with _Worker() as worker:
            mode = "Celery worker (Redis, 8 threads)" if worker.real else "eager tasks (no Redis)"
            run_id = int(time.time())
            start = time.perf_counter()
            timings, errors = _burst(burst, wa_ids, run_id)
            posted = time.perf_counter() - start
            delivered = fake.wait_for(burst, timeout=max(60, burst / 5))
            elapsed = time.perf_counter() - start
            sent = len(fake.requests)
            rows.append([f"burst of {burst} text messages, end to end ({mode})", burst, sent,
                         f"{sent / elapsed:.0f} msg/s" if delivered else f"incomplete after {elapsed:.0f} s",
                         f"{_pct(timings, 50):.1f}", f"{_pct(timings, 99):.1f}", len(errors)])
            rows.append(["  of which posting the webhooks", burst, "", f"{burst / posted:.0f} req/s", "", "", ""])
        # The webhook alone (verify, store, enqueue): processing switched off so only its own work counts.
        with mock.patch("shopchat.whatsapp.services.enqueue_processing"):
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
