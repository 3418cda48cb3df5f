"""Smart-HTTP git over `git http-backend` (CGI), with the ref changes of each push handed back to the store."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from collections.abc import Callable

from .httpd import Request, Response
from .model import Repo, User

GIT_PATH = re.compile(r"^/(?P<repo>.+?)\.git(?P<rest>/(info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.*))$")


def exec_path() -> str:
    return subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


class GitHttp:
    def __init__(self, repos_root: str, find_repo: Callable[[str], Repo | None],
                 authenticate: Callable[[str], User | None],
                 on_push: Callable[[Repo, list[tuple[str, str, str]], User], None],
                 lock: threading.RLock) -> None:
        """`lock` is the store's: a push and API ref updates never interleave, so the before/after
        snapshots around receive-pack see exactly this push's updates."""
        self.repos_root = repos_root
        self.find_repo = find_repo
        self.authenticate = authenticate
        self.on_push = on_push
        self.backend = os.path.join(exec_path(), "git-http-backend")
        self.lock = lock

    def user_for(self, request: Request) -> User | None:
        creds = basic_credentials(request)
        if creds is None:
            return None
        # Forges take the token as the password (x-access-token:TOKEN, oauth2:TOKEN) or as the user name.
        return self.authenticate(creds[1]) or self.authenticate(creds[0])

    def handle(self, request: Request) -> Response | None:
        found = GIT_PATH.match(request.path)
        if not found:
            return None
        repo = self.find_repo(found["repo"])
        if repo is None:
            return Response(404, b"Repository not found\n", {"Content-Type": "text/plain"})
        pushing = request.query.get("service") == "git-receive-pack" or request.path.endswith(
            "/git-receive-pack")
        user = self.user_for(request)
        if pushing and user is None:
            return Response(401, b"Authentication required\n",
                            {"WWW-Authenticate": 'Basic realm="emulator"', "Content-Type": "text/plain"})
        if pushing and user is not None and repo.permission(user) not in ("write", "maintain", "admin"):
            return Response(403, b"Permission denied\n", {"Content-Type": "text/plain"})
        if not pushing or request.method != "POST":
            return self._run(request, repo, found["rest"], user)
        with self.lock:
            before = repo.bare.refs()
            response = self._run(request, repo, found["rest"], user)
            after = repo.bare.refs()
            changes = [(ref, before.get(ref, "0" * 40), after.get(ref, "0" * 40))
                       for ref in sorted(set(before) | set(after)) if before.get(ref) != after.get(ref)]
            if changes and user is not None:
                self.on_push(repo, changes, user)
        return response

    def _run(self, request: Request, repo: Repo, rest: str, user: User | None) -> Response:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.repos_root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{repo.full_name}.git{rest}",
            "REQUEST_METHOD": request.method,
            "QUERY_STRING": "&".join(f"{k}={v}" for k, v in request.query.items()),
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(request.body)),
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_USER": user.login if user else "",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": self.repos_root,
        }
        if "content-encoding" in request.headers:
            env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
        if "git-protocol" in request.headers:
            env["HTTP_GIT_PROTOCOL"] = request.headers["git-protocol"]
        proc = subprocess.run([self.backend], input=request.body, env=env, capture_output=True, check=False)
        head, _, body = proc.stdout.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers[name] = value.strip()
        return Response(status, body, headers)
