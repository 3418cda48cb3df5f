"""The first lookups of a builtin in several threads at once all find it (the bot renders variants and
PRs in parallel threads; a thread that saw the function's module marked loaded before its builtins were
registered ran the step on docker, or failed where docker was absent). Each run is a fresh interpreter:
the race is in the first import of a function's module."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT_DIR

FIRST_LOOKUPS = """
import threading
from bot.render.functions.registry import CATALOG
barrier = threading.Barrier(16)
found = []
def one(index):
    barrier.wait()
    if index % 4 == 0:
        CATALOG.all()  # the whole catalog loading beside single-module lookups
    found.append(CATALOG.lookup("gcr.io/kpt-fn/set-namespace:v0.4.1") is not None
                 and CATALOG.lookup("gcr.io/kpt-fn/starlark:v0.5") is not None)
threads = [threading.Thread(target=one, args=(index,)) for index in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sum(found), len(found))
"""


def test_first_lookups_in_parallel_threads_all_find_the_builtin() -> None:
    for _ in range(4):
        done = subprocess.run([sys.executable, "-c", FIRST_LOOKUPS], capture_output=True, text=True,
                              cwd=PROJECT_DIR, check=True)
        assert done.stdout.split() == ["16", "16"], done.stdout + done.stderr
