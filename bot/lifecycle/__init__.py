"""The package lifecycle engine over git, with Porch's layout (DESIGN §1–3), front-door neutral.

- ``repositories`` / ``credentials``: the registry file and secrets kept apart from it
- ``cache`` / ``gitaccess``: the per-repository bare cache and all git plumbing
- ``naming``: Porch's names, ref layout and input validation
- ``discovery``: package revisions from a ref snapshot, cached by that snapshot
- ``engine.Engine``: registered repositories, caches, ``find(name)``, ``find_by_ref(repo, ref)``
- ``create`` (init / clone / copy) and ``drafts`` (pull / push): new commits on draft branches
- ``transitions.Lifecycle``: the one engine for propose / reject / approve / delete / propose-delete,
  for the CLI and the bot; where a proposal lives is a ``ProposalBackend``: ``git_proposals`` here
  (``proposed/`` branches), pull requests in bot.pr. Each call returns a ``drafts.Change``
- ``publishing``: the next ``<pkgpath>/v<N>``, the approval message, the tag already on a commit
- ``packagefiles`` / ``mergekeys``: file contents as kpt writes them; ``rendering``: the render hook
- ``resources`` / ``resourcelist``: Porch-shaped objects (the CLI prints them)
"""
