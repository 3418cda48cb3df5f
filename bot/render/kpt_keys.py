"""kpt's annotation and label keys, spelled once for the render engine, its builtins and the lifecycle.

kyaml's reader annotations say where a resource came from; the call annotations match a function's
output back to its input; the rest carry meaning kpt, its functions and Porch act on.
"""

from __future__ import annotations

# Where a resource was read from (kyaml's kioutil): legacy and internal spellings are kept equal.
PATH = "config.kubernetes.io/path"
INDEX = "config.kubernetes.io/index"
INTERNAL_PATH = "internal.config.kubernetes.io/path"
INTERNAL_INDEX = "internal.config.kubernetes.io/index"
SEQ_INDENT = "internal.config.kubernetes.io/seqindent"
PACKAGE_PATH = "internal.config.kubernetes.io/package-path"
PATH_KEYS = (INTERNAL_PATH, PATH)  # the internal spelling first: it wins when both are set
INDEX_KEYS = (INTERNAL_INDEX, INDEX)

# A function call's bookkeeping: output items are matched to input items by these ids.
ID = "internal.config.kubernetes.io/id"
LEGACY_ID = "config.k8s.io/id"
MIGRATION_ID = "internal.config.kubernetes.io/annotations-migration-resource-id"
KPT_RESOURCE_ID = "internal.config.kubernetes.io/kpt-resource-id"

# Removed before anything is written in place; -o stdout keeps index, path and seqindent.
READER_ANNOTATIONS = (INDEX, INTERNAL_INDEX, PATH, INTERNAL_PATH, SEQ_INDENT, PACKAGE_PATH)
CALL_ANNOTATIONS = (ID, LEGACY_ID, MIGRATION_ID, KPT_RESOURCE_ID)

# Meaning kpt and the catalog functions act on.
LOCAL_CONFIG = "config.kubernetes.io/local-config"
DEPENDS_ON = "config.kubernetes.io/depends-on"
TARGET_PATH = "config.kubernetes.io/target-path"
FUNCTION = "config.kubernetes.io/function"
LEGACY_FUNCTION = "config.k8s.io/function"
UPSTREAM_IDENTIFIER = "internal.kpt.dev/upstream-identifier"

# Kptfile annotations that change how a package renders.
BFS_RENDERING = "kpt.dev/bfs-rendering"
SAVE_ON_RENDER_FAILURE = "kpt.dev/save-on-render-failure"

# Porch's label on the latest published revision of a package.
LATEST_REVISION = "kpt.dev/latest-revision"
