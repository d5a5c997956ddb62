"""gunicorn settings for `make run` and `make bench` (gunicorn reads ./gunicorn.conf.py); a
deployment may pass its own. WEB_WORKERS and WEB_THREADS size the pool (default 2 x 4)."""
import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# A threaded worker takes every connection it can accept, and a keep-alive client stays with
# the worker that accepted it: without a cap, a few busy clients can all land on one worker
# (one CPU, under the GIL) while the others idle. At most twice its threads each, the
# connections spread over the workers.
worker_connections = threads * 2
