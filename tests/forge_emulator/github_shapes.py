"""GitHub v3 JSON shapes (REST responses and webhook parts), modelled on GitHub's OpenAPI description.

Every URL points back at the emulator (api under /api/v3, html at the root) so PyGithub can follow it.
"""

from __future__ import annotations

import base64
from typing import Any

from .model import CheckRun, Comment, Pull, Reaction, Repo, Review, Status, User


def node_id(prefix: str, number: int) -> str:
    return base64.b64encode(f"{prefix}{number}".encode()).decode()


class Shapes:
    def __init__(self, base_url: str) -> None:
        self.html = base_url
        self.api = base_url + "/api/v3"

    def user(self, user: User) -> dict[str, Any]:
        u = f"{self.api}/users/{user.login}"
        return {
            "login": user.login, "id": user.id, "node_id": node_id("U_", user.id),
            "avatar_url": f"{self.html}/avatars/u/{user.id}", "gravatar_id": "", "url": u,
            "html_url": f"{self.html}/{user.login}", "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}", "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs", "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}", "received_events_url": f"{u}/received_events",
            "type": user.type, "site_admin": False,
        }

    def public_user(self, user: User) -> dict[str, Any]:
        """GET /user: GitHub's public-user (what a token without the user scope sees)."""
        return {**self.user(user), "name": user.name, "company": None, "blog": "", "location": None,
                "email": user.email, "hireable": None, "bio": None, "twitter_username": None,
                "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
                "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}

    def repo_url(self, repo: Repo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    def repository(self, repo: Repo, pushed_at: str | None = None) -> dict[str, Any]:
        r = self.repo_url(repo)
        html = f"{self.html}/{repo.full_name}"
        urls = {
            "forks_url": f"{r}/forks", "keys_url": f"{r}/keys{{/key_id}}",
            "collaborators_url": f"{r}/collaborators{{/collaborator}}", "teams_url": f"{r}/teams",
            "hooks_url": f"{r}/hooks", "issue_events_url": f"{r}/issues/events{{/number}}",
            "events_url": f"{r}/events", "assignees_url": f"{r}/assignees{{/user}}",
            "branches_url": f"{r}/branches{{/branch}}", "tags_url": f"{r}/tags",
            "blobs_url": f"{r}/git/blobs{{/sha}}", "git_tags_url": f"{r}/git/tags{{/sha}}",
            "git_refs_url": f"{r}/git/refs{{/sha}}", "trees_url": f"{r}/git/trees{{/sha}}",
            "statuses_url": f"{r}/statuses/{{sha}}", "languages_url": f"{r}/languages",
            "stargazers_url": f"{r}/stargazers", "contributors_url": f"{r}/contributors",
            "subscribers_url": f"{r}/subscribers", "subscription_url": f"{r}/subscription",
            "commits_url": f"{r}/commits{{/sha}}", "git_commits_url": f"{r}/git/commits{{/sha}}",
            "comments_url": f"{r}/comments{{/number}}", "issue_comment_url": f"{r}/issues/comments{{/number}}",
            "contents_url": f"{r}/contents/{{+path}}", "compare_url": f"{r}/compare/{{base}}...{{head}}",
            "merges_url": f"{r}/merges", "archive_url": f"{r}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{r}/downloads", "issues_url": f"{r}/issues{{/number}}",
            "pulls_url": f"{r}/pulls{{/number}}", "milestones_url": f"{r}/milestones{{/number}}",
            "notifications_url": f"{r}/notifications{{?since,all,participating}}",
            "labels_url": f"{r}/labels{{/name}}", "releases_url": f"{r}/releases{{/id}}",
            "deployments_url": f"{r}/deployments",
        }
        return {
            "id": repo.id, "node_id": node_id("R_", repo.id), "name": repo.name, "full_name": repo.full_name,
            "private": False, "owner": self.user(repo.owner), "html_url": html, "description": None,
            "fork": False, "url": r, **urls,
            "created_at": repo.created_at, "updated_at": repo.created_at,
            "pushed_at": pushed_at or repo.created_at, "git_url": f"git://{self.html.split('://')[1]}/{repo.full_name}.git",
            "ssh_url": f"git@emulator:{repo.full_name}.git", "clone_url": f"{html}.git", "svn_url": html,
            "homepage": None, "size": 0, "stargazers_count": 0, "watchers_count": 0, "language": None,
            "has_issues": True, "has_projects": True, "has_downloads": True, "has_wiki": True,
            "has_pages": False, "has_discussions": False, "forks_count": 0, "mirror_url": None,
            "archived": False, "disabled": False, "open_issues_count": 0, "license": None,
            "allow_forking": True, "is_template": False, "web_commit_signoff_required": False,
            "topics": [], "visibility": "public", "forks": 0, "open_issues": 0, "watchers": 0,
            "default_branch": repo.default_branch,
        }

    def _branch_end(self, repo: Repo, branch: str, sha: str) -> dict[str, Any]:
        return {"label": f"{repo.namespace}:{branch}", "ref": branch, "sha": sha,
                "user": self.user(repo.owner), "repo": self.repository(repo)}

    def pull_request(self, pull: Pull, mergeable: bool | None) -> dict[str, Any]:
        repo = pull.repo
        r = self.repo_url(repo)
        p = f"{r}/pulls/{pull.number}"
        html = f"{self.html}/{repo.full_name}/pull/{pull.number}"
        base_sha = repo.bare.resolve(f"refs/heads/{pull.base_branch}") or pull.base_sha
        if pull.merged:
            state_word = "unknown"
        elif pull.draft:
            state_word = "draft"
        else:
            state_word = {True: "clean", False: "dirty", None: "unknown"}[mergeable]
        return {
            "url": p, "id": pull.id, "node_id": node_id("PR_", pull.id), "html_url": html,
            "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": f"{r}/issues/{pull.number}",
            "number": pull.number, "state": pull.state, "locked": False, "title": pull.title,
            "user": self.user(pull.author), "body": pull.body or None, "created_at": pull.created_at,
            "updated_at": pull.updated_at, "closed_at": pull.closed_at, "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha, "assignee": None, "assignees": [],
            "requested_reviewers": [], "requested_teams": [], "labels": self.labels(pull), "milestone": None,
            "draft": pull.draft, "commits_url": f"{p}/commits", "review_comments_url": f"{p}/comments",
            "review_comment_url": f"{r}/pulls/comments{{/number}}",
            "comments_url": f"{r}/issues/{pull.number}/comments", "statuses_url": f"{r}/statuses/{pull.head_sha}",
            "head": self._branch_end(repo, pull.head_branch, pull.head_sha),
            "base": self._branch_end(repo, pull.base_branch, base_sha),
            "_links": {
                "self": {"href": p}, "html": {"href": html}, "issue": {"href": f"{r}/issues/{pull.number}"},
                "comments": {"href": f"{r}/issues/{pull.number}/comments"},
                "review_comments": {"href": f"{p}/comments"},
                "review_comment": {"href": f"{r}/pulls/comments{{/number}}"},
                "commits": {"href": f"{p}/commits"}, "statuses": {"href": f"{r}/statuses/{pull.head_sha}"},
            },
            "author_association": "OWNER" if pull.author.login == repo.owner.login else "COLLABORATOR",
            "auto_merge": None, "active_lock_reason": None, "merged": pull.merged,
            "mergeable": mergeable, "rebaseable": mergeable, "mergeable_state": state_word,
            "merged_by": self.user(pull.merged_by) if pull.merged_by else None, "comments": 0,
            "review_comments": 0, "maintainer_can_modify": False, "commits": 1, "additions": 0,
            "deletions": 0, "changed_files": 0,
        }

    def labels(self, pull: Pull) -> list[dict[str, Any]]:
        r = self.repo_url(pull.repo)
        return [{"id": index + 1, "node_id": f"LA_{index + 1}", "url": f"{r}/labels/{name}", "name": name,
                 "color": "ededed", "default": False, "description": None}
                for index, name in enumerate(pull.labels)]

    def issue(self, pull: Pull, comment_count: int) -> dict[str, Any]:
        r = self.repo_url(pull.repo)
        i = f"{r}/issues/{pull.number}"
        html = f"{self.html}/{pull.repo.full_name}/pull/{pull.number}"
        return {
            "url": i, "repository_url": r, "labels_url": f"{i}/labels{{/name}}", "comments_url": f"{i}/comments",
            "events_url": f"{i}/events", "html_url": html, "id": pull.id + 1, "node_id": f"I_{pull.id}",
            "number": pull.number, "title": pull.title, "user": self.user(pull.author), "labels": self.labels(pull),
            "state": pull.state, "locked": False, "assignee": None, "assignees": [], "milestone": None,
            "comments": comment_count,
            "created_at": pull.created_at, "updated_at": pull.updated_at, "closed_at": pull.closed_at,
            "author_association": "COLLABORATOR", "active_lock_reason": None, "draft": pull.draft,
            "body": pull.body or None, "performed_via_github_app": None,
            "pull_request": {"url": f"{r}/pulls/{pull.number}", "html_url": html, "diff_url": f"{html}.diff",
                             "patch_url": f"{html}.patch", "merged_at": pull.merged_at},
            "reactions": {"url": f"{i}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                          "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
            "timeline_url": f"{i}/timeline", "state_reason": None,
        }

    def issue_comment(self, comment: Comment) -> dict[str, Any]:
        r = self.repo_url(comment.repo)
        return {
            "url": f"{r}/issues/comments/{comment.id}",
            "html_url": f"{self.html}/{comment.repo.full_name}/pull/{comment.number}#issuecomment-{comment.id}",
            "issue_url": f"{r}/issues/{comment.number}", "id": comment.id,
            "node_id": node_id("IC_", comment.id), "user": self.user(comment.author),
            "created_at": comment.created_at, "updated_at": comment.updated_at,
            "author_association": "COLLABORATOR", "body": comment.body, "performed_via_github_app": None,
            "reactions": self.reaction_rollup(comment),
        }

    def reaction_rollup(self, comment: Comment) -> dict[str, Any]:
        counts = {k: 0 for k in ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")}
        for reaction in comment.reactions:
            counts[reaction.content] = counts.get(reaction.content, 0) + 1
        return {"url": f"{self.repo_url(comment.repo)}/issues/comments/{comment.id}/reactions",
                "total_count": len(comment.reactions), **counts}

    def reaction(self, reaction: Reaction) -> dict[str, Any]:
        return {"id": reaction.id, "node_id": node_id("REA_", reaction.id), "user": self.user(reaction.user),
                "content": reaction.content, "created_at": reaction.created_at}

    def status(self, repo: Repo, status: Status) -> dict[str, Any]:
        return {
            "url": f"{self.repo_url(repo)}/statuses/{status.sha}", "avatar_url": None, "id": status.id,
            "node_id": node_id("SC_", status.id), "state": status.state, "description": status.description,
            "target_url": status.target_url, "context": status.context, "created_at": status.created_at,
            "updated_at": status.updated_at, "creator": self.user(status.creator),
        }

    def check_run(self, repo: Repo, run: CheckRun) -> dict[str, Any]:
        r = self.repo_url(repo)
        return {
            "id": run.id, "node_id": node_id("CR_", run.id), "head_sha": run.head_sha, "name": run.name,
            "url": f"{r}/check-runs/{run.id}", "html_url": f"{self.html}/{repo.full_name}/runs/{run.id}",
            "details_url": run.details_url, "status": run.status, "conclusion": run.conclusion,
            "started_at": run.started_at, "completed_at": run.completed_at, "external_id": run.external_id,
            "check_suite": {"id": run.id + 500000}, "app": None, "pull_requests": [],
            "output": {"title": run.title, "summary": run.summary, "text": run.text,
                       "annotations_count": len(run.annotations),
                       "annotations_url": f"{r}/check-runs/{run.id}/annotations"},
        }

    def review(self, pull: Pull, review: Review) -> dict[str, Any]:
        r = self.repo_url(pull.repo)
        html = f"{self.html}/{pull.repo.full_name}/pull/{pull.number}"
        return {
            "id": review.id, "node_id": node_id("PRR_", review.id), "user": self.user(review.user),
            "body": review.body, "state": review.state, "commit_id": review.commit_id,
            "html_url": f"{html}#pullrequestreview-{review.id}", "pull_request_url": f"{r}/pulls/{pull.number}",
            "_links": {"html": {"href": f"{html}#pullrequestreview-{review.id}"},
                       "pull_request": {"href": f"{r}/pulls/{pull.number}"}},
            "submitted_at": review.submitted_at, "author_association": "COLLABORATOR",
        }

    def git_ref(self, repo: Repo, ref: str, sha: str, object_type: str) -> dict[str, Any]:
        r = self.repo_url(repo)
        kind_url = "tags" if object_type == "tag" else "commits"
        return {"ref": ref, "node_id": node_id("REF_", abs(hash(ref)) % 10**9), "url": f"{r}/git/{ref}",
                "object": {"type": object_type, "sha": sha, "url": f"{r}/git/{kind_url}/{sha}"}}

    def error(self, message: str, status: int) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com/rest",
                                "status": str(status)}
        if status == 422:
            body["errors"] = [{"resource": "Issue", "code": "custom", "message": message}]
        return body
