"""A real smart-HTTP git server for tests: ``git http-backend`` behind a small threaded HTTP server
on 127.0.0.1 that demands basic auth."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class GitHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, project_root: Path, accounts: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.project_root = project_root
        self.accepted = {"Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                         for user, password in accounts.items()}
        self.requests: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class GitBackendHandler(BaseHTTPRequestHandler):
    """What both test git servers share: quiet logs, GET and POST to ``_serve``, request bodies read
    whole (chunked or not). Subclasses route and authorise, then call ``relay_http_backend``."""

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raise NotImplementedError

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class _Handler(GitBackendHandler):
    server: GitHttpServer

    def _serve(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        body = self._body() if self.command == "POST" else b""
        if self.headers.get("Authorization") not in self.server.accepted:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.project_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "tester",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        relay_http_backend(self, env, body)


@contextmanager
def serve_git(project_root: Path, accounts: dict[str, str]) -> Iterator[GitHttpServer]:
    """Serve the bare repositories under ``project_root`` to the ``accounts`` (username → password)."""
    server = GitHttpServer(project_root, accounts)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def relay_http_backend(handler: BaseHTTPRequestHandler, env: dict[str, str], body: bytes) -> None:
    """Run ``git http-backend`` as a CGI with ``env`` and relay its status, headers and payload."""
    result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
    head, separator, payload = result.stdout.partition(b"\r\n\r\n")
    if not separator:
        head, _, payload = result.stdout.partition(b"\n\n")
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key:
            headers.append((key, value.strip()))
    handler.send_response(status)
    for key, value in headers:
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
