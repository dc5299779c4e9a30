"""The playground's web server: the standard library's threading HTTP server on 127.0.0.1.

Every request must carry the server's random token (``?token=`` or the ``X-Token`` header), as
Jupyter's do; JSON bodies and uploads are size-limited; an error in one request is answered
(400 with glassnet's message, 500 otherwise) and never stops the server.

Example
-------
>>> import json, urllib.request
>>> server = start(port=0)
>>> server.url.startswith("http://127.0.0.1:") and "?token=" in server.url
True
>>> with urllib.request.urlopen(server.url.replace("/?", "/api/options?")) as reply:
...     "circle" in json.load(reply)["data"]
True
>>> server.close()
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
import threading
import traceback
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..errors import ConfigError, GlassnetError
from . import api

__all__ = ["MAX_UPLOAD", "PlaygroundServer", "start"]

MAX_UPLOAD = 2 * 2**20  # bytes of an uploaded CSV file
MAX_JSON = 2**20  # bytes of a JSON request
MAX_SESSIONS = 16  # pages served at once; the oldest run is dropped beyond
STATIC = Path(__file__).with_name("static")
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}


class PlaygroundServer(ThreadingHTTPServer):
    """The server, its token, its runs (one per page) and its uploads."""

    daemon_threads = True

    def __init__(self, port: int = 0, max_upload: int = MAX_UPLOAD):
        super().__init__(("127.0.0.1", port), _Handler)
        self.token = secrets.token_urlsafe(24)
        self.max_upload = max_upload
        self.lock = threading.RLock()  # glassnet's global seed and the runs
        self.runs: OrderedDict = OrderedDict()
        self.uploads: dict = {}
        self.folder = tempfile.TemporaryDirectory(prefix="glassnet-playground-")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/?token={self.token}"

    def run_of(self, sid: str):
        with self.lock:
            if sid not in self.runs:
                raise ConfigError("playground: this page's run is not on the server (it was "
                                  "restarted, or too many pages are open); press reset")
            self.runs.move_to_end(sid)
            return self.runs[sid]

    def keep(self, sid: str, run) -> None:
        with self.lock:
            self.runs[sid] = run
            self.runs.move_to_end(sid)
            while len(self.runs) > MAX_SESSIONS:
                self.runs.popitem(last=False)

    def close(self) -> None:
        """Stop serving (from another thread) and free the port and the upload folder."""
        self.shutdown()
        self.server_close()
        self.folder.cleanup()


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each small reply waits ~40 ms for a delayed ACK

    def log_message(self, format, *args):  # quiet: the page polls many times a second
        pass

    def _reply(self, status: int, body: bytes, kind: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value) -> None:
        self._reply(status, json.dumps(value, allow_nan=False).encode(), "application/json")

    def _allowed(self, query: dict) -> bool:
        given = self.headers.get("X-Token") or (query.get("token") or [""])[0]
        return secrets.compare_digest(given.encode(), self.server.token.encode())

    def _body(self, limit: int) -> bytes:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise ConfigError("playground: the request's Content-Length is not a number") from None
        if length > limit:
            self.close_connection = True
            if length <= 64 * limit:  # read it away, so the browser sees the answer
                for _ in range(0, length, 2**16):
                    self.rfile.read(min(2**16, length))
            raise _TooLarge(f"the upload is {length:,} bytes; the playground takes files up to "
                            f"{limit:,} bytes (start it with a larger max_upload to change this)")
        return self.rfile.read(max(length, 0))

    def _handle(self, method: str) -> None:
        try:
            self._answer(method)
        except ConnectionError:  # the page went away before its answer: nothing to tell it
            self.close_connection = True

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/favicon.ico":  # browsers ask without the token
            return self._reply(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        if not self._allowed(query):
            self._reply(HTTPStatus.FORBIDDEN, b"403: this page needs the playground's token; "
                        b"open the URL the playground printed", "text/plain; charset=utf-8")
            self.close_connection = True
            return
        try:
            self._route(method, parts.path, query)
        except _TooLarge as exc:
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": str(exc)})
        except (GlassnetError, ValueError, KeyError, TypeError) as exc:
            message = str(exc) if isinstance(exc, GlassnetError) else \
                f"playground: bad request ({type(exc).__name__}: {exc})"
            self._json(HTTPStatus.BAD_REQUEST, {"error": message})
        except ConnectionError:
            raise
        except Exception as exc:  # one bad request never stops the server
            traceback.print_exc(file=sys.stderr)
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR,
                       {"error": f"playground: internal error ({type(exc).__name__}: {exc}); "
                        "please report it"})

    def _route(self, method: str, path: str, query: dict) -> None:
        if method == "GET" and path in ("/", "/index.html"):
            return self._static("index.html")
        if method == "GET" and path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if method == "GET" and path.startswith("/api/"):
            name = path[len("/api/"):]
            args = {k: v[0] for k, v in query.items() if k != "token"}
            body, kind, extra = api.get(self.server, name, args)
            return self._reply(HTTPStatus.OK, body, kind, extra)
        if method == "POST" and path == "/api/upload":
            name = (query.get("name") or ["upload.csv"])[0]
            return self._json(HTTPStatus.OK, api.upload(self.server, name,
                                                        self._body(self.server.max_upload)))
        if method == "POST" and path.startswith("/api/"):
            raw = self._body(MAX_JSON)
            try:
                args = json.loads(raw or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise ConfigError("playground: the request body is not JSON") from None
            if not isinstance(args, dict):
                raise ConfigError("playground: the request body must be a JSON object")
            return self._json(HTTPStatus.OK, api.post(self.server, path[len("/api/"):], args))
        self._json(HTTPStatus.NOT_FOUND, {"error": f"playground: no such page {path!r}"})

    def _static(self, name: str) -> None:
        files = {p.name: p for p in STATIC.iterdir()}
        if name not in files:
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such file {name!r}"})
        body = files[name].read_bytes()
        if name == "index.html":
            body = body.replace(b"{{TOKEN}}", self.server.token.encode())
        self._reply(HTTPStatus.OK, body, _TYPES.get(files[name].suffix, "text/plain"))

    def do_GET(self):
        self._handle("GET")

    def do_HEAD(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class _TooLarge(GlassnetError):
    pass


def start(port: int = 0, max_upload: int = MAX_UPLOAD) -> PlaygroundServer:
    """A running server (in a background thread); ``close()`` stops it."""
    server = PlaygroundServer(port, max_upload)
    threading.Thread(target=server.serve_forever, name="glassnet-playground",
                     daemon=True).start()
    return server
