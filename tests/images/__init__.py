"""Builders for the Docker images the tests (and users of the docker runtime) run, all made offline.

No registry is reachable, so nothing here pulls: the base image is a Debian root filesystem made by
``mmdebstrap`` from the machine's own apt sources and ``docker import``-ed; every other image is built
from it with networking off. ``python -m tests.images.build`` builds whatever is missing or stale.
"""
