"""HTTP plumbing: request/response values, a regex router, fault injection and the threaded server."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .model import User


class BadJson(ValueError):
    pass


@dataclass
class Request:
    method: str
    path: str  # raw (still percent-encoded), without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    user: User | None = None

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise BadJson("Problems parsing JSON")
        return value

    def param(self, name: str) -> Any:
        """A parameter from the JSON or form body, else the query: GitLab (Grape) merges them all."""
        content_type = self.headers.get("content-type", "")
        if self.body and content_type.startswith("application/json") and name in self.json():
            return self.json()[name]
        if self.body and "form" in content_type:
            form = urllib.parse.parse_qs(self.body.decode())
            if name in form:
                return form[name][0]
        return self.query.get(name)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None  # the JSON value, kept for contract tests

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(payload).encode(),
                   {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, payload)


Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Handler


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """`template` like /repos/{owner}/{repo}/git/refs/{ref+}: {x} is one segment, {x+} the rest."""
        regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", template)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        self.routes.append(Route(method, re.compile(f"^{regex}$"), template, handler))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
        return None


@dataclass
class Fault:
    pattern: re.Pattern[str]
    method: str | None
    remaining: int
    status: int
    retry_after: float | None
    ratelimit_reset: float | None
    delay: float
    message: str


class Faults:
    """Make the next N calls to matching routes fail: a status, a Retry-After, a rate-limit reset, a delay."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.triggered = 0

    def inject(self, path: str, *, method: str | None = None, times: int = 1, status: int = 503,
               retry_after: float | None = None, ratelimit_reset_in: float | None = None,
               delay: float = 0.0, message: str = "Service Unavailable") -> None:
        """`path` is a regex searched in the request path; `delay` alone (status 0) emulates a slow call."""
        reset = time.time() + ratelimit_reset_in if ratelimit_reset_in is not None else None
        with self._lock:
            self._faults.append(Fault(re.compile(path), method, times, status, retry_after, reset, delay,
                                      message))

    def rate_limit(self, path: str, *, times: int = 1, retry_after: float | None = None,
                   reset_in: float | None = None, status: int = 403) -> None:
        self.inject(path, times=times, status=status, retry_after=retry_after, ratelimit_reset_in=reset_in,
                    message="API rate limit exceeded")

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.method in (None, method)) and fault.pattern.search(path):
                    fault.remaining -= 1
                    self.triggered += 1
                    return fault
        return None

    @staticmethod
    def respond(fault: Fault) -> Response | None:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status == 0:
            return None
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(int(fault.retry_after) if fault.retry_after >= 1 else fault.retry_after)
        if fault.ratelimit_reset is not None:
            headers.update({"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                            "x-ratelimit-used": "5000", "x-ratelimit-reset": str(int(fault.ratelimit_reset)),
                            "RateLimit-Remaining": "0", "RateLimit-Reset": str(int(fault.ratelimit_reset))})
        return Response.json(fault.status, {"message": fault.message,
                                            "documentation_url": "https://docs.github.com/rest"}, headers)


@dataclass
class Exchange:
    method: str
    path: str
    route: str | None
    status: int
    payload: Any


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, dispatch: Callable[[Request], Response], port: int = 0) -> None:
        self.dispatch = dispatch
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits out a delayed ACK.
    disable_nagle_algorithm = True
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        raw_path, _, query = self.path.partition("?")
        request = Request(method=self.command, path=raw_path,
                          query={k: v[-1] for k, v in urllib.parse.parse_qs(query).items()},
                          headers={k.lower(): v for k, v in self.headers.items()}, body=self._read_body())
        response = self.server.dispatch(request)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
