"""A GitHub / GitLab emulator for tests: real HTTP on loopback, real bare git repositories, signed webhooks."""

from __future__ import annotations

from .emulator import Emulator
from .httpd import Faults
from .webhooks import Delivery

__all__ = ["Delivery", "Emulator", "Faults"]
