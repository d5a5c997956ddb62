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

# The access log never writes a customer's number: paths like /api/v1/customers/<wa_id>/cart/
# are logged with the number masked (shopchat.privacy.logs), and so are the query and referrer.
try:
    from gunicorn.glogging import Logger as _GunicornLogger

    from shopchat.privacy.logs import mask as _mask

    class MaskingLogger(_GunicornLogger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("r", "U", "q", "f"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = _mask(atoms[key])
            return atoms

    logger_class = MaskingLogger
except ImportError:  # gunicorn is not installed (tests import this file only to read it)
    pass
