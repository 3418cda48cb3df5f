"""GitHub v3 front end, part 2: refs, tags, contents, branches, statuses, check runs, permissions, apps."""

from __future__ import annotations

import base64
import secrets
import time
from typing import TYPE_CHECKING, Any

import jwt

from .gitops import Identity
from .httpd import Request, Response
from .model import CheckRun, Repo, now_iso
from .store import ApiError, identity

if TYPE_CHECKING:
    from .github_api import GitHubApi

STATES = {"error", "failure", "pending", "success"}
CONTENTS_LIMIT = 1024 * 1024  # the contents API inlines files up to 1 MiB


def register_git_routes(api: GitHubApi) -> None:
    store, shapes = api.store, api.shapes

    def ref_json(repo: Repo, ref: str) -> dict[str, Any]:
        sha = repo.bare.ref_target(ref)
        if sha is None:
            raise ApiError(404, "Not Found")
        return shapes.git_ref(repo, ref, sha, repo.bare.object_type(sha) or "commit")

    def get_ref(request: Request, owner: str, repo: str, ref: str) -> Response:
        return Response.json(200, ref_json(api.repo(owner, repo), f"refs/{ref}"))

    def matching_refs(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        names = sorted(r for r in found.bare.refs() if r.startswith(f"refs/{ref}"))
        return Response.json(200, [ref_json(found, name) for name in names])

    def create_ref(request: Request, owner: str, repo: str) -> Response:
        body = request.json()
        found, ref, sha = api.repo(owner, repo), str(body.get("ref", "")), str(body.get("sha", ""))
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
        store.require(found, api.actor(request), "write")
        store.create_ref(found, ref, sha, api.actor(request))
        return api.created(ref_json(found, ref))

    def update_ref(request: Request, owner: str, repo: str, ref: str) -> Response:
        body = request.json()
        found = api.repo(owner, repo)
        store.require(found, api.actor(request), "write")
        store.set_ref(found, f"refs/{ref}", str(body.get("sha")), api.actor(request), bool(body.get("force")))
        return Response.json(200, ref_json(found, f"refs/{ref}"))

    def delete_ref(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        store.require(found, api.actor(request), "write")
        store.delete_ref(found, f"refs/{ref}", api.actor(request))
        return Response(204)

    def tag_json(repo: Repo, sha: str) -> dict[str, Any]:
        if repo.bare.object_type(sha) != "tag":
            raise ApiError(404, "Not Found")
        raw = repo.bare.git("cat-file", "-p", sha)
        head, _, message = raw.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in head.splitlines())
        tagger_name, _, rest = fields["tagger"].partition(" <")
        email, _, stamp = rest.partition("> ")
        date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(stamp.split()[0])))
        r = shapes.repo_url(repo)
        return {"node_id": f"TAG_{sha[:12]}", "tag": fields["tag"], "sha": sha, "url": f"{r}/git/tags/{sha}",
                "message": message, "tagger": {"name": tagger_name, "email": email, "date": date},
                "object": {"type": fields["type"], "sha": fields["object"],
                           "url": f"{r}/git/commits/{fields['object']}"},
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                                 "verified_at": None}}

    def create_tag(request: Request, owner: str, repo: str) -> Response:
        body = request.json()
        found = api.repo(owner, repo)
        user = api.actor(request)
        store.require(found, user, "write")
        if found.bare.object_type(str(body.get("object", ""))) is None:
            raise ApiError(422, "Object does not exist")
        tagger = body.get("tagger") or {}
        who = identity(user)
        if tagger.get("name") and tagger.get("email"):
            who = Identity(str(tagger["name"]), str(tagger["email"]))
        sha = found.bare.make_tag(str(body.get("tag")), str(body["object"]), str(body.get("message", "")), who)
        return api.created(tag_json(found, sha))

    def get_tag(request: Request, owner: str, repo: str, sha: str) -> Response:
        return Response.json(200, tag_json(api.repo(owner, repo), sha))

    def get_branch(request: Request, owner: str, repo: str, branch: str) -> Response:
        found = api.repo(owner, repo)
        sha = found.bare.resolve(f"refs/heads/{branch}")
        if sha is None:
            raise ApiError(404, "Branch not found")
        r = shapes.repo_url(found)
        return Response.json(200, {"name": branch, "commit": commit_json(found, sha),
                                   "protected": False,
                                   "_links": {"self": f"{r}/branches/{branch}",
                                              "html": f"{shapes.html}/{found.full_name}/tree/{branch}"},
                                   "protection": {"enabled": False}, "protection_url": f"{r}/branches/{branch}/protection"})

    def content_json(repo: Repo, ref: str, path: str, kind: str, sha: str, data: bytes | None) -> dict[str, Any]:
        r = shapes.repo_url(repo)
        url = f"{r}/contents/{path}?ref={ref}"
        html = f"{shapes.html}/{repo.full_name}/blob/{ref}/{path}"
        git_url = f"{r}/git/{'trees' if kind == 'dir' else 'blobs'}/{sha}"
        entry: dict[str, Any] = {
            "type": kind, "encoding": "base64", "size": len(data or b""), "name": path.rsplit("/", 1)[-1],
            "path": path, "sha": sha, "url": url, "git_url": git_url, "html_url": html,
            "download_url": f"{shapes.html}/{repo.full_name}/raw/{ref}/{path}" if kind == "file" else None,
            "_links": {"self": url, "git": git_url, "html": html},
        }
        if data is not None and len(data) > CONTENTS_LIMIT:
            entry.update(content="", encoding="none")  # GitHub: fetch bigger files through the blobs API
        elif data is not None:
            entry["content"] = base64.encodebytes(data).decode()
        else:
            entry.pop("encoding")
        return entry

    def get_blob(request: Request, owner: str, repo: str, sha: str) -> Response:
        found = api.repo(owner, repo)
        if found.bare.object_type(sha) != "blob":
            raise ApiError(404, "Not Found")
        data = found.bare.git_bytes("cat-file", "blob", sha)
        return Response.json(200, {"sha": sha, "node_id": f"B_{sha[:16]}", "size": len(data),
                                   "url": f"{shapes.repo_url(found)}/git/blobs/{sha}",
                                   "content": base64.encodebytes(data).decode(), "encoding": "base64"})

    def get_content(request: Request, owner: str, repo: str, path: str) -> Response:
        found = api.repo(owner, repo)
        ref = request.query.get("ref", found.default_branch)
        path = path.strip("/")
        data = found.bare.read_file(ref, path)
        sha = found.bare.blob_sha(ref, path)
        if data is not None and sha is not None:
            return Response.json(200, content_json(found, ref, path, "file", sha, data))
        entries = found.bare.tree_entries(ref, path)
        if not entries:
            raise ApiError(404, "Not Found")
        return Response.json(200, [content_json(found, ref, f"{path}/{name}".lstrip("/"),
                                                "dir" if kind == "tree" else "file", sha, None)
                                   for kind, sha, name in entries])

    def create_status(request: Request, owner: str, repo: str, sha: str) -> Response:
        body = request.json()
        if body.get("state") not in STATES:
            raise ApiError(422, "Validation Failed: state is not included in the list")
        status = store.add_status(api.repo(owner, repo), sha, str(body["state"]),
                                  str(body.get("context") or "default"), body.get("description"),
                                  body.get("target_url"), api.actor(request))
        return api.created(shapes.status(api.repo(owner, repo), status))

    def statuses_for(found: Repo, ref: str) -> tuple[str, list[Any]]:
        sha = found.bare.resolve(ref)
        if sha is None:
            raise ApiError(404, f"No commit found for SHA: {ref}")
        return sha, store.statuses_for(found, sha)

    def list_statuses(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        _, statuses = statuses_for(found, ref)
        return api.paginate(request, [shapes.status(found, s) for s in statuses])

    def combined_status(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        sha, statuses = statuses_for(found, ref)
        latest: dict[str, Any] = {}
        for status in statuses:  # newest first: keep the first per context
            latest.setdefault(status.context, status)
        states = {s.state for s in latest.values()}
        state = ("failure" if states & {"failure", "error"} else "pending" if "pending" in states or not states
                 else "success")
        r = shapes.repo_url(found)
        return Response.json(200, {
            "state": state, "sha": sha, "total_count": len(latest),
            "statuses": [{k: v for k, v in shapes.status(found, s).items() if k != "creator"} for s in latest.values()],
            "repository": {k: v for k, v in shapes.repository(found).items() if k in MINIMAL_REPO_KEYS},
            "commit_url": f"{r}/commits/{sha}", "url": f"{r}/commits/{sha}/status"})

    def create_check_run(request: Request, owner: str, repo: str) -> Response:
        body = request.json()
        found = api.repo(owner, repo)
        output = body.get("output") or {}
        if not body.get("name") or not body.get("head_sha"):
            raise ApiError(422, "Validation Failed: name and head_sha are required")
        completed = body.get("conclusion") is not None or body.get("status") == "completed"
        run = CheckRun(id=store.next_id(), head_sha=str(body["head_sha"]), name=str(body["name"]),
                       status="completed" if completed else str(body.get("status", "queued")),
                       conclusion=body.get("conclusion"), title=output.get("title"),
                       summary=output.get("summary"), text=output.get("text"),
                       annotations=list(output.get("annotations") or []), external_id=body.get("external_id"),
                       details_url=body.get("details_url"), completed_at=now_iso() if completed else None)
        for note in run.annotations:
            if not {"path", "start_line", "end_line", "annotation_level", "message"} <= set(note):
                raise ApiError(422, "Validation Failed: annotation is missing a required field")
        store.add_check_run(found, run, api.actor(request))
        return api.created(shapes.check_run(found, run))

    def update_check_run(request: Request, owner: str, repo: str, run_id: str) -> Response:
        found, run = store.check_runs.get(int(run_id), (None, None))
        if run is None or found is None or found.full_name != f"{owner}/{repo}":
            raise ApiError(404, "Not Found")
        store.require(found, api.actor(request), "write")
        body = request.json()
        output = body.get("output") or {}
        run.title = output.get("title", run.title)
        run.summary = output.get("summary", run.summary)
        run.text = output.get("text", run.text)
        run.annotations.extend(output.get("annotations") or [])  # GitHub appends, it never replaces
        if body.get("conclusion"):
            run.conclusion, run.status, run.completed_at = body["conclusion"], "completed", now_iso()
        elif body.get("status"):
            run.status = str(body["status"])
        return Response.json(200, shapes.check_run(found, run))

    def get_check_run(request: Request, owner: str, repo: str, run_id: str) -> Response:
        found, run = store.check_runs.get(int(run_id), (None, None))
        if run is None or found is None or found.full_name != f"{owner}/{repo}":
            raise ApiError(404, "Not Found")
        return Response.json(200, shapes.check_run(found, run))

    def list_check_runs(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        sha = found.bare.resolve(ref) or ref
        name = request.query.get("check_name")
        runs = [shapes.check_run(found, run) for r, run in store.check_runs.values()
                if r is found and run.head_sha == sha and (name is None or run.name == name)]
        return Response.json(200, {"total_count": len(runs), "check_runs": runs})

    def annotations(request: Request, owner: str, repo: str, run_id: str) -> Response:
        _, run = store.check_runs.get(int(run_id), (None, None))
        if run is None:
            raise ApiError(404, "Not Found")
        return api.paginate(request, run.annotations)

    def permission(request: Request, owner: str, repo: str, username: str) -> Response:
        found = api.repo(owner, repo)
        user = store.users.get(username)
        if user is None:
            raise ApiError(404, f"{username} is not a user")
        level = found.permission(user)
        legacy = {"maintain": "write", "triage": "read"}.get(level, level)
        return Response.json(200, {"permission": legacy, "role_name": level,
                                   "user": {**shapes.user(user), "role_name": level}})

    def installation_for(request: Request, owner: str, repo: str) -> Response:
        app = app_from_jwt(request)
        if f"{owner}/{repo}" not in app.repos:
            raise ApiError(404, "Not Found")
        return Response.json(200, installation_json(app))

    def app_from_jwt(request: Request) -> Any:
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
            app = store.apps[int(claims["iss"])]
            jwt.decode(token, app.public_key_pem, algorithms=["RS256"], leeway=120)
        except (jwt.PyJWTError, KeyError, ValueError) as err:
            raise ApiError(401, f"A JSON web token could not be decoded ({type(err).__name__})") from err
        return app

    def installation_json(app: Any) -> dict[str, Any]:
        return {"id": app.installation_id, "app_id": app.id, "app_slug": app.slug, "target_id": app.bot.id,
                "target_type": "Organization", "single_file_name": None, "repository_selection": "selected",
                "access_tokens_url": f"{shapes.api}/app/installations/{app.installation_id}/access_tokens",
                "html_url": f"{shapes.html}/settings/installations/{app.installation_id}",
                "repositories_url": f"{shapes.api}/installation/repositories", "events": ["push", "pull_request"],
                "account": shapes.user(app.bot), "permissions": {"contents": "write", "pull_requests": "write"},
                "created_at": now_iso(), "updated_at": now_iso(), "suspended_by": None, "suspended_at": None}

    def access_token(request: Request, installation_id: str) -> Response:
        app = app_from_jwt(request)
        if app.installation_id != int(installation_id):
            raise ApiError(404, "Not Found")
        token = f"ghs_{secrets.token_hex(18)}"
        store.installation_tokens[token] = app
        store.token_expiry[token] = time.time() + store.app_token_ttl
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(store.token_expiry[token]))
        return api.created({"token": token, "expires_at": expires,
                            "permissions": {"contents": "write", "pull_requests": "write"},
                            "repository_selection": "selected"})

    def get_commit(request: Request, owner: str, repo: str, ref: str) -> Response:
        found = api.repo(owner, repo)
        sha = found.bare.resolve(ref)
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ref}")
        return Response.json(200, commit_json(found, sha))

    def commit_json(found: Repo, sha: str) -> dict[str, Any]:
        info = found.bare.commit_info(sha)
        r = shapes.repo_url(found)
        parents = found.bare.git("rev-list", "--parents", "-n", "1", sha).split()[1:]
        tree = found.bare.git("rev-parse", f"{sha}^{{tree}}").strip()
        person = {"name": info.author.name, "email": info.author.email, "date": info.timestamp}
        return {
            "url": f"{r}/commits/{sha}", "sha": sha, "node_id": f"C_{sha[:16]}",
            "html_url": f"{shapes.html}/{found.full_name}/commit/{sha}", "comments_url": f"{r}/commits/{sha}/comments",
            "commit": {"url": f"{r}/git/commits/{sha}", "author": person,
                       "committer": {**person, "name": info.committer.name, "email": info.committer.email},
                       "message": info.message.rstrip("\n"), "comment_count": 0,
                       "tree": {"sha": tree, "url": f"{r}/git/trees/{tree}"}},
            "author": None, "committer": None,
            "parents": [{"sha": p, "url": f"{r}/commits/{p}", "html_url": f"{shapes.html}/{found.full_name}/commit/{p}"}
                        for p in parents],
            "files": [file_json(found, sha, name, status) for status, names in
                      (("added", info.added), ("modified", info.modified), ("removed", info.removed))
                      for name in names]}

    def file_json(found: Repo, sha: str, name: str, status: str) -> dict[str, Any]:
        html = f"{shapes.html}/{found.full_name}"
        return {"sha": found.bare.blob_sha(sha, name) or "0" * 40, "filename": name, "status": status,
                "additions": 0, "deletions": 0, "changes": 0, "blob_url": f"{html}/blob/{sha}/{name}",
                "raw_url": f"{html}/raw/{sha}/{name}",
                "contents_url": f"{shapes.repo_url(found)}/contents/{name}?ref={sha}"}

    def get_git_commit(request: Request, owner: str, repo: str, sha: str) -> Response:
        found = api.repo(owner, repo)
        if found.bare.object_type(sha) != "commit":
            raise ApiError(404, "Not Found")
        full = commit_json(found, sha)
        r = shapes.repo_url(found)
        return Response.json(200, {
            "sha": sha, "node_id": full["node_id"], "url": f"{r}/git/commits/{sha}", "html_url": full["html_url"],
            "author": full["commit"]["author"], "committer": full["commit"]["committer"],
            "message": full["commit"]["message"], "tree": full["commit"]["tree"],
            "parents": [{"sha": p["sha"], "url": f"{r}/git/commits/{p['sha']}", "html_url": p["html_url"]}
                        for p in full["parents"]],
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None}})

    def rate_limit(request: Request) -> Response:
        core = {"limit": 5000, "remaining": 4999, "reset": int(time.time()) + 3600, "used": 1}
        return Response.json(200, {"resources": {"core": core, "search": core}, "rate": core})

    table = [
        ("GET", "/repos/{owner}/{repo}/git/ref/{ref+}", get_ref),
        ("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref+}", matching_refs),
        ("POST", "/repos/{owner}/{repo}/git/refs", create_ref),
        ("PATCH", "/repos/{owner}/{repo}/git/refs/{ref+}", update_ref),
        ("DELETE", "/repos/{owner}/{repo}/git/refs/{ref+}", delete_ref),
        ("POST", "/repos/{owner}/{repo}/git/tags", create_tag),
        ("GET", "/repos/{owner}/{repo}/git/tags/{sha}", get_tag),
        ("GET", "/repos/{owner}/{repo}/git/commits/{sha}", get_git_commit),
        ("GET", "/repos/{owner}/{repo}/git/blobs/{sha}", get_blob),
        ("GET", "/repos/{owner}/{repo}/branches/{branch+}", get_branch),
        ("GET", "/repos/{owner}/{repo}/contents/{path+}", get_content),
        ("POST", "/repos/{owner}/{repo}/statuses/{sha}", create_status),
        ("GET", "/repos/{owner}/{repo}/commits/{ref+}/statuses", list_statuses),
        ("GET", "/repos/{owner}/{repo}/statuses/{ref+}", list_statuses),  # the older alias PyGithub uses
        ("GET", "/repos/{owner}/{repo}/commits/{ref+}/status", combined_status),
        ("GET", "/repos/{owner}/{repo}/commits/{ref+}/check-runs", list_check_runs),
        ("POST", "/repos/{owner}/{repo}/check-runs", create_check_run),
        ("GET", "/repos/{owner}/{repo}/check-runs/{run_id}", get_check_run),
        ("PATCH", "/repos/{owner}/{repo}/check-runs/{run_id}", update_check_run),
        ("GET", "/repos/{owner}/{repo}/check-runs/{run_id}/annotations", annotations),
        ("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", permission),
        ("GET", "/repos/{owner}/{repo}/installation", installation_for),
        ("POST", "/app/installations/{installation_id}/access_tokens", access_token),
        ("GET", "/rate_limit", rate_limit),
        ("GET", "/repos/{owner}/{repo}/commits/{ref+}", get_commit),  # last: the routes above share its prefix
    ]
    for method, template, handler in table:
        api.add(method, template, handler)


MINIMAL_REPO_KEYS = {
    "id", "node_id", "name", "full_name", "owner", "private", "html_url", "description", "fork", "url",
    "archive_url", "assignees_url", "blobs_url", "branches_url", "collaborators_url", "comments_url",
    "commits_url", "compare_url", "contents_url", "contributors_url", "deployments_url", "downloads_url",
    "events_url", "forks_url", "git_commits_url", "git_refs_url", "git_tags_url", "hooks_url",
    "issue_comment_url", "issue_events_url", "issues_url", "keys_url", "labels_url", "languages_url",
    "merges_url", "milestones_url", "notifications_url", "pulls_url", "releases_url", "stargazers_url",
    "statuses_url", "subscribers_url", "subscription_url", "tags_url", "teams_url", "trees_url",
}
