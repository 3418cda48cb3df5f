"""The package lifecycle engine over git, with Porch's layout (DESIGN §1–3), front-door neutral.

- ``repositories`` / ``credentials``: the registry file and secrets kept apart from it
- ``cache`` / ``gitaccess``: the per-repository bare cache and all git plumbing
- ``naming``: Porch's names, ref layout and input validation
- ``discovery``: package revisions from a ref snapshot, cached by that snapshot
- ``engine.Engine``: registered repositories, caches, ``find(name)``, ``find_by_ref(repo, ref)``
- ``create`` (init / clone / copy) and ``drafts`` (pull / push): new commits on draft branches
- ``transitions``: the ``Transitions`` protocol and its git-only implementation; each call takes a
  repository cache and a package revision and returns a ``drafts.Change``
- ``packagefiles`` / ``mergekeys``: file contents as kpt writes them; ``rendering``: the render hook
- ``resources`` / ``resourcelist`` / ``tables``: Porch-shaped objects and CLI output
"""
