from __future__ import annotations

from bot.errors import InvalidInput


class YAMLError(InvalidInput):
    """Malformed YAML; the message follows yaml.v3's wording where kpt prints it (``yaml: line N: ...``)."""
