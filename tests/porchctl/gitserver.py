"""The git servers Porch's CLI cases expect, on loopback: ``git http-backend`` behind a threaded HTTP server.

Two roots are served without authentication (push included), as Porch's test git server does:
- ``<prefix>/<case>``: the in-cluster test git server; a bare repository is created on first use;
- ``/gh/<owner>/<repo>.git``: stand-ins for the GitHub repositories the cases name (git reaches them
  through ``url.<base>/gh/.insteadOf=https://github.com/``, so the cases' URLs stay byte for byte).
The prefix pads the address to the in-cluster one's length, so tables keep their column widths.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.lifecycle.githttp import GitBackendHandler, relay_http_backend

IN_CLUSTER = "http://git-server.test-git-namespace.svc.cluster.local:8080"
GITHUB = "https://github.com/"


class CaseGitServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.cluster_root = root / "cluster"
        self.github_root = root / "github"
        self.cluster_root.mkdir(parents=True, exist_ok=True)
        self.github_root.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        base = f"http://127.0.0.1:{self.server_address[1]}"
        padding = len(IN_CLUSTER) - len(base) - 1
        if padding < 1:
            raise RuntimeError(f"{base} is too long to stand in for {IN_CLUSTER}")
        self.prefix = "/" + "p" * padding
        self.cluster_url = base + self.prefix  # same length as IN_CLUSTER
        self.github_url = base + "/gh/"

    def git_config_env(self) -> dict[str, str]:
        """Environment that makes every git process fetch ``https://github.com/...`` from here."""
        return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{self.github_url}.insteadOf",
                "GIT_CONFIG_VALUE_0": GITHUB}


class _Handler(GitBackendHandler):
    server: CaseGitServer

    def _route(self, path: str) -> tuple[Path, str] | None:
        """(project root, PATH_INFO) for a request path; creates an in-cluster repository on first use."""
        if path.startswith("/gh/"):
            return self.server.github_root, path[len("/gh"):]
        if not path.startswith(self.server.prefix + "/"):
            return None
        rest = path[len(self.server.prefix):]
        name = rest.split("/")[1]
        if not name or name.startswith("."):
            return None
        repository = self.server.cluster_root / name
        with self.server.lock:
            if not repository.exists():
                subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repository)], check=True,
                               capture_output=True)
        return self.server.cluster_root, rest

    def _serve(self) -> None:
        body = self._body() if self.command == "POST" else b""
        url = urlsplit(self.path)
        routed = self._route(url.path)
        if routed is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        root, path_info = routed
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path_info,
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "anonymous",  # http-backend enables receive-pack for an authenticated user
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        relay_http_backend(self, env, body)


@contextmanager
def serve(root: Path) -> Iterator[CaseGitServer]:
    server = CaseGitServer(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
