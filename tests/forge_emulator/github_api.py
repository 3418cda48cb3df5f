"""GitHub v3 front end, part 1: authentication, pagination, pulls, merge, comments, reactions, reviews, GraphQL."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .github_shapes import Shapes, node_id
from .httpd import Request, Response, Router
from .model import Pull, Repo, User
from .store import ApiError, Store

PREFIX = "/api/v3"
REACTIONS = {"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}


def ratelimit_headers() -> dict[str, str]:
    return {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-used": "1",
            "x-ratelimit-reset": str(int(time.time()) + 3600), "x-ratelimit-resource": "core",
            "x-github-media-type": "github.v3; format=json"}


class GitHubApi:
    def __init__(self, store: Store, base_url: str) -> None:
        self.store = store
        self.shapes = Shapes(base_url)
        self.router = Router()
        self._routes()
        from .github_git import register_git_routes

        register_git_routes(self)

    # -- helpers used by both route modules ------------------------------------------------------
    def add(self, method: str, template: str, handler: Any) -> None:
        self.router.add(method, PREFIX + template, handler)

    def authenticate(self, request: Request) -> User | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() in ("token", "bearer") and token:
            return self.store.user_by_token(token.strip())
        return None

    def actor(self, request: Request) -> User:
        if request.user is None:
            raise ApiError(401, "Requires authentication")
        return request.user

    def repo(self, owner: str, repo: str) -> Repo:
        return self.store.repo(f"{owner}/{repo}")

    def paginate(self, request: Request, items: list[Any]) -> Response:
        per_page = max(1, min(100, int(request.query.get("per_page", "30"))))
        page = max(1, int(request.query.get("page", "1")))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []
        base = f"{self.shapes.html}{request.path}"
        others = "&".join(f"{k}={v}" for k, v in request.query.items() if k not in ("page", "per_page"))
        for rel, number in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
                query = f"{others + '&' if others else ''}per_page={per_page}&page={number}"
                links.append(f'<{base}?{query}>; rel="{rel}"')
        headers = {"Link": ", ".join(links)} if links else {}
        return Response.json(200, chunk, headers)

    def created(self, payload: dict[str, Any]) -> Response:
        return Response.json(201, payload, {"Location": payload.get("url", "")})

    def error_response(self, err: ApiError) -> Response:
        return Response.json(err.status, self.shapes.error(err.message, err.status), err.headers)

    def pull_json(self, pull: Pull) -> dict[str, Any]:
        return self.shapes.pull_request(pull, self.store.mergeable(pull))

    # -- routes ----------------------------------------------------------------------------------
    def _routes(self) -> None:
        self.add("GET", "/repos/{owner}/{repo}", self.get_repo)
        self.add("GET", "/repos/{owner}/{repo}/pulls", self.list_pulls)
        self.add("POST", "/repos/{owner}/{repo}/pulls", self.create_pull)
        self.add("GET", "/repos/{owner}/{repo}/pulls/{number}", self.get_pull)
        self.add("PATCH", "/repos/{owner}/{repo}/pulls/{number}", self.update_pull)
        self.add("PUT", "/repos/{owner}/{repo}/pulls/{number}/merge", self.merge_pull)
        self.add("GET", "/repos/{owner}/{repo}/pulls/{number}/reviews", self.list_reviews)
        self.add("POST", "/repos/{owner}/{repo}/pulls/{number}/reviews", self.create_review)
        self.add("GET", "/repos/{owner}/{repo}/pulls/{number}/reviews/{review_id}", self.get_review)
        self.add("GET", "/repos/{owner}/{repo}/issues/{number}", self.get_issue)
        self.add("POST", "/repos/{owner}/{repo}/issues/{number}/labels", self.add_labels)
        self.add("GET", "/repos/{owner}/{repo}/issues/{number}/comments", self.list_comments)
        self.add("POST", "/repos/{owner}/{repo}/issues/{number}/comments", self.create_comment)
        self.add("GET", "/repos/{owner}/{repo}/issues/comments/{cid}", self.get_comment)
        self.add("PATCH", "/repos/{owner}/{repo}/issues/comments/{cid}", self.edit_comment)
        self.add("DELETE", "/repos/{owner}/{repo}/issues/comments/{cid}", self.delete_comment)
        self.add("GET", "/repos/{owner}/{repo}/issues/comments/{cid}/reactions", self.list_reactions)
        self.add("POST", "/repos/{owner}/{repo}/issues/comments/{cid}/reactions", self.create_reaction)
        self.add("DELETE", "/repos/{owner}/{repo}/issues/comments/{cid}/reactions/{rid}", self.delete_reaction)
        self.add("GET", "/user", self.current_user)
        self.router.add("POST", "/api/graphql", self.graphql)

    def current_user(self, request: Request) -> Response:
        actor = self.actor(request)
        if actor.type == "Bot":  # GitHub: an installation token is no user
            raise ApiError(403, "Resource not accessible by integration")
        return Response.json(200, self.shapes.public_user(actor))

    def get_repo(self, request: Request, owner: str, repo: str) -> Response:
        full = {**self.shapes.repository(self.repo(owner, repo)), "network_count": 0, "subscribers_count": 0}
        return Response.json(200, full)

    def list_pulls(self, request: Request, owner: str, repo: str) -> Response:
        found = self.repo(owner, repo)
        state = request.query.get("state", "open")
        head = request.query.get("head")
        base = request.query.get("base")
        pulls = [p for p in self.store.pulls_of(found)
                 if (state == "all" or p.state == state)
                 and (head is None or f"{found.namespace}:{p.head_branch}" == head or p.head_branch == head)
                 and (base is None or p.base_branch == base)]
        pulls.sort(key=lambda p: p.number, reverse=True)
        return self.paginate(request, [self.pull_json(p) for p in pulls])

    def create_pull(self, request: Request, owner: str, repo: str) -> Response:
        body = request.json()
        head = str(body.get("head", "")).split(":")[-1]
        if not body.get("title") or not head or not body.get("base"):
            raise ApiError(422, "Validation Failed: title, head and base are required")
        pull = self.store.open_pull(self.repo(owner, repo), head, str(body["base"]), str(body["title"]),
                                    str(body.get("body") or ""), bool(body.get("draft")), self.actor(request))
        return self.created(self.pull_json(pull))

    def get_pull(self, request: Request, owner: str, repo: str, number: str) -> Response:
        return Response.json(200, self.pull_json(self.store.pull(self.repo(owner, repo), int(number))))

    def update_pull(self, request: Request, owner: str, repo: str, number: str) -> Response:
        body = request.json()
        pull = self.store.pull(self.repo(owner, repo), int(number))
        if body.get("state") not in (None, "open", "closed"):
            raise ApiError(422, "Validation Failed: state must be open or closed")
        self.store.update_pull(pull, self.actor(request), title=body.get("title"), body=body.get("body"),
                               state=body.get("state"))
        return Response.json(200, self.pull_json(pull))

    def merge_pull(self, request: Request, owner: str, repo: str, number: str) -> Response:
        body = request.json()
        pull = self.store.pull(self.repo(owner, repo), int(number))
        title = body.get("commit_title")
        message = f"{title}\n\n{body.get('commit_message', '')}".strip() if title else body.get("commit_message")
        sha = self.store.merge_pull(pull, self.actor(request), body.get("sha"), message)
        return Response.json(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})

    def list_reviews(self, request: Request, owner: str, repo: str, number: str) -> Response:
        pull = self.store.pull(self.repo(owner, repo), int(number))
        return self.paginate(request, [self.shapes.review(pull, r) for r in pull.reviews])

    def create_review(self, request: Request, owner: str, repo: str, number: str) -> Response:
        body = request.json()
        pull = self.store.pull(self.repo(owner, repo), int(number))
        state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(
            str(body.get("event", "COMMENT")))
        if state is None:
            raise ApiError(422, "Validation Failed: event")
        review = self.store.add_review(pull, self.actor(request), state, str(body.get("body") or ""))
        return Response.json(200, self.shapes.review(pull, review))

    def get_issue(self, request: Request, owner: str, repo: str, number: str) -> Response:
        found = self.repo(owner, repo)
        pull = self.store.pull(found, int(number))
        count = sum(1 for c in self.store.comments.values() if c.repo is found and c.number == pull.number)
        return Response.json(200, self.shapes.issue(pull, count))

    def add_labels(self, request: Request, owner: str, repo: str, number: str) -> Response:
        """GitHub takes a bare list of names or ``{"labels": [...]}``; it answers with all the labels."""
        pull = self.store.pull(self.repo(owner, repo), int(number))
        try:
            body = json.loads(request.body or b"[]")
        except ValueError:
            raise ApiError(400, "Problems parsing JSON") from None
        names = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ApiError(422, "Validation Failed: labels must be a list of names")
        self.store.add_labels(pull, self.actor(request), names)
        return Response.json(200, self.shapes.labels(pull))

    def get_review(self, request: Request, owner: str, repo: str, number: str, review_id: str) -> Response:
        pull = self.store.pull(self.repo(owner, repo), int(number))
        review = next((r for r in pull.reviews if r.id == int(review_id)), None)
        if review is None:
            raise ApiError(404, "Not Found")
        return Response.json(200, self.shapes.review(pull, review))

    def list_comments(self, request: Request, owner: str, repo: str, number: str) -> Response:
        found = self.repo(owner, repo)
        self.store.pull(found, int(number))
        comments = [c for c in self.store.comments.values() if c.repo is found and c.number == int(number)]
        return self.paginate(request, [self.shapes.issue_comment(c) for c in comments])

    def create_comment(self, request: Request, owner: str, repo: str, number: str) -> Response:
        body = request.json().get("body")
        if not isinstance(body, str) or not body:
            raise ApiError(422, "Validation Failed: body is missing")
        comment = self.store.add_comment(self.repo(owner, repo), int(number), body, self.actor(request))
        return self.created(self.shapes.issue_comment(comment))

    def get_comment(self, request: Request, owner: str, repo: str, cid: str) -> Response:
        return Response.json(200, self.shapes.issue_comment(self.store.comment(self.repo(owner, repo), int(cid))))

    def edit_comment(self, request: Request, owner: str, repo: str, cid: str) -> Response:
        comment = self.store.comment(self.repo(owner, repo), int(cid))
        body = request.json().get("body")
        if not isinstance(body, str) or not body:
            raise ApiError(422, "Validation Failed: body is missing")
        self.store.edit_comment(comment, body, self.actor(request))
        return Response.json(200, self.shapes.issue_comment(comment))

    def delete_comment(self, request: Request, owner: str, repo: str, cid: str) -> Response:
        self.store.delete_comment(self.store.comment(self.repo(owner, repo), int(cid)), self.actor(request))
        return Response(204)

    def list_reactions(self, request: Request, owner: str, repo: str, cid: str) -> Response:
        comment = self.store.comment(self.repo(owner, repo), int(cid))
        return self.paginate(request, [self.shapes.reaction(r) for r in comment.reactions])

    def create_reaction(self, request: Request, owner: str, repo: str, cid: str) -> Response:
        comment = self.store.comment(self.repo(owner, repo), int(cid))
        content = request.json().get("content")
        if content not in REACTIONS:
            raise ApiError(422, "Validation Failed: content is not a valid reaction")
        reaction, created = self.store.add_reaction(comment, str(content), self.actor(request))
        return Response.json(201 if created else 200, self.shapes.reaction(reaction))

    def delete_reaction(self, request: Request, owner: str, repo: str, cid: str, rid: str) -> Response:
        comment = self.store.comment(self.repo(owner, repo), int(cid))
        user = self.actor(request)
        kept = [r for r in comment.reactions if not (r.id == int(rid) and r.user.login == user.login)]
        if len(kept) == len(comment.reactions):
            raise ApiError(404, "Not Found")
        comment.reactions[:] = kept
        return Response(204)

    def graphql(self, request: Request) -> Response:
        """Just the two mutations PyGithub sends for ready-for-review and convert-to-draft."""
        body = request.json()
        query = str(body.get("query", ""))
        found = re.search(r"\b(markPullRequestReadyForReview|convertPullRequestToDraft)\s*\(", query)
        pr_id = (body.get("variables") or {}).get("input", {}).get("pullRequestId")
        if not found:
            return Response.json(200, {"errors": [{"type": "UNSUPPORTED", "message": "not emulated"}]})
        pull = next((p for p in self.store.pulls.values() if node_id("PR_", p.id) == pr_id), None)
        if pull is None:
            return Response.json(200, {"errors": [{"type": "NOT_FOUND", "message": f"No node {pr_id}"}]})
        self.store.update_pull(pull, self.actor(request), draft=found[1] == "convertPullRequestToDraft")
        mutation_id = (body.get("variables") or {}).get("input", {}).get("clientMutationId")
        return Response.json(200, {"data": {found[1]: {"clientMutationId": mutation_id,
                                                         "pullRequest": {"isDraft": pull.draft}}}})
