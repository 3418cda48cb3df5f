"""The webhook fields the bot reads, per event: the contract between the emulator, the real deliveries in
../shared/fixtures and the payload parsers. A parser that starts reading a new field adds it here first.

Paths are dotted; `[]` is not supported on purpose: lists are read as a whole (`commits`).
"""

from __future__ import annotations

GITHUB_COMMON = (
    "repository.id", "repository.full_name", "repository.name", "repository.owner.login",
    "repository.clone_url", "repository.default_branch", "repository.html_url", "sender.login", "sender.type",
    "sender.id",
)

GITHUB_REVIEWED_PULL = (
    "pull_request.number", "pull_request.state", "pull_request.draft",
    "pull_request.title", "pull_request.body", "pull_request.html_url", "pull_request.user.login",
    "pull_request.user.type", "pull_request.head.ref", "pull_request.head.sha", "pull_request.head.repo.full_name",
    "pull_request.base.ref", "pull_request.base.sha", "pull_request.base.repo.full_name",
)

# Review events carry a smaller pull request: no merge fields.
GITHUB_PULL = (*GITHUB_REVIEWED_PULL, "pull_request.merged", "pull_request.merge_commit_sha",
               "pull_request.merged_by")

GITHUB_FIELDS: dict[str, tuple[str, ...]] = {
    "push": (*GITHUB_COMMON, "ref", "before", "after", "created", "deleted", "forced", "pusher.name",
             "head_commit", "commits"),
    "create": (*GITHUB_COMMON, "ref", "ref_type"),
    "delete": (*GITHUB_COMMON, "ref", "ref_type"),
    "pull_request": (*GITHUB_COMMON, "action", "number", *GITHUB_PULL),
    "issue_comment": (
        *GITHUB_COMMON, "action", "issue.number", "issue.state", "issue.user.login", "issue.pull_request",
        "issue.pull_request.html_url", "comment.id", "comment.body", "comment.user.login", "comment.user.type",
        "comment.html_url", "comment.created_at",
    ),
    "pull_request_review": (*GITHUB_COMMON, "action", "review.id", "review.state", "review.user.login",
                            "review.commit_id", *GITHUB_REVIEWED_PULL),
}

GITLAB_PROJECT = (
    "object_kind", "project.id", "project.path_with_namespace", "project.git_http_url", "project.web_url",
    "project.default_branch",
)

GITLAB_MR = (
    "iid", "state", "title", "description", "source_branch", "target_branch", "source_project_id",
    "target_project_id", "last_commit.id", "work_in_progress", "draft", "url",
)

GITLAB_FIELDS: dict[str, tuple[str, ...]] = {
    "push": (*GITLAB_PROJECT, "ref", "before", "after", "checkout_sha", "user_id", "user_username", "user_name",
             "total_commits_count", "commits"),
    "tag_push": (*GITLAB_PROJECT, "ref", "before", "after", "checkout_sha", "user_id", "user_username"),
    "merge_request": (
        *GITLAB_PROJECT, "user.username", "user.id", "changes",
        *(f"object_attributes.{f}" for f in (*GITLAB_MR, "action", "author_id", "merge_status",
                                             "detailed_merge_status", "merge_commit_sha")),
    ),
    "note": (
        *GITLAB_PROJECT, "user.username", "user.id", "object_attributes.id", "object_attributes.note",
        "object_attributes.noteable_type", "object_attributes.author_id", "object_attributes.url",
        "object_attributes.system", "object_attributes.created_at",
        *(f"merge_request.{f}" for f in GITLAB_MR),
    ),
}
