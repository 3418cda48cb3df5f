"""The cyclic garbage collector paused around work that allocates many objects and no cycles.

Renders, merges and listings build hundreds of thousands of nodes or rows that reference each other only
as trees; every collection would rescan them all (a third of such work's time). Reference counting still
frees everything; a pause is only undone by the outermost caller (another thread may have paused it too).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
