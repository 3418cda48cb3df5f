"""Contract: what the emulator says must look like what GitHub and GitLab say.

- every GitHub REST body the emulator returned during a full scenario validates against GitHub's own
  OpenAPI description (../shared/fixtures/github/openapi-subset.json);
- every webhook it sent carries every field the bot reads (webhook_fields.py) with the types those fields
  have in the real deliveries (../shared/fixtures/{github,gitlab}/webhooks*), and GitHub's validate against
  GitHub's webhook schemas apart from "required" (the 2019-era fixtures lack newer fields too).
Skipped when ../shared is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import pytest

from bot.forges.models import Annotation
from tests.conftest import shared_path
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator

from .conftest import REPO, make_forge
from .webhook_fields import GITHUB_FIELDS, GITLAB_FIELDS

SCHEMA_ONLY = {"example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "readOnly",
               "writeOnly", "nullable"}


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a null type, OpenAPI-only keywords go."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: ({name: to_json_schema(s) for name, s in v.items()} if k == "properties" else to_json_schema(v))
           for k, v in node.items() if k not in SCHEMA_ONLY}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def run_scenario(emulator: Emulator) -> None:
    """Drive every route the adapters use (and the rest of the subset) through the libraries."""
    emulator.add_user("porchbot")
    emulator.grant(REPO, "porchbot", "maintain")
    emulator.add_user("alice")
    emulator.grant(REPO, "alice", "write")
    forge = make_forge(emulator, "porchbot")
    emulator.commit_files(REPO, "drafts/basens/v1", {"basens/Kptfile": "a: 1\n"}, "owner", "Create")
    pr = forge.open_pull_request("drafts/basens/v1", "main", "basens v1", "body", draft=True)
    forge.find_pull_request("drafts/basens/v1")
    forge.mark_ready(pr.number)
    forge.convert_to_draft(pr.number)
    forge.mark_ready(pr.number)
    emulator.commit_files(REPO, "drafts/basens/v1", {"basens/x.yaml": "b: 1\n"}, "owner", "Edit")
    head = forge.get_pull_request(pr.number).head_sha
    command = emulator.comment(REPO, pr.number, "alice", "/approve")
    forge.add_reaction(pr.number, command.id, "eyes")
    sticky = forge.create_comment(pr.number, "<!-- porchbot:status -->\nrendering")
    forge.edit_comment(pr.number, sticky.id, "<!-- porchbot:status -->\ndone")
    forge.list_comments(pr.number)
    forge.set_commit_status(head, "success", description="rendered")
    forge.get_combined_status(head)
    forge.create_check_run(head, "porchbot/render", "failure", "t", "s", [Annotation("basens/x.yaml", 1, "bad")])
    forge.list_check_runs(head, "porchbot/render")
    forge.current_user()
    emulator.approve(REPO, pr.number, "alice")
    forge.list_approvals(pr.number)
    forge.get_permission("alice")
    forge.get_file("basens/Kptfile", "drafts/basens/v1")
    forge.get_branch_head("main")
    merge = forge.merge_pull_request(pr.number, head, "Approving package revision basens/v1")
    forge.create_tag("basens/v1", merge.merge_commit_sha, "Approved by alice")
    forge.delete_branch("drafts/basens/v1")
    emulator.commit_files(REPO, "drafts/basens/v2", {"basens/Kptfile": "a: 2\n"}, "owner", "Create v2")
    second = forge.open_pull_request("drafts/basens/v2", "main", "basens v2", "", draft=False)
    forge.close_pull_request(second.number)
    if emulator.kind == "github":
        exercise_github_extras(emulator, second.number)


def exercise_github_extras(emulator: Emulator, number: int) -> None:
    """Subset operations the adapter does not call today, straight through PyGithub."""
    import github

    gh = github.Github(auth=github.Auth.Token(emulator.user("porchbot").token), base_url=emulator.api_url,
                       retry=None)
    repo = gh.get_repo(REPO)
    repo.get_pull(number).edit(state="open")  # reopen: a person's action, not the bot's
    issue = repo.get_issue(number)
    comment = issue.create_comment("temporary")
    list(comment.get_reactions())
    comment.delete()
    repo.get_branch("main")
    main = repo.get_git_ref("heads/main")
    list(repo.get_git_matching_refs("tags/"))
    repo.create_git_ref("refs/heads/scratch", main.object.sha)
    repo.get_git_ref("heads/scratch").edit(main.object.sha)
    tag_ref = repo.get_git_ref("tags/basens/v1")
    repo.get_git_tag(tag_ref.object.sha)
    commit = repo.get_commit(main.object.sha)
    list(commit.get_statuses())
    list(commit.get_check_runs())
    repo.get_contents("basens")
    gh.get_rate_limit()
    repo.get_issue(number).get_comment(issue.create_comment("kept").id)
    run = repo.get_check_run(next(iter(emulator.store.check_runs)))
    run.edit(output={"title": "t", "summary": "s", "annotations": []})
    alice = github.Github(auth=github.Auth.Token(emulator.user("alice").token), base_url=emulator.api_url,
                          retry=None)
    review = alice.get_repo(REPO).get_pull(number).create_review(event="APPROVE", body="fine")
    repo.get_pull(number).get_review(review.id)
    reacted = issue.create_comment("react here")
    reacted.delete_reaction(reacted.create_reaction("rocket").id)
    repo.get_git_commit(main.object.sha)
    exercise_github_app(emulator)


def exercise_github_app(emulator: Emulator) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from github import Auth, GithubIntegration

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    emulator.register_app(99, public, 990, [REPO])
    integration = GithubIntegration(auth=Auth.AppAuth(99, private), base_url=emulator.api_url, retry=None)
    installation = integration.get_repo_installation(*REPO.split("/"))
    integration.get_access_token(installation.id)


@pytest.fixture(scope="module", params=["github", "gitlab"])
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = start_emulator(request.param, tmp_path_factory.mktemp(request.param))
    run_scenario(emulator)
    emulator.webhooks.drain()
    yield emulator
    emulator.stop()


# -- REST responses ----------------------------------------------------------------------------------
@cache
def github_openapi() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(shared_path("fixtures", "github", "openapi-subset.json").read_text())
    return spec


def openapi_operation(path: str, method: str) -> tuple[str, dict[str, Any]] | None:
    """The OpenAPI path template and operation that a concrete /api/v3 request path falls under."""
    spec = github_openapi()
    best: tuple[int, str, dict[str, Any]] | None = None
    for template, operations in spec["paths"].items():
        operation = operations.get(method.lower())
        if operation is None:
            continue
        regex = re.sub(r"\{(ref|path)\}", r"(.+)", template)
        regex = re.sub(r"\{\w+\}", r"([^/]+)", regex)
        if re.fullmatch(regex, path):
            literal = len(re.sub(r"\{\w+\}", "", template))
            if best is None or literal > best[0]:
                best = (literal, template, operation)
    return (best[1], best[2]) if best else None


def response_schema(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    spec = github_openapi()
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response.get("content", {}).get("application/json")
    return content.get("schema") if content else None


def test_every_github_response_matches_the_openapi_description(scenario: Emulator) -> None:
    if scenario.kind != "github":
        pytest.skip("GitHub publishes an OpenAPI description; GitLab's shapes are checked by the adapter tests")
    components = to_json_schema(github_openapi()["components"])
    validated: set[str] = set()
    problems: list[str] = []
    for exchange in scenario.exchanges:
        if exchange.route is None or exchange.status >= 300:
            continue
        path = exchange.path.removeprefix("/api/v3")
        found = openapi_operation(path, exchange.method)
        if found is None:
            continue  # GraphQL, and routes outside the subset
        template, operation = found
        if str(exchange.status) not in operation["responses"]:
            problems.append(f"{exchange.method} {template}: status {exchange.status} is not documented")
            continue
        schema = response_schema(operation, exchange.status)
        if schema is not None:
            validator = jsonschema.Draft202012Validator({**to_json_schema(schema), "components": components})
            for error in validator.iter_errors(exchange.payload):
                problems.append(f"{exchange.method} {template}: {'/'.join(map(str, error.absolute_path))}: "
                                f"{error.message[:160]}")
        validated.add(operation["operationId"])
    assert not problems, "\n".join(sorted(set(problems)))
    documented = {op["operationId"] for ops in github_openapi()["paths"].values() for op in ops.values()
                  if isinstance(op, dict) and "operationId" in op}
    # Not emulated (the bot does not call them): labels, PR files/commits/check-if-merged, GET /app,
    # branch listing; statuses are listed through the /statuses/{sha} alias PyGithub uses.
    assert len(validated) >= 39, ", ".join(sorted(documented - validated))


# GET /user (`users/get-authenticated`) is not in the subset. GitHub's REST docs (users/users, "Get the
# authenticated user") answer one of private-user / public-user; a token without the user scope gets
# public-user: simple-user's fields plus these (types as documented there).
PUBLIC_USER_FIELDS: dict[str, Any] = {
    "name": {"type": ["string", "null"]}, "company": {"type": ["string", "null"]},
    "blog": {"type": ["string", "null"]}, "location": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]}, "hireable": {"type": ["boolean", "null"]},
    "bio": {"type": ["string", "null"]}, "twitter_username": {"type": ["string", "null"]},
    "public_repos": {"type": "integer"}, "public_gists": {"type": "integer"}, "followers": {"type": "integer"},
    "following": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
}


def test_github_current_user_matches_the_documented_public_user(scenario: Emulator) -> None:
    if scenario.kind != "github":
        pytest.skip("GitHub only")
    simple = to_json_schema(github_openapi()["components"]["schemas"]["simple-user"])
    required = [*simple["required"], *(f for f in PUBLIC_USER_FIELDS if f != "twitter_username")]
    schema = {**simple, "properties": {**simple["properties"], **PUBLIC_USER_FIELDS}, "required": required}
    answers = [e for e in scenario.exchanges if e.method == "GET" and e.route == "/api/v3/user" and e.status == 200]
    assert answers, "the scenario never asked GET /user"
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"{'/'.join(map(str, err.absolute_path))}: {err.message[:160]}"
                for answer in answers for err in validator.iter_errors(answer.payload)]
    assert not problems, "\n".join(problems)
    assert answers[0].payload["login"] == "porchbot"


# -- webhooks ----------------------------------------------------------------------------------------
def walk(payload: Any, dotted: str) -> tuple[bool, Any]:
    node = payload
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
            type(None): "null"}[type(value)]


def fixture_payloads(forge: str, event: str) -> list[dict[str, Any]]:
    root = shared_path("fixtures", forge)
    payloads = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("webhooks")):
        for file in sorted(folder.glob(f"{event}.*.json")):
            payload = json.loads(file.read_text())
            if forge == "github" or payload.get("object_kind") == event:
                payloads.append(payload)
    return payloads


def real_types(forge: str, event: str, dotted: str) -> set[str]:
    types = set()
    for payload in fixture_payloads(forge, event):
        present, value = walk(payload, dotted)
        if present:
            types.add(json_type(value))
    if "integer" in types:
        types.add("number")
    return types


def test_every_webhook_carries_the_fields_the_bot_reads(scenario: Emulator) -> None:
    fields = GITHUB_FIELDS if scenario.kind == "github" else GITLAB_FIELDS
    sent = scenario.deliveries
    events = {d.event for d in sent}
    assert set(fields) <= events, events
    problems = []
    for delivery in sent:
        for dotted in fields.get(delivery.event, ()):
            present, value = walk(delivery.payload, dotted)
            allowed = real_types(scenario.kind, delivery.event, dotted)
            if not allowed:
                problems.append(f"{delivery.event}: {dotted} is in no real fixture: fix webhook_fields.py")
            elif not present:
                problems.append(f"{delivery.event}/{delivery.action}: {dotted} missing")
            elif json_type(value) not in allowed and value is not None:
                problems.append(f"{delivery.event}/{delivery.action}: {dotted} is {json_type(value)}, real: {allowed}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_github_webhooks_match_githubs_webhook_schemas(scenario: Emulator) -> None:
    if scenario.kind != "github":
        pytest.skip("GitHub only")
    spec = json.loads(shared_path("fixtures", "github", "openapi-webhooks-subset.json").read_text())
    components = to_json_schema(spec["components"])
    problems, checked = [], 0
    for delivery in scenario.deliveries:
        name = delivery.event.replace("_", "-") + (f"-{delivery.action.replace('_', '-')}" if delivery.action else "")
        hook = spec["webhooks"].get(name)
        if hook is None:
            problems.append(f"no schema for {name}")
            continue
        schema = hook["post"]["requestBody"]["content"]["application/json"]["schema"]
        validator = jsonschema.Draft202012Validator({**to_json_schema(schema), "components": components})
        for error in validator.iter_errors(delivery.payload):
            if error.validator != "required":
                problems.append(f"{name}: {'/'.join(map(str, error.absolute_path))}: {error.message[:160]}")
        checked += 1
    assert not problems, "\n".join(sorted(set(problems)))
    assert checked >= 8


def test_webhook_signatures_verify(scenario: Emulator) -> None:
    import hashlib
    import hmac

    for delivery in scenario.deliveries:
        if scenario.kind == "github":
            expected = hmac.new(b"emulator-secret", delivery.body, hashlib.sha256).hexdigest()
            assert delivery.headers["X-Hub-Signature-256"] == f"sha256={expected}"
            assert delivery.headers["X-GitHub-Event"] == delivery.event
        else:
            assert delivery.headers["X-Gitlab-Token"] == "emulator-secret"
            assert delivery.headers["X-Gitlab-Event"].endswith(" Hook")
        assert json.loads(delivery.body) == delivery.payload
