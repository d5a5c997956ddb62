"""Where a stage's CPU goes, by layer: a cProfile run on the process's CPU clock (waiting for
PostgreSQL, Redis or the network is not counted), each function's own time put in the layer its
file belongs to. The bench reports these shares beside a stage's CPU per message, so a gap to a
target names the layer it is in (the ORM building SQL, the driver, the engine's own Python ...).
"""
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from pathlib import Path

# (layer, substrings of a function's file path); the first match wins, "the rest" takes the others.
LAYERS = (
    ("PostgreSQL driver (psycopg: encode, send, parse rows)", ("psycopg",)),
    ("Django ORM (build and compile SQL, make model instances)", ("django/db/",)),
    ("Redis client and Celery/kombu", ("/redis/", "/kombu/", "/celery/", "/billiard/", "/vine/")),
    ("HTTP client and the fake Cloud API (httpx, http.server)", ("/httpx/", "/httpcore/", "/h11/", "http/server",
                                                                "socketserver", "http/client", "/tests/chat/")),
    ("translation and formatting (gettext, Babel)", ("/babel/", "gettext", "django/utils/translation")),
    ("Django request handling (test client, middleware, views)", ("django/",)),
    ("shopchat's own code (engine, services, outbox)", ("/chat/", "/shopchat/", "/orders/", "/catalog/",
                                                        "/support/", "/payments/", "/web/")),
)
OTHER = "the rest (json, hashlib, logging, stdlib, C builtins)"


def _layer(filename: str) -> str:
    path = filename.replace("\\", "/")
    for name, needles in LAYERS:
        if any(n in path for n in needles):
            return name
    return OTHER


def cpu_by_layer(work: Callable[[], int], name: str = "") -> tuple[int, dict[str, float]]:
    """Run `work` (returns how many messages it handled) under cProfile; the CPU ms per message of
    each layer. The shares matter, not the sum: the profiler itself slows Python code down. With
    BENCH_PROFILE_DIR set, the raw profile is kept there as <name>.prof (for pstats or snakeviz)."""
    profile = cProfile.Profile(time.process_time)
    count = profile.runcall(work)
    if os.environ.get("BENCH_PROFILE_DIR") and name:
        profile.dump_stats(Path(os.environ["BENCH_PROFILE_DIR"]) / f"{name}.prof")
    stats = pstats.Stats(profile)
    ms: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        layer = _layer(f"{Path(filename)} {name}" if filename != "~" else name)  # C functions: by their name
        ms[layer] = ms.get(layer, 0.0) + tottime * 1000
    per = max(1, count)
    return count, {layer: value / per for layer, value in ms.items()}


def shares_row(split: dict[str, float]) -> dict[str, str]:
    total = sum(split.values()) or 1.0
    return {layer: f"{100 * split.get(layer, 0.0) / total:.0f}%" for layer in [n for n, _ in LAYERS] + [OTHER]}
