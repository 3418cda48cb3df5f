"""GitLab v4 front end: projects, merge requests (Draft by title prefix), merge with sha, notes, award emoji,
commit statuses, tags, branches, files, members, approvals."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from .gitlab_shapes import EMOJI, Shapes, split_draft
from .httpd import Handler, Request, Response, Router
from .model import Pull, Repo, User
from .store import ApiError, Store, identity

PREFIX = "/api/v4"
STATES = {"pending", "running", "success", "failed", "canceled", "skipped"}


class GitLabApi:
    def __init__(self, store: Store, base_url: str) -> None:
        self.store = store
        self.shapes = Shapes(base_url)
        self.router = Router()
        P, MR = "/projects/{project}", "/projects/{project}/merge_requests/{iid}"
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/user", self.current_user), ("GET", "/users", self.find_users),
            ("GET", P, self.get_project),
            ("GET", f"{P}/merge_requests", self.list_mrs), ("POST", f"{P}/merge_requests", self.create_mr),
            ("GET", MR, self.get_mr), ("PUT", MR, self.update_mr), ("PUT", f"{MR}/merge", self.merge_mr),
            ("GET", f"{MR}/notes", self.list_notes), ("POST", f"{MR}/notes", self.create_note),
            ("GET", f"{MR}/notes/{{note}}", self.get_note), ("PUT", f"{MR}/notes/{{note}}", self.edit_note),
            ("DELETE", f"{MR}/notes/{{note}}", self.delete_note),
            ("GET", f"{MR}/notes/{{note}}/award_emoji", self.list_awards),
            ("POST", f"{MR}/notes/{{note}}/award_emoji", self.create_award),
            ("GET", f"{MR}/approvals", self.approvals), ("POST", f"{MR}/approve", self.approve),
            ("POST", f"{P}/statuses/{{sha}}", self.create_status),
            ("GET", f"{P}/repository/commits/{{sha}}/statuses", self.list_statuses),
            ("GET", f"{P}/repository/commits/{{sha}}", self.get_commit),
            ("POST", f"{P}/repository/tags", self.create_tag), ("GET", f"{P}/repository/tags/{{tag}}", self.get_tag),
            ("DELETE", f"{P}/repository/tags/{{tag}}", self.delete_tag),
            ("GET", f"{P}/repository/branches/{{branch}}", self.get_branch),
            ("DELETE", f"{P}/repository/branches/{{branch}}", self.delete_branch),
            ("GET", f"{P}/repository/files/{{path}}/raw", self.raw_file),
            ("GET", f"{P}/repository/files/{{path}}", self.get_file),
            ("GET", f"{P}/members/all/{{user_id}}", self.member),
        ]
        for method, template, handler in table:
            self.router.add(method, PREFIX + template, handler)

    # -- helpers ---------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> User | None:
        token = request.headers.get("private-token") or request.headers.get("job-token")
        if token is None:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else None
        return self.store.user_by_token(token) if token else None

    def error_response(self, err: ApiError) -> Response:
        message = err.message if err.message[:3].isdigit() else f"{err.status} {err.message}"
        return Response.json(err.status, {"message": message}, err.headers)

    def actor(self, request: Request) -> User:
        if request.user is None:
            raise ApiError(401, "401 Unauthorized")
        return request.user

    def project(self, ident: str) -> Repo:
        repo = self.store.repo_by_id(int(ident)) if ident.isdigit() else self.store.repos.get(ident)
        if repo is None:
            raise ApiError(404, "404 Project Not Found")
        return repo

    def mr(self, project: str, iid: str) -> Pull:
        try:
            return self.store.pull(self.project(project), int(iid))
        except ApiError as err:
            raise ApiError(404, "404 Not found") from err

    def mr_json(self, pull: Pull) -> dict[str, Any]:
        return self.shapes.merge_request(pull, self.store.mergeable(pull))

    def paginate(self, request: Request, items: list[Any]) -> Response:
        per_page = max(1, min(100, int(request.query.get("per_page", "20"))))
        page = max(1, int(request.query.get("page", "1")))
        pages = max(1, -(-len(items) // per_page))
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                   "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages else "",
                   "X-Prev-Page": str(page - 1) if page > 1 else ""}
        if page < pages:
            others = "&".join(f"{k}={v}" for k, v in request.query.items() if k not in ("page", "per_page"))
            url = f"{self.shapes.html}{request.path}?{others + '&' if others else ''}page={page + 1}&per_page={per_page}"
            headers["Link"] = f'<{url}>; rel="next"'
        return Response.json(200, items[(page - 1) * per_page: page * per_page], headers)

    def note_of(self, pull: Pull, note: str) -> Any:
        comment = self.store.comments.get(int(note))
        if comment is None or comment.repo is not pull.repo or comment.number != pull.number:
            raise ApiError(404, "404 Note Not Found")
        return comment

    # -- users and projects ----------------------------------------------------------------------
    def current_user(self, request: Request) -> Response:
        return Response.json(200, self.shapes.user(self.actor(request)))

    def find_users(self, request: Request) -> Response:
        wanted = request.query.get("username")
        return Response.json(200, [self.shapes.user(u) for u in self.store.users.values()
                                   if wanted is None or u.login == wanted])

    def get_project(self, request: Request, project: str) -> Response:
        return Response.json(200, self.shapes.project(self.project(project)))

    def member(self, request: Request, project: str, user_id: str) -> Response:
        repo = self.project(project)
        user = self.store.user_by_id(int(user_id))
        if user is None or repo.permission(user) == "none":
            raise ApiError(404, "404 Not found")
        return Response.json(200, self.shapes.member(user, repo.permission(user)))

    # -- merge requests --------------------------------------------------------------------------
    def list_mrs(self, request: Request, project: str) -> Response:
        repo = self.project(project)
        state = request.query.get("state", "all")
        source, target = request.query.get("source_branch"), request.query.get("target_branch")
        pulls = [p for p in self.store.pulls_of(repo) if (source is None or p.head_branch == source)
                 and (target is None or p.base_branch == target)]
        names: dict[str, Callable[[Pull], bool]] = {"opened": lambda p: p.state == "open", "closed": lambda p: p.state == "closed" and not p.merged,
                 "merged": lambda p: p.merged, "all": lambda p: True}
        pulls = [p for p in pulls if names.get(state, names["all"])(p)]
        return self.paginate(request, [self.mr_json(p) for p in sorted(pulls, key=lambda p: -p.number)])

    def create_mr(self, request: Request, project: str) -> Response:
        repo = self.project(project)
        title, source, target = request.param("title"), request.param("source_branch"), request.param("target_branch")
        if not title or not source or not target:
            raise ApiError(400, "400 Bad request - title, source_branch and target_branch are required")
        draft, bare_title = split_draft(str(title))
        try:
            pull = self.store.open_pull(repo, str(source), str(target), bare_title,
                                        str(request.param("description") or ""), draft, self.actor(request))
        except ApiError as err:
            if err.status == 422 and "already exists" in err.message:
                raise ApiError(409, f'["Another open merge request already exists for this source branch: !{source}"]') from err
            raise
        return Response.json(201, self.mr_json(pull))

    def get_mr(self, request: Request, project: str, iid: str) -> Response:
        return Response.json(200, self.mr_json(self.mr(project, iid)))

    def update_mr(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        title, draft = request.param("title"), None
        if title is not None:
            draft, title = split_draft(str(title))
        if request.param("draft") is not None:
            draft = str(request.param("draft")).lower() in ("true", "1")
        event = request.param("state_event")
        state = {"close": "closed", "reopen": "open"}.get(str(event)) if event else None
        self.store.update_pull(pull, self.actor(request), title=title, body=request.param("description"),
                               state=state, draft=draft)
        labels = _label_names(request.param("labels")) + _label_names(request.param("add_labels"))
        if labels:  # GitLab replaces with `labels`; the bot only ever adds, so both add here
            self.store.add_labels(pull, self.actor(request), labels)
        return Response.json(200, self.mr_json(pull))

    def merge_mr(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        sha = request.param("sha")
        try:
            self.store.merge_pull(pull, self.actor(request), sha, request.param("merge_commit_message"))
        except ApiError as err:
            if err.status == 409:
                raise ApiError(409, f"SHA does not match HEAD of source branch: {pull.head_sha}") from err
            if err.status == 405 and pull.state == "open" and not pull.draft:
                raise ApiError(422, "Branch cannot be merged") from err
            if err.status == 405:
                raise ApiError(405, "405 Method Not Allowed") from err
            raise
        if str(request.param("should_remove_source_branch")).lower() == "true":
            self.store.delete_ref(pull.repo, f"refs/heads/{pull.head_branch}", self.actor(request))
        return Response.json(200, self.mr_json(pull))

    def approvals(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        approvers = {r.user.login: r.user for r in pull.reviews if r.state == "APPROVED"}
        return Response.json(200, {
            "id": pull.id, "iid": pull.number, "project_id": pull.repo.id, "title": self.shapes.title(pull),
            "state": "opened" if pull.state == "open" else "closed", "created_at": pull.created_at,
            "updated_at": pull.updated_at, "merge_status": "can_be_merged", "approved": bool(approvers),
            "approvals_required": 0, "approvals_left": 0,
            "approved_by": [{"user": self.shapes.user(u)} for u in approvers.values()]})

    def approve(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        sha = request.param("sha")
        if sha and sha != pull.head_sha:
            raise ApiError(409, "SHA does not match HEAD of source branch")
        try:
            self.store.add_review(pull, self.actor(request), "APPROVED", "")
        except ApiError as err:
            raise ApiError(401, "401 Unauthorized") from err
        return self.approvals(request, project, iid)

    # -- notes and award emoji -------------------------------------------------------------------
    def list_notes(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        notes = [self.shapes.note(c, pull) for c in self.store.comments.values()
                 if c.repo is pull.repo and c.number == pull.number]
        if request.query.get("sort", "desc") == "desc":
            notes.reverse()  # GitLab lists newest first unless asked otherwise
        return self.paginate(request, notes)

    def create_note(self, request: Request, project: str, iid: str) -> Response:
        pull = self.mr(project, iid)
        body = request.param("body")
        if not body:
            raise ApiError(400, "400 Bad request - body is missing")
        comment = self.store.add_comment(pull.repo, pull.number, str(body), self.actor(request))
        return Response.json(201, self.shapes.note(comment, pull))

    def get_note(self, request: Request, project: str, iid: str, note: str) -> Response:
        pull = self.mr(project, iid)
        return Response.json(200, self.shapes.note(self.note_of(pull, note), pull))

    def edit_note(self, request: Request, project: str, iid: str, note: str) -> Response:
        pull = self.mr(project, iid)
        comment = self.note_of(pull, note)
        self.store.edit_comment(comment, str(request.param("body") or ""), self.actor(request))
        return Response.json(200, self.shapes.note(comment, pull))

    def delete_note(self, request: Request, project: str, iid: str, note: str) -> Response:
        pull = self.mr(project, iid)
        self.store.delete_comment(self.note_of(pull, note), self.actor(request))
        return Response(204)

    def list_awards(self, request: Request, project: str, iid: str, note: str) -> Response:
        comment = self.note_of(self.mr(project, iid), note)
        return self.paginate(request, [self.shapes.award(r, comment) for r in comment.reactions])

    def create_award(self, request: Request, project: str, iid: str, note: str) -> Response:
        comment = self.note_of(self.mr(project, iid), note)
        name = str(request.param("name") or "")
        if not name:
            raise ApiError(400, "400 Bad request - name is missing")
        reaction, created = self.store.add_reaction(comment, EMOJI.get(name, name), self.actor(request))
        if not created:
            raise ApiError(404, "404 Award Emoji Name has already been taken")
        return Response.json(201, self.shapes.award(reaction, comment))

    # -- statuses, commits -----------------------------------------------------------------------
    def create_status(self, request: Request, project: str, sha: str) -> Response:
        repo = self.project(project)
        state = request.param("state")
        if state not in STATES:
            raise ApiError(400, "400 Bad request - state does not have a valid value")
        name = request.param("name") or request.param("context") or "default"
        latest = next((s for s in self.store.statuses_for(repo, repo.bare.resolve(sha) or sha)
                       if s.context == name), None)
        if latest is not None and latest.state == state and state in ("pending", "running"):
            # GitLab's status state machine has no pending → pending or running → running edge.
            verb = "enqueue" if state == "pending" else "run"
            raise ApiError(400, f"Cannot transition status via :{verb} from :{state} "
                                f'(Reason(s): Status cannot transition via "{verb}")')
        status = self.store.add_status(repo, sha, str(state), str(name), request.param("description"),
                                       request.param("target_url"), self.actor(request))
        return Response.json(201, self.shapes.status(status, request.param("ref")))

    def list_statuses(self, request: Request, project: str, sha: str) -> Response:
        repo = self.project(project)
        resolved = repo.bare.resolve(sha)
        if resolved is None:
            raise ApiError(404, "404 Commit Not Found")
        statuses = self.store.statuses_for(repo, resolved)
        return self.paginate(request, [self.shapes.status(s, None) for s in statuses])

    def get_commit(self, request: Request, project: str, sha: str) -> Response:
        repo = self.project(project)
        resolved = repo.bare.resolve(sha)
        if resolved is None:
            raise ApiError(404, "404 Commit Not Found")
        return Response.json(200, self.shapes.commit(repo, resolved))

    # -- tags, branches, files -------------------------------------------------------------------
    def tag_json(self, repo: Repo, name: str) -> dict[str, Any]:
        target = repo.bare.ref_target(f"refs/tags/{name}")
        if target is None:
            raise ApiError(404, "404 Tag Not Found")
        commit = repo.bare.resolve(target) or target
        message = ""
        if repo.bare.object_type(target) == "tag":
            message = repo.bare.git("cat-file", "-p", target).partition("\n\n")[2].rstrip("\n")
        return {"name": name, "message": message, "target": target, "commit": self.shapes.commit(repo, commit),
                "release": None, "protected": False, "created_at": None}

    def create_tag(self, request: Request, project: str) -> Response:
        repo = self.project(project)
        user = self.actor(request)
        self.store.require(repo, user, "write")
        name, ref, message = request.param("tag_name"), request.param("ref"), request.param("message")
        sha = repo.bare.resolve(str(ref)) if ref else None
        if not name or sha is None:
            raise ApiError(400, "400 Bad request - Target ref is invalid")
        if repo.bare.ref_target(f"refs/tags/{name}"):
            raise ApiError(400, f"Tag {name} already exists")
        target = repo.bare.make_tag(str(name), sha, str(message), identity(user)) if message else sha
        self.store.create_ref(repo, f"refs/tags/{name}", target, user)
        return Response.json(201, self.tag_json(repo, str(name)))

    def get_tag(self, request: Request, project: str, tag: str) -> Response:
        return Response.json(200, self.tag_json(self.project(project), tag))

    def delete_tag(self, request: Request, project: str, tag: str) -> Response:
        repo = self.project(project)
        self.store.require(repo, self.actor(request), "maintain")
        self.tag_json(repo, tag)
        self.store.delete_ref(repo, f"refs/tags/{tag}", self.actor(request))
        return Response(204)

    def get_branch(self, request: Request, project: str, branch: str) -> Response:
        repo = self.project(project)
        sha = repo.bare.resolve(f"refs/heads/{branch}")
        if sha is None:
            raise ApiError(404, "404 Branch Not Found")
        return Response.json(200, {"name": branch, "merged": False, "protected": False, "default": branch == repo.default_branch,
                                   "developers_can_push": True, "developers_can_merge": True, "can_push": True,
                                   "web_url": f"{self.shapes.html}/{repo.full_name}/-/tree/{branch}",
                                   "commit": self.shapes.commit(repo, sha)})

    def delete_branch(self, request: Request, project: str, branch: str) -> Response:
        repo = self.project(project)
        self.store.require(repo, self.actor(request), "write")
        if repo.bare.resolve(f"refs/heads/{branch}") is None:
            raise ApiError(404, "404 Branch Not Found")
        self.store.delete_ref(repo, f"refs/heads/{branch}", self.actor(request))
        return Response(204)

    def _file(self, request: Request, project: str, path: str) -> tuple[Repo, str, bytes]:
        repo = self.project(project)
        ref = request.query.get("ref") or repo.default_branch
        data = repo.bare.read_file(ref, path)
        if data is None:
            raise ApiError(404, "404 File Not Found")
        return repo, ref, data

    def raw_file(self, request: Request, project: str, path: str) -> Response:
        _, _, data = self._file(request, project, path)
        return Response(200, data, {"Content-Type": "text/plain; charset=utf-8"})

    def get_file(self, request: Request, project: str, path: str) -> Response:
        repo, ref, data = self._file(request, project, path)
        commit = repo.bare.resolve(ref) or ""
        return Response.json(200, {"file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data),
                                   "encoding": "base64", "content": base64.b64encode(data).decode(),
                                   "content_sha256": "", "ref": ref, "blob_id": repo.bare.blob_sha(ref, path),
                                   "commit_id": commit, "last_commit_id": commit})


def _label_names(value: object) -> list[str]:
    """GitLab's label parameters: a comma-separated string (or a JSON list)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]
