"""A tiny HTTP server on 127.0.0.1 that records what it is sent, for webhook and Cloud API
fakes. `statuses` is the list of status codes to answer in turn (the last one repeats)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, statuses=(200,), delay: float = 0.0, body: dict | None = None):
        self.requests = []
        self.statuses = list(statuses)
        self.delay = delay
        self.body = body or {"ok": True}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": raw}
                    )
                    index = len(receiver.requests) - 1
                    status = receiver.statuses[min(index, len(receiver.statuses) - 1)]
                if receiver.delay:
                    import time

                    time.sleep(receiver.delay)
                payload = json.dumps(receiver.body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.05)
        return False
