"""A bench-only middleware: the CPU time the serving thread spent on a request, as a
`Server-Timing: cpu;dur=<ms>` header the bench's load client reads per step.

`time.thread_time()` counts only the CPU this thread used (not time waiting for the GIL, the
database or the network), so under load it is the request's own cost in the Django process.
Added first in MIDDLEWARE when BENCH_ENDPOINTS is set (shopchat) and by the oscar peer's settings;
it imports nothing but the standard library so both virtualenvs can load it.
"""
import time


class CpuTimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.thread_time()
        response = self.get_response(request)
        response["Server-Timing"] = f"cpu;dur={(time.thread_time() - started) * 1000:.3f}"
        return response
