"""Run the emulator on its own, e.g. to point a `porchbot serve` at it by hand:

    python -m tests.forge_emulator --kind github --port 8085 --user alice:tok_alice \\
        --repo acme/deployments:alice --webhook-url http://127.0.0.1:8080/webhooks/github --webhook-secret s3cret

It prints one JSON line (base_url, api_url, users and their tokens, repositories with clone URLs) and serves
until interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .emulator import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.forge_emulator", description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=["github", "gitlab"], default="github")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--root", type=Path, help="where the bare repositories live (default: a temp dir)")
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret", default="emulator-secret")
    parser.add_argument("--user", action="append", default=[], metavar="LOGIN[:TOKEN]")
    parser.add_argument("--repo", action="append", default=[], metavar="OWNER/NAME[:OWNER_LOGIN]")
    parser.add_argument("--grant", action="append", default=[], metavar="OWNER/NAME:LOGIN:PERMISSION")
    args = parser.parse_args(argv)

    root = args.root or Path(tempfile.mkdtemp(prefix="forge-emulator-"))
    emulator = Emulator(args.kind, root, args.webhook_url, args.webhook_secret, port=args.port)
    for spec in args.user:
        login, _, token = spec.partition(":")
        emulator.add_user(login, token or None)
    repos = {}
    for spec in args.repo:
        name, _, owner = spec.partition(":")
        owner = owner or name.split("/")[0]
        emulator.create_repo(name, owner, files={"README.md": f"{name}\n"})
        repos[name] = emulator.clone_url(name)
    for spec in args.grant:
        name, login, permission = spec.split(":")
        emulator.grant(name, login, permission)
    emulator.start()
    print(json.dumps({"base_url": emulator.base_url, "api_url": emulator.api_url, "root": str(root),
                      "users": {u.login: u.token for u in emulator.store.users.values()},
                      "repos": repos}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
