"""GitLab v4 JSON shapes (REST responses and webhook parts), modelled on GitLab's API docs and deliveries."""

from __future__ import annotations

from typing import Any

from .model import GITLAB_LEVELS, Comment, Pull, Reaction, Repo, Status, User

DRAFT_PREFIXES = ("Draft:", "[Draft]", "(Draft)", "Draft ", "WIP:", "[WIP]")
EMOJI = {"+1": "thumbsup", "-1": "thumbsdown", "laugh": "laughing", "hooray": "tada"}


def split_draft(title: str) -> tuple[bool, str]:
    for prefix in DRAFT_PREFIXES:
        if title.lower().startswith(prefix.lower()):
            return True, title[len(prefix):].strip()
    return False, title


class Shapes:
    def __init__(self, base_url: str) -> None:
        self.html = base_url
        self.api = base_url + "/api/v4"

    def title(self, pull: Pull) -> str:
        return f"Draft: {pull.title}" if pull.draft else pull.title

    def user(self, user: User) -> dict[str, Any]:
        return {"id": user.id, "username": user.login, "name": user.name, "state": "active",
                "locked": False, "avatar_url": f"{self.html}/uploads/-/system/user/avatar/{user.id}/avatar.png",
                "web_url": f"{self.html}/{user.login}"}

    def project(self, repo: Repo) -> dict[str, Any]:
        web = f"{self.html}/{repo.full_name}"
        namespace = repo.namespace
        return {
            "id": repo.id, "description": None, "name": repo.name, "name_with_namespace": f"{namespace} / {repo.name}",
            "path": repo.name, "path_with_namespace": repo.full_name, "created_at": repo.created_at,
            "default_branch": repo.default_branch, "tag_list": [], "topics": [],
            "ssh_url_to_repo": f"git@emulator:{repo.full_name}.git", "http_url_to_repo": f"{web}.git",
            "web_url": web, "readme_url": None, "forks_count": 0, "avatar_url": None, "star_count": 0,
            "last_activity_at": repo.created_at, "visibility": "public",
            "namespace": {"id": repo.owner.id, "name": namespace, "path": namespace.rsplit("/", 1)[-1],
                          "kind": "group", "full_path": namespace, "parent_id": None, "avatar_url": None,
                          "web_url": f"{self.html}/groups/{namespace}"},
            "_links": {"self": f"{self.api}/projects/{repo.id}",
                       "merge_requests": f"{self.api}/projects/{repo.id}/merge_requests",
                       "repo_branches": f"{self.api}/projects/{repo.id}/repository/branches"},
        }

    def hook_project(self, repo: Repo) -> dict[str, Any]:
        """The `project` / `source` / `target` block of webhook payloads."""
        web = f"{self.html}/{repo.full_name}"
        return {"id": repo.id, "name": repo.name, "description": "", "web_url": web, "avatar_url": None,
                "git_ssh_url": f"git@emulator:{repo.full_name}.git", "git_http_url": f"{web}.git",
                "namespace": repo.namespace, "visibility_level": 20, "path_with_namespace": repo.full_name,
                "default_branch": repo.default_branch, "ci_config_path": "", "homepage": web,
                "url": f"{web}.git", "ssh_url": f"git@emulator:{repo.full_name}.git", "http_url": f"{web}.git"}

    def merge_request(self, pull: Pull, mergeable: bool | None) -> dict[str, Any]:
        repo = pull.repo
        state = "merged" if pull.merged else "opened" if pull.state == "open" else "closed"
        if pull.state != "open":
            detailed = "not_open"
        elif pull.draft:
            detailed = "draft_status"
        else:
            detailed = "mergeable" if mergeable else "broken_status" if mergeable is False else "checking"
        base = repo.bare.resolve(f"refs/heads/{pull.base_branch}") or pull.base_sha
        return {
            "id": pull.id, "iid": pull.number, "project_id": repo.id, "title": self.title(pull),
            "description": pull.body, "state": state, "created_at": pull.created_at,
            "updated_at": pull.updated_at, "merged_by": self.user(pull.merged_by) if pull.merged_by else None,
            "merge_user": self.user(pull.merged_by) if pull.merged_by else None, "merged_at": pull.merged_at,
            "closed_by": None, "closed_at": pull.closed_at if not pull.merged else None,
            "target_branch": pull.base_branch, "source_branch": pull.head_branch, "user_notes_count": 0,
            "upvotes": 0, "downvotes": 0, "author": self.user(pull.author), "assignees": [], "assignee": None,
            "reviewers": [], "source_project_id": repo.id, "target_project_id": repo.id, "labels": list(pull.labels),
            "draft": pull.draft, "work_in_progress": pull.draft, "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": {True: "can_be_merged", False: "cannot_be_merged", None: "unchecked"}[mergeable],
            "detailed_merge_status": detailed, "sha": pull.head_sha, "merge_commit_sha": pull.merge_commit_sha,
            "squash_commit_sha": None, "discussion_locked": None, "should_remove_source_branch": None,
            "force_remove_source_branch": False, "reference": f"!{pull.number}",
            "references": {"short": f"!{pull.number}", "relative": f"!{pull.number}",
                           "full": f"{repo.full_name}!{pull.number}"},
            "web_url": f"{self.html}/{repo.full_name}/-/merge_requests/{pull.number}",
            "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                           "human_total_time_spent": None},
            "squash": False, "task_completion_status": {"count": 0, "completed_count": 0},
            "has_conflicts": mergeable is False, "blocking_discussions_resolved": True,
            "diff_refs": {"base_sha": base, "head_sha": pull.head_sha, "start_sha": base},
        }

    def note(self, comment: Comment, pull: Pull) -> dict[str, Any]:
        return {"id": comment.id, "type": None, "body": comment.body, "attachment": None,
                "author": self.user(comment.author), "created_at": comment.created_at,
                "updated_at": comment.updated_at, "system": False, "noteable_id": pull.id,
                "noteable_type": "MergeRequest", "project_id": comment.repo.id, "noteable_iid": pull.number,
                "resolvable": False, "confidential": False, "internal": False}

    def award(self, reaction: Reaction, comment: Comment) -> dict[str, Any]:
        return {"id": reaction.id, "name": reaction.content, "user": self.user(reaction.user),
                "created_at": reaction.created_at, "updated_at": reaction.created_at,
                "awardable_id": comment.id, "awardable_type": "Note"}

    def status(self, status: Status, ref: str | None) -> dict[str, Any]:
        return {"id": status.id, "sha": status.sha, "ref": ref, "status": status.state, "name": status.context,
                "target_url": status.target_url, "description": status.description,
                "created_at": status.created_at, "started_at": None, "finished_at": status.updated_at,
                "allow_failure": False, "coverage": None, "author": self.user(status.creator)}

    def member(self, user: User, permission: str) -> dict[str, Any]:
        return {**self.user(user), "access_level": GITLAB_LEVELS[permission], "expires_at": None,
                "created_at": None, "membership_state": "active"}

    def commit(self, repo: Repo, sha: str) -> dict[str, Any]:
        info = repo.bare.commit_info(sha)
        parents = repo.bare.git("rev-list", "--parents", "-n", "1", sha).split()[1:]
        return {"id": sha, "short_id": sha[:8], "title": info.message.splitlines()[0] if info.message else "",
                "message": info.message, "author_name": info.author.name, "author_email": info.author.email,
                "authored_date": info.timestamp, "committer_name": info.committer.name,
                "committer_email": info.committer.email, "committed_date": info.timestamp,
                "created_at": info.timestamp, "parent_ids": parents, "trailers": {},
                "web_url": f"{self.html}/{repo.full_name}/-/commit/{sha}"}
