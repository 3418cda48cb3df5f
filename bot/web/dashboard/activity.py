"""Recent activity of a repository, read from its refs: who published which revision and when (the tag's
tagger, else the tagged commit's committer; the approval commit carries Porch's ``kpt:`` annotation), and who
last touched each draft, proposal and deletion proposal (its branch head)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.lifecycle.discovery import classify_ref
from bot.lifecycle.gitaccess import Git

_FORMAT = ("%(refname)%09%(taggername)%09%(taggeremail)%09%(taggerdate:unix)%09%(authorname)%09"
           "%(authoremail)%09%(committerdate:unix)%09%(*authorname)%09%(*committerdate:unix)%09%(contents:subject)")
_ACTIONS = {"tag": "published", "draft": "draft updated", "proposed": "proposed", "deletion": "deletion proposed"}


@dataclass(frozen=True)
class Activity:
    when: int  # unix time
    who: str
    action: str
    package_path: str
    label: str  # the published revision (vN) or the workspace
    subject: str
    ref: str


def read_activity(git: Git) -> list[Activity]:
    """Every ref's latest event, newest first (one ``for-each-ref``)."""
    output = git.run("for-each-ref", f"--format={_FORMAT}", "refs/tags", "refs/heads")
    found: list[Activity] = []
    for line in output.splitlines():
        fields = line.split("\t")
        if len(fields) < 10:
            continue
        ref, tagger, tagger_email, tagged, author, author_email, committed, peeled_author, peeled_date, subject = \
            fields[:10]
        parsed = classify_ref(ref)
        if parsed is None:
            continue
        kind, package_path, workspace, _number = parsed
        # A published revision's person is the approval commit's author (the tagger is the bot's identity).
        who = peeled_author or author or tagger or (tagger_email or author_email).strip("<>")
        when = tagged or committed or peeled_date
        found.append(Activity(int(when) if when.isdigit() else 0, who, _ACTIONS[kind], package_path, workspace,
                              subject, ref))
    found.sort(key=lambda activity: activity.when, reverse=True)
    return found
