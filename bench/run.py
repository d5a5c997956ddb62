"""`make bench`: measure shopchat on PostgreSQL against a floor measured in the same run.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/shopchat_bench), migrates it, starts gunicorn (2 workers,
DEBUG off) with the bench-only floor endpoint, measures the floor (a bare DRF view doing one
primary-key SELECT), then runs every `bench/<name>.py` module that has a `run(ctx)` function, in
their ORDER, and writes the tables to docs/BENCHMARKS.md.

    BENCH_QUICK=1   short runs (smoke test)
    BENCH_ONLY=a,b  only these modules (the floor is always measured)
"""
import importlib
import os
import pkgutil
import platform
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/shopchat_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_environment(db_url: str) -> dict:
    env = {
        "DATABASE_URL": db_url,
        "DEBUG": "False",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "False",
        "BENCH_ENDPOINTS": "True",
        "CONN_MAX_AGE": "600",
        "API_KEY_RATE": "10000000/min",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "shopchat.settings",
    }
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
        env["REDIS_URL"] = redis_url  # production's shape: PostgreSQL + Redis
    except Exception:
        print(f"Redis not reachable at {redis_url}: the bench runs with the filesystem broker", flush=True)
    os.environ.update(env)
    return env


def start_gunicorn(port: int) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - gunicorn writes to it while it runs
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "shopchat.wsgi", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env={**os.environ, "WEB_WORKERS": "2", "WEB_THREADS": os.environ.get("BENCH_THREADS", "4")},
        stdout=log, stderr=subprocess.STDOUT,
    )
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/bench/floor/", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start; see var/bench-gunicorn.log")


def discover(only: set) -> list:
    import bench

    modules = []
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name in ("run", "harness", "floor_urls", "cpu", "oscar_peer") or info.name.startswith("_"):
            continue
        if only and info.name not in only:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "run", None)):
            modules.append(module)
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 100))


def machine_line() -> str:
    import django
    import psycopg

    try:
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            pg = row[0] if row else "?"
    except Exception:
        pg = "?"
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}, "
            f"PostgreSQL {pg} and Redis, gunicorn 2 workers x {os.environ.get('BENCH_THREADS', '4')} threads, at most "
            f"{2 * int(os.environ.get('BENCH_THREADS', '4'))} connections each "
            f"(gthread, as `make run` serves), DEBUG off")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    (ROOT / "var").mkdir(exist_ok=True)
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    quick = os.environ.get("BENCH_QUICK") == "1"
    only = {m.strip() for m in os.environ.get("BENCH_ONLY", "").split(",") if m.strip()}
    recreate_database(db_url)
    bench_environment(db_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench.harness import Context

    port = free_port()
    server = start_gunicorn(port)
    ctx = Context(base_url=f"http://127.0.0.1:{port}", quick=quick, dsn=db_url)
    failures = []
    try:
        for module in discover(only):
            name = module.__name__.split(".")[-1]
            print(f"== {name}", flush=True)
            ctx.measure_floor(before=name, seconds=5)
            started = time.monotonic()
            try:
                module.run(ctx)
            except Exception:
                failures.append(name)
                ctx.section(f"{getattr(module, 'TITLE', name)}: FAILED", ["error"],
                            [[traceback.format_exc().strip().splitlines()[-1]]])
                traceback.print_exc()
            print(f"   {name} done in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    ctx.write(ROOT / "docs" / "BENCHMARKS.md", machine_line(), partial=bool(only))
    print(f"wrote docs/BENCHMARKS.md{' (partial)' if only else ''}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
