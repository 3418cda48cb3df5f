"""Package upgrade: kpt's three-way package merge (``kpt pkg update``) with a conflict report.

The engine call is :func:`bot.upgrade.engine.update_package` (its docstring holds the contract);
``porchbot pkg update`` is :mod:`bot.upgrade.command`.
"""

# The strategies' names (kpt's three and Porch's copy-merge), here so that the CLI can name them without
# importing the merge engine; ``strategies.py`` implements them.
RESOURCE_MERGE = "resource-merge"
FAST_FORWARD = "fast-forward"
FORCE_DELETE_REPLACE = "force-delete-replace"
COPY_MERGE = "copy-merge"
STRATEGIES = (RESOURCE_MERGE, FAST_FORWARD, FORCE_DELETE_REPLACE, COPY_MERGE)
