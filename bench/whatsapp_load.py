"""The WhatsApp benchmark's load and its parts: the worker process, the fake Cloud API in a
process of its own, the webhook burst and the steady rate (bench/whatsapp.py measures with them)."""
import itertools
import json
import os
import threading
import time

PHONE_NUMBER_ID = "190000000000002"
APP_SECRET = "bench-app-secret"


def envelope(message_id: str, wa_id: str, text: str) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "190000000000001", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001000", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()


def _database_url() -> str:
    """The bench database as a URL, for the worker process (the harness may have set it in code)."""
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    """A real Celery worker process (prefork, one child per CPU) when Redis is configured, else eager tasks."""

    def __init__(self, concurrency: int | None = None):

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


class FakeCloudProcess:
    """The fake Cloud API (tests.chat.fake_cloud) in a process of its own, forked before any thread
    starts: in the bench process its answers would wait for the GIL behind the 8 threads posting
    webhooks, and the worker's sends with them. It counts what it received in shared memory."""

    def __enter__(self):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._count = context.Value("q", 0)
        here, there = context.Pipe()
        self._pipe = here
        self._process = context.Process(target=_serve_fake_cloud, args=(self._count, there), daemon=True)
        self._process.start()
        self.url = here.recv()
        return self

    @property
    def received(self) -> int:
        return int(self._count.value)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.received >= count:
                return True
            time.sleep(0.05)
        return self.received >= count

    def __exit__(self, *exc):
        self._pipe.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def _serve_fake_cloud(count, pipe):
    from tests.chat.fake_cloud import FakeCloudAPI

    class Counting(FakeCloudAPI):
        def answer(self, request, index):
            with count.get_lock():
                count.value += 1
            return super().answer(request, index)

    with Counting() as fake:
        pipe.send(fake.url)
        pipe.recv()


def _hostname() -> str:
    import socket

    return socket.gethostname()


def post(client, body):
    from chat.webhook import signature_for

    return client.post("/webhooks/whatsapp/", data=body, content_type="application/json", secure=True,
                       HTTP_X_HUB_SIGNATURE_256=signature_for(APP_SECRET, body))


def _in_threads(work, threads):
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def burst(count, wa_ids, run_id, threads=8):
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
                body = envelope(f"wamid.BENCH.{run_id}.{i}", wa_ids[i % len(wa_ids)], "tea")
                start = time.perf_counter()
                response = post(client, body)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    timings.append(elapsed)
                    if response.status_code != 200:
                        errors.append(response.status_code)
        finally:
            connection.close()

    _in_threads(work, threads)
    return timings, errors


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def steady(rate, seconds, wa_ids, run_id, threads=8):
    """POST `rate` messages a second for `seconds`, each at its scheduled time (threads take the
    next slot; a late slot is sent at once, so the offered rate holds while the server keeps up)."""
    from django.db import connection
    from django.test import Client

    total = int(rate * seconds)
    counter = itertools.count()
    start = time.perf_counter() + 0.2
    errors = []

    def work():
        client = Client()
        try:
            while (i := next(counter)) < total:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                body = envelope(f"wamid.STEADY.{run_id}.{i}", wa_ids[i % len(wa_ids)], "tea")
                if post(client, body).status_code != 200:
                    errors.append(i)
        finally:
            connection.close()

    _in_threads(work, threads)
    return total, time.perf_counter() - start, errors


