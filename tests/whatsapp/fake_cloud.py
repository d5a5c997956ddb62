"""A fake WhatsApp Cloud API: a real HTTP server on 127.0.0.1 that records each request
shopchat sends to `/<version>/<phone_number_id>/messages` and answers like Meta (a fresh
`wamid` per message), or with the scripted failures given in `responses`."""
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def cloud_error(code: int, message: str, details: str = "") -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": details or message},
                      "fbtrace_id": "AFakeTraceId"}}


class FakeCloudAPI:
    def __init__(self, responses=()):
        self.requests = []
        self.responses = list(responses)  # [(status, body)] answered first, in turn
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                    status, answer = fake.responses.pop(0) if fake.responses else (200, None)
                    if answer is None:
                        to = (body or {}).get("to", "")
                        answer = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                  "messages": [{"id": f"wamid.FAKE{next(fake.counter):06d}"}]}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def sent(self) -> list:
        """The message bodies received, in order."""
        with self.lock:
            return [r["json"] for r in self.requests]

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.02)
        return False
