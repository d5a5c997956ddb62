"""The benchmark context handed to every bench module: HTTP load against gunicorn, SQL floors
with raw connections, in-process timings and query counts, and the markdown tables."""
import asyncio
import statistics
import threading
import time
from datetime import UTC, datetime


def summarize(label: str, latencies: list, errors: int, elapsed: float) -> dict:
    ordered = sorted(latencies) or [0.0]

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    count = len(latencies)
    return {
        "label": label, "count": count, "errors": errors, "rps": (count - errors) / elapsed if elapsed else 0.0,
        "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
        "mean_ms": statistics.fmean(ordered) * 1000 if latencies else 0.0,
    }


class Context:
    def __init__(self, *, base_url: str, quick: bool, dsn: str):
        from shopchat.services import create_api_key, create_business

        self.base_url = base_url
        self.quick = quick
        self.dsn = dsn
        self.sections: list[tuple[str, list[str], list[list[str]], str]] = []
        self.floor = None
        self.floor_rows: list[list[str]] = []
        self._businesses = 0
        self.business, self.api_key = self.new_business()
        self.create_api_key = create_api_key
        self.create_business = create_business
        from rest_framework.test import APIClient

        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.api_key}")

    # --- set-up -------------------------------------------------------------------------
    def new_business(self, **fields):
        from shopchat.services import create_api_key, create_business

        self._businesses += 1
        n = self._businesses
        fields.setdefault("currency", "INR")
        business = create_business(
            name=fields.pop("name", f"Bench shop {n}"), slug=fields.pop("slug", f"bench-{n}-{int(time.time())}"),
            owner_email=f"owner{n}@bench.local", **fields,
        )
        _, key = create_api_key(business=business, name="bench", scopes=["gateway", "integration"])
        return business, key

    def default_seconds(self, seconds):
        return min(seconds, 2) if self.quick else seconds

    # --- HTTP load ----------------------------------------------------------------------
    def load(self, label, make_request, concurrency=16, seconds=10, auth=True):
        seconds = self.default_seconds(seconds)
        stats = asyncio.run(self._load(label, make_request, concurrency, seconds, auth))
        print(f"   {label}: {stats['rps']:.0f} req/s p50 {stats['p50_ms']:.1f} ms p99 {stats['p99_ms']:.1f} ms"
              f" errors {stats['errors']}", flush=True)
        return stats

    def load_flow(self, label, make_flow, concurrency=16, seconds=10):
        """Like `load`, but each unit of work is a list of requests sent one after the other (a
        chat customer's steps); rps counts whole flows and latencies are per flow."""
        seconds = self.default_seconds(seconds)
        stats = asyncio.run(self._load(label, make_flow, concurrency, seconds, True, flows=True))
        print(f"   {label}: {stats['rps']:.0f} flows/s p50 {stats['p50_ms']:.1f} ms p99 {stats['p99_ms']:.1f} ms"
              f" errors {stats['errors']}", flush=True)
        return stats

    async def _load(self, label, make_request, concurrency, seconds, auth, flows=False):
        import httpx

        latencies, errors, counter = [], 0, iter(range(10**9))
        first_errors = []
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=self.base_url, limits=limits, timeout=30) as client:
            deadline = time.monotonic() + seconds

            async def worker():
                nonlocal errors
                while time.monotonic() < deadline:
                    work = make_request(next(counter))
                    started = time.perf_counter()
                    ok = True
                    for method, path, body, headers in (work if flows else [work]):
                        headers = dict(headers or {})
                        if auth and "Authorization" not in headers:
                            headers["Authorization"] = f"Api-Key {self.api_key}"
                        try:
                            response = await client.request(method, path, json=body, headers=headers)
                            ok = 200 <= response.status_code < 300
                            if not ok and len(first_errors) < 3:
                                first_errors.append(f"{response.status_code} {response.text[:200]}")
                        except httpx.HTTPError as exc:
                            ok = False
                            if len(first_errors) < 3:
                                first_errors.append(repr(exc))
                        if not ok:
                            break
                    latencies.append(time.perf_counter() - started)
                    if not ok:
                        errors += 1

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.monotonic() - started
        if first_errors:
            print(f"   {label}: first errors: {first_errors}", flush=True)
        return summarize(label, latencies, errors, elapsed)

    def measure_floor(self, before="", concurrency=16, seconds=10):
        """Measure the floor; each section's ratios use the floor measured just before it, so
        a machine whose speed drifts during the run does not skew them."""
        pk = self.business.pk
        self.floor = self.load(f"floor{' before ' + before if before else ''}",
                               lambda i: ("GET", f"/bench/floor/?id={pk}", None, {}),
                               concurrency=concurrency, seconds=seconds, auth=False)
        self.floor_rows.append([before or "start", f"{self.floor['rps']:.0f}", f"{self.floor['p50_ms']:.1f}",
                                f"{self.floor['p99_ms']:.1f}", "1"])
        return self.floor

    def ratio(self, stats) -> float:
        return stats["rps"] / self.floor["rps"] if self.floor and self.floor["rps"] else 0.0

    # --- SQL floors with raw connections --------------------------------------------------
    def sql_floor(self, label, fn, concurrency=16, seconds=10):
        import psycopg

        seconds = self.default_seconds(seconds)
        latencies, errors, lock = [], [0], threading.Lock()
        deadline = time.monotonic() + seconds

        def worker():
            with psycopg.connect(self.dsn) as conn:
                while time.monotonic() < deadline:
                    started = time.perf_counter()
                    try:
                        fn(conn)
                        ok = True
                    except Exception:
                        conn.rollback()
                        ok = False
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if not ok:
                            errors[0] += 1

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = summarize(label, latencies, errors[0], time.monotonic() - started)
        print(f"   {label}: {stats['rps']:.0f}/s p50 {stats['p50_ms']:.1f} ms", flush=True)
        return stats

    # --- in-process -----------------------------------------------------------------------
    def count_queries(self, fn) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)

    def timeit(self, label, fn, repeat):
        latencies = []
        started = time.monotonic()
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            latencies.append(time.perf_counter() - t0)
        return summarize(label, latencies, 0, time.monotonic() - started)

    # --- report ---------------------------------------------------------------------------
    def section(self, title, header, rows, notes=""):
        self.sections.append((title, header, [[str(c) for c in row] for row in rows], notes))

    def load_row(self, endpoint, stats, queries="", target=""):
        """A standard row: endpoint, req/s, ratio to floor, p50, p99, errors, queries, target."""
        return [endpoint, f"{stats['rps']:.0f}", f"{self.ratio(stats):.2f}x", f"{stats['p50_ms']:.1f}",
                f"{stats['p99_ms']:.1f}", str(stats["errors"]), str(queries), target]

    LOAD_HEADER = ["endpoint", "req/s", "vs floor", "p50 ms", "p99 ms", "errors", "queries/request", "target"]

    def write(self, path, machine, partial=False):
        lines = [
            "# Benchmarks",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench`"
            f"{' (BENCH_QUICK=1: short runs)' if self.quick else ''}{' (partial run)' if partial else ''}.",
            f"Machine: {machine}. The load client runs on the same machine as the server, so absolute",
            "figures are lower than on a dedicated host; read the ratios against the floor, which was",
            "measured in the same run under the same conditions.",
            "",
        ]
        floor = ("Floor", ["measured before", "req/s", "p50 ms", "p99 ms", "queries/request"], self.floor_rows,
                 "GET /bench/floor/: a bare DRF view doing one primary-key SELECT (no auth, no throttle), "
                 "16 concurrent clients. It is measured again before every section, and each section's "
                 "ratios divide by the floor measured just before it.")
        for title, header, rows, notes in [floor] + self.sections:
            lines += [f"## {title}", ""]
            if notes:
                lines += [notes, ""]
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "|".join(" --- " for _ in header) + "|")
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            lines.append("")
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines))
