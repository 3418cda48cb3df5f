"""Issue 6 point 5: a corpus of bad input, one case per row. Each row asserts a clear refusal, no
traceback, and bounded memory (tracemalloc's peak in-process; the server's peak RSS over HTTP).

Edge rows go to a real `porchbot serve` over HTTP; render rows go through the bot's own render step
(policy preflight, then the engine); name rows through the validators every entry point shares.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config.policy import parse_config
from bot.errors import InvalidInput
from bot.handlers.context import BotContext
from bot.handlers.sandboxed_render import render_in_sandbox
from bot.handlers.slash import parse_comment
from bot.lifecycle import naming
from bot.render.render_types import RenderOutcome
from tests.ops.processes import porchbot, stop, wait_healthy
from tests.ops.redis_server import free_port

pytestmark = pytest.mark.timeout(300)
SECRET = "corpus-secret"
MiB = 1024 * 1024
SERVER_PEAK_RSS = 400 * MiB  # the 25 MB body cap keeps one delivery's cost bounded
IN_PROCESS_PEAK = 64 * MiB


# -- the web edge ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path

    def peak_rss(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("corpus")
    (root / "config").mkdir()
    (root / "config" / "porchbot.yaml").write_text("render:\n  runtime: builtin\n")
    port = free_port()
    env = {"PORCHBOT_STATE_DIR": str(root / "state"), "PORCHBOT_CONFIG_DIR": str(root / "config"),
           "PORCHBOT_GITHUB_WEBHOOK_SECRET": SECRET, "PORCHBOT_GITLAB_WEBHOOK_SECRET": SECRET}
    log = root / "serve.log"
    proc = porchbot(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"], env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield Server(url, proc.pid, log)
        assert proc.poll() is None, "the server died"
    finally:
        stop(proc)
    text = log.read_text()
    assert "Traceback" not in text and SECRET not in text


def _post(server: Server, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(server.url + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read().decode()


def _github(event: str, body: bytes, delivery: str, content_type: str = "application/json") -> dict[str, str]:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature}


REPOSITORY = {"full_name": "acme/unregistered", "clone_url": "https://forge.example/acme/unregistered.git"}
COMMENT = {"action": "created", "issue": {"number": 1, "pull_request": {}}, "repository": REPOSITORY,
           "sender": {"login": "eve"}}


@dataclass(frozen=True)
class EdgeRow:
    body: Callable[[], bytes]
    event: str = "push"
    content_type: str = "application/json"
    status: int = 400
    says: str = ""
    forge: str = "github"


EDGE_ROWS = {
    "not-json": EdgeRow(lambda: b"{this is not json", says="malformed delivery"),
    "json-but-an-array": EdgeRow(lambda: b"[1, 2, 3]", says="not a JSON object"),
    "push-event-with-a-pull-request-body": EdgeRow(
        lambda: json.dumps({"action": "opened", "pull_request": {"number": 1}, "repository": REPOSITORY}).encode(),
        says="payload has no `ref`"),
    "comment-body-of-the-wrong-type": EdgeRow(
        lambda: json.dumps({**COMMENT, "comment": {"id": 1, "body": {"nested": True}}}).encode(),
        event="issue_comment", says="`comment.body` has the wrong type"),
    "wrong-content-type": EdgeRow(lambda: b"ref=refs/heads/main", content_type="text/plain", status=415,
                                  says="unsupported content type"),
    "form-body-without-payload": EdgeRow(lambda: b"x=1", content_type="application/x-www-form-urlencoded",
                                         says="no `payload` field"),
    "unknown-event-name": EdgeRow(lambda: b"{}", event="marketplace_purchase", status=200, says="not acted on"),
    "gitlab-unknown-event": EdgeRow(lambda: b"{}", event="Wiki Page Hook", status=200, says="not acted on",
                                    forge="gitlab"),
    "gitlab-not-json": EdgeRow(lambda: b"\xff\xfe", event="Push Hook", says="malformed delivery", forge="gitlab"),
    "ten-megabyte-comment": EdgeRow(
        lambda: json.dumps({**COMMENT, "comment": {"id": 2, "body": "/approve\n" + "x" * (10 * MiB),
                                                   "user": {"login": "eve"}}}).encode(),
        event="issue_comment", status=202, says="queued"),
    "body-over-25-megabytes": EdgeRow(lambda: b" " * (26 * MiB), status=413, says="payload too large"),
}


@pytest.mark.parametrize("row", [pytest.param(row, id=name) for name, row in EDGE_ROWS.items()])
def test_the_edge_refuses_bad_deliveries(server: Server, row: EdgeRow) -> None:
    body = row.body()
    delivery = hashlib.sha256(body + row.event.encode()).hexdigest()[:32]
    if row.forge == "github":
        status, text = _post(server, "/webhooks/github", body, _github(row.event, body, delivery, row.content_type))
    else:
        status, text = _post(server, "/webhooks/gitlab", body, {
            "Content-Type": row.content_type, "X-Gitlab-Event": row.event, "X-Gitlab-Token": SECRET,
            "Idempotency-Key": delivery})
    assert status == row.status, text
    assert row.says in json.loads(text)["message"] + json.loads(text).get("reason", "")
    assert "Traceback" not in text
    assert server.peak_rss() < SERVER_PEAK_RSS


def test_a_replayed_delivery_id_is_done_once(server: Server) -> None:
    body = json.dumps({"ref": "refs/heads/drafts/app/v1", "before": "0" * 40, "after": "1" * 40,
                       "repository": REPOSITORY, "sender": {"login": "dev"}}).encode()
    first = _post(server, "/webhooks/github", body, _github("push", body, "replayed-delivery"))
    again = _post(server, "/webhooks/github", body, _github("push", body, "replayed-delivery"))
    assert first[0] == 202 and again[0] == 200 and "duplicate delivery" in again[1]


def test_bad_signatures_are_refused(server: Server) -> None:
    body = b"{}"
    assert _post(server, "/webhooks/github", body, {"X-GitHub-Event": "push"})[0] == 401
    bad = {**_github("push", body, "d-bad"), "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert _post(server, "/webhooks/github", body, bad)[0] == 403
    assert _post(server, "/webhooks/gitlab", body, {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "no"})[0] == 403


# -- packages the bot renders ----------------------------------------------------------------------
KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\n"
SET_NAMESPACE = "pipeline:\n  mutators:\n    - image: gcr.io/kpt-fn/set-namespace:v0.4.1\n      {config}\n"
ALIAS_BOMB = "\n".join(["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]) + "\n"


def _alias_bomb_resource(package: Path) -> None:
    (package / "Kptfile").write_text(KPTFILE)
    (package / "bomb.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n"
                                       + "".join("  " + line + "\n" for line in ALIAS_BOMB.splitlines()))


def _alias_bomb_kptfile(package: Path) -> None:
    (package / "Kptfile").write_text(KPTFILE + "info:\n" + "".join("  " + line + "\n"
                                                                   for line in ALIAS_BOMB.splitlines()))


def _fifty_megabytes(package: Path) -> None:
    (package / "Kptfile").write_text(KPTFILE)
    with (package / "huge.yaml").open("w") as handle:
        handle.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n")
        line = "  k{}: " + "v" * 100 + "\n"
        for n in range(50 * MiB // 110):
            handle.write(line.format(n))


def _symlink_out(package: Path) -> None:
    (package / "Kptfile").write_text(KPTFILE)
    os.symlink("/etc/passwd", package / "passwd.yaml")


def _exec_function(package: Path) -> None:
    (package / "Kptfile").write_text(KPTFILE + "pipeline:\n  mutators:\n    - exec: ./steal-the-token.sh\n")


def _config_path(path: str) -> Callable[[Path], None]:
    def build(package: Path) -> None:
        (package / "Kptfile").write_text(KPTFILE + SET_NAMESPACE.format(config=f"configPath: {path}"))
    return build


RENDER_ROWS: dict[str, tuple[Callable[[Path], None], str]] = {
    "yaml-alias-bomb-in-a-resource": (_alias_bomb_resource, "excessive aliasing"),
    # kpt's strict decoding refuses the unknown fields before any alias is expanded.
    "yaml-alias-bomb-in-the-kptfile": (_alias_bomb_kptfile, "error reading Kptfile"),
    "fifty-megabyte-resource-file": (_fifty_megabytes, "over the 8 MiB a file may have"),
    "symlink-pointing-outside": (_symlink_out, "`passwd.yaml` is a symlink pointing outside the package"),
    "kptfile-naming-an-exec-function": (_exec_function, "exec function `./steal-the-token.sh`"),
    "configpath-with-dot-dot": (_config_path("../../secret.yaml"), "must not be outside the package"),
    "absolute-configpath": (_config_path("/etc/passwd"), "must be relative"),
}


@pytest.mark.parametrize(("build", "says"), [pytest.param(*row, id=name) for name, row in RENDER_ROWS.items()])
def test_the_bot_refuses_bad_packages(tmp_path: Path, build: Callable[[Path], None], says: str) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    build(package)
    ctx = BotContext(_config=parse_config("render:\n  runtime: builtin\n"))
    tracemalloc.start()
    try:
        outcome: RenderOutcome = render_in_sandbox(package, ctx.config, ctx.config.sandbox.allowed_for("deployments"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not outcome.ok
    assert says in outcome.error_message, outcome.error_message
    assert "Traceback" not in outcome.error_message
    assert peak < IN_PROCESS_PEAK, f"{peak / MiB:.0f} MiB"


# -- names: package paths, workspaces, draft branches --------------------------------------------
@pytest.mark.parametrize("package_path", ["../x", "/etc", "a/../../b", "a//b", "./a", "a/.git", "", "a\\..\\b"])
def test_package_paths_outside_the_repository_are_refused(package_path: str) -> None:
    with pytest.raises(InvalidInput, match="invalid package path"):
        naming.validate_package_path(package_path)


@pytest.mark.parametrize("workspace", ["../v1", "v1/../x", "/v1", "V1", "-v1", "v1 ", "a" * 64, ""])
def test_bad_workspaces_are_refused(workspace: str) -> None:
    with pytest.raises(InvalidInput, match="invalid workspace"):
        naming.validate_workspace(workspace)


@pytest.mark.parametrize("branch", ["drafts/../x/v1", "drafts//etc/v1", "drafts/x/../../v1", "drafts/x/./v1",
                                    "drafts/x/V1", "drafts/x", "drafts/", "drafts/.git/v1"])
def test_pushes_to_bad_draft_branch_names_are_not_rendered(branch: str) -> None:
    assert naming.draft_parts(branch) is None


def test_the_cli_refuses_a_package_path_with_dot_dot(tmp_path: Path) -> None:
    env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path)}
    result = subprocess.run([".venv/bin/porchbot", "rpkg", "init", "../escape", "--repository", "deployments"],
                            capture_output=True, text=True, env=env, timeout=60, check=False,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.strip()


# -- comments ------------------------------------------------------------------------------------
def test_a_ten_megabyte_comment_is_refused_in_bounded_memory() -> None:
    body = "/approve\n" + "x" * (10 * MiB)
    tracemalloc.start()
    try:
        parsed = parse_comment(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.commands == [] and len(parsed.replies) == 1 and "larger than 64 KiB" in parsed.replies[0]
    assert peak < 2 * len(body) + MiB
