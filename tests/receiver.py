"""A tiny HTTP server on 127.0.0.1 that records what it is sent, for webhook and Cloud API
fakes. `statuses` is the list of status codes to answer in turn (the last one repeats);
subclasses script their answers by overriding `answer`."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    protocol = "HTTP/1.0"

    def __init__(self, statuses=(200,), delay: float = 0.0, body: dict | None = None):
        self.requests = []
        self.statuses = list(statuses)
        self.delay = delay
        self.body = body or {"ok": True}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = receiver.protocol
            # The status line and headers go out in one write and the body in another: without
            # TCP_NODELAY the body waits for the client's delayed ACK (40 ms on Linux) on every
            # keep-alive request, which would make the fake, not shopchat, the bottleneck.
            disable_nagle_algorithm = True

            def _handle(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                request = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                           "body": raw, "json": parsed}
                with receiver.lock:
                    receiver.requests.append(request)
                    status, answer = receiver.answer(request, len(receiver.requests) - 1)
                if receiver.delay:
                    time.sleep(receiver.delay)
                # bytes are sent as they are (a file download); anything else as JSON
                raw_answer = isinstance(answer, (bytes, bytearray))
                payload = bytes(answer) if raw_answer else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream" if raw_answer else "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def answer(self, request: dict, index: int) -> tuple[int, dict | bytes]:
        """(status, JSON body, or bytes sent as they are) for the `index`-th request; called under the lock."""
        return self.statuses[min(index, len(self.statuses) - 1)], self.body

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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.02)
        return False
