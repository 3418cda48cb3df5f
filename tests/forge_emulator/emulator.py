"""The forge emulator: one loopback HTTP server playing GitHub or GitLab over real bare git repositories.

A test drives it two ways: through the forge's REST API and git smart HTTP (what the bot and people's
tools do), and through the methods below, which play a person clicking in the forge's web UI.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .git_http import GitHttp
from .httpd import BadJson, EmulatorServer, Exchange, Faults, Request, Response
from .model import App, Comment, Event, Pull, Repo, Review, User
from .store import ApiError, Store, identity
from .webhooks import Delivery, WebhookSender


class Emulator:
    def __init__(self, kind: str, root: Path, webhook_url: str | None = None,
                 webhook_secret: str = "emulator-secret", port: int = 0) -> None:
        if kind not in ("github", "gitlab"):
            raise ValueError(f"unknown forge kind {kind!r}")
        self.kind = kind
        self.root = root
        self.store = Store(root)
        self.faults = Faults()
        self.exchanges: list[Exchange] = []
        self._server = EmulatorServer(self._dispatch, port)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.webhooks = WebhookSender(kind, self.base_url)
        self.webhooks.configure(webhook_url, webhook_secret)
        self.git_http = GitHttp(str(root / "repos"), self.store.repos.get, self.store.user_by_token,
                           self.store.refs_changed, self.store.lock)
        self.front: Any
        hooks: Any
        if kind == "github":
            from .github_api import GitHubApi, ratelimit_headers
            from .github_hooks import GitHubHooks

            self.front = GitHubApi(self.store, self.base_url)
            hooks = GitHubHooks(self.store, self.front.shapes)
            self._extra_headers = ratelimit_headers
        else:
            from .gitlab_api import GitLabApi
            from .gitlab_hooks import GitLabHooks

            self.front = GitLabApi(self.store, self.base_url)
            hooks = GitLabHooks(self.store, self.front.shapes)
            self._extra_headers = dict
        def announce(event: Event) -> None:
            for name, body in hooks.payloads(event):
                self.webhooks.send(name, body)

        self.store.listeners.append(announce)
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """What the client library takes as its base URL."""
        return f"{self.base_url}/api/v3" if self.kind == "github" else self.base_url

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="forge-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.webhooks.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------------------------
    def _dispatch(self, request: Request) -> Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            faulted = self.faults.respond(fault)
            if faulted is not None:
                self._record(request, None, faulted)
                return faulted
        git_response = self.git_http.handle(request)
        if git_response is not None:
            return git_response
        route = None
        try:
            request.user = self.front.authenticate(request)
            if request.user is None and self._has_credentials(request) and "/app/" not in request.path \
                    and not request.path.endswith("/installation"):
                raise ApiError(401, "Bad credentials" if self.kind == "github" else "401 Unauthorized")
            matched = self.front.router.match(request.method, request.path)
            if matched is None:
                raise ApiError(404, "Not Found" if self.kind == "github" else "404 Not Found")
            route, params = matched
            with self.store.lock:
                response: Response = route.handler(request, **params)
        except ApiError as err:
            response = self.front.error_response(err)
        except BadJson as err:
            response = self.front.error_response(ApiError(400, str(err)))
        except Exception as err:  # a bug in the emulator: answer 500 and keep serving
            response = Response.json(500, {"message": f"emulator error: {type(err).__name__}: {err}"})
        response.headers.update(self._extra_headers())
        self._record(request, route.template if route else None, response)
        return response

    def _has_credentials(self, request: Request) -> bool:
        return any(h in request.headers for h in ("authorization", "private-token", "job-token"))

    def _record(self, request: Request, route: str | None, response: Response) -> None:
        self.exchanges.append(Exchange(request.method, request.path, route, response.status, response.payload))

    # -- set-up ----------------------------------------------------------------------------------
    def add_user(self, login: str, token: str | None = None) -> User:
        return self.store.add_user(login, token)

    def user(self, login: str) -> User:
        return self.store.users[login]

    def create_repo(self, full_name: str, owner: str | User, default_branch: str = "main",
                    files: dict[str, str | bytes] | None = None) -> Repo:
        owner_user = owner if isinstance(owner, User) else self.store.users.get(owner) or self.add_user(owner)
        data = {name: v.encode() if isinstance(v, str) else v for name, v in (files or {}).items()}
        return self.store.create_repo(full_name, owner_user, default_branch, data or None)

    def grant(self, full_name: str, login: str, permission: str) -> None:
        """GitHub permission names (read, triage, write, maintain, admin); GitLab maps them to access levels."""
        self.store.repo(full_name).permissions[login] = permission

    def clone_url(self, full_name: str, login: str | None = None) -> str:
        if login is None:
            return f"{self.base_url}/{full_name}.git"
        token = self.store.users[login].token
        user = "x-access-token" if self.kind == "github" else "oauth2"
        return f"{self.base_url.replace('://', f'://{user}:{token}@')}/{full_name}.git"

    def register_app(self, app_id: int, public_key_pem: bytes, installation_id: int, repos: list[str],
                     slug: str = "porchbot") -> App:
        """A GitHub App installed on `repos`; its installation tokens act as `<slug>[bot]` with maintain."""
        bot = self.store.add_user(f"{slug}[bot]", user_type="Bot")
        app = App(app_id, slug, public_key_pem, installation_id, bot, list(repos))
        self.store.apps[app_id] = app
        for name in repos:
            self.grant(name, bot.login, "maintain")
        return app

    def configure_webhook(self, url: str | None, secret: str | None = None) -> None:
        self.webhooks.configure(url, secret)

    # -- a person in the web UI ------------------------------------------------------------------
    def commit_files(self, full_name: str, branch: str, files: dict[str, str | bytes], login: str,
                     message: str = "Edit files") -> str:
        """A commit made in the forge's web editor (creates the branch from the default branch if new)."""
        repo = self.store.repo(full_name)
        user = self.store.users[login]
        parent = repo.bare.resolve(f"refs/heads/{branch}") or repo.bare.resolve(f"refs/heads/{repo.default_branch}")
        data = {name: v.encode() if isinstance(v, str) else v for name, v in files.items()}
        sha = repo.bare.make_commit(data, parent, message + "\n", identity(user))
        self.store.set_ref(repo, f"refs/heads/{branch}", sha, user)
        return sha

    def open_pull(self, full_name: str, head: str, login: str, base: str | None = None, title: str = "A change",
                  body: str = "", draft: bool = False) -> Pull:
        repo = self.store.repo(full_name)
        return self.store.open_pull(repo, head, base or repo.default_branch, title, body, draft,
                                    self.store.users[login])

    def pull(self, full_name: str, number: int) -> Pull:
        return self.store.pull(self.store.repo(full_name), number)

    def set_draft(self, full_name: str, number: int, login: str, draft: bool) -> Pull:
        return self.store.update_pull(self.pull(full_name, number), self.store.users[login], draft=draft)

    def close(self, full_name: str, number: int, login: str) -> Pull:
        return self.store.update_pull(self.pull(full_name, number), self.store.users[login], state="closed")

    def reopen(self, full_name: str, number: int, login: str) -> Pull:
        return self.store.update_pull(self.pull(full_name, number), self.store.users[login], state="open")

    def merge(self, full_name: str, number: int, login: str) -> str:
        return self.store.merge_pull(self.pull(full_name, number), self.store.users[login], None, None)

    def comment(self, full_name: str, number: int, login: str, body: str) -> Comment:
        return self.store.add_comment(self.store.repo(full_name), number, body, self.store.users[login])

    def approve(self, full_name: str, number: int, login: str) -> Review:
        return self.store.add_review(self.pull(full_name, number), self.store.users[login], "APPROVED", "")

    def comments(self, full_name: str, number: int) -> list[Comment]:
        repo = self.store.repo(full_name)
        return [c for c in self.store.comments.values() if c.repo is repo and c.number == number]

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        return self.store.repo(full_name).bare.resolve(f"refs/heads/{branch}")

    def ref_target(self, full_name: str, ref: str) -> str | None:
        return self.store.repo(full_name).bare.ref_target(ref)

    def statuses(self, full_name: str, sha: str) -> list[Any]:
        return self.store.statuses_for(self.store.repo(full_name), sha)

    def pulls(self, full_name: str, head_branch: str | None = None) -> list[Pull]:
        """Every PR/MR of a repository (any state), oldest first; optionally only those from one branch."""
        return [p for p in self.store.pulls_of(self.store.repo(full_name))
                if head_branch is None or p.head_branch == head_branch]

    def check_runs(self, full_name: str, sha: str | None = None) -> list[Any]:
        return [run for repo, run in self.store.check_runs.values()
                if repo.full_name == full_name and (sha is None or run.head_sha == sha)]

    def file_at(self, full_name: str, ref: str, path: str) -> bytes | None:
        return self.store.repo(full_name).bare.read_file(ref, path)

    def git(self, full_name: str, *args: str) -> str:
        """Run git in the bare repository (log, show, tag --list, ...) and return its output."""
        return self.store.repo(full_name).bare.git(*args)

    # -- webhooks --------------------------------------------------------------------------------
    @property
    def deliveries(self) -> list[Delivery]:
        self.webhooks.drain()
        return list(self.webhooks.deliveries)

    def wait_for_webhook(self, event: str | None = None, action: str | None = None, count: int = 1,
                         timeout: float = 10.0, since: int = 0) -> list[Delivery]:
        return self.webhooks.wait_for(event, action, count, timeout, since)
