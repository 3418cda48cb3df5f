from __future__ import annotations

from bot.errors import InvalidInput, PorchbotError


class YAMLError(InvalidInput):
    """Malformed YAML; the message follows yaml.v3's wording where kpt prints it (``yaml: line N: ...``)."""


class LibyamlMissing(PorchbotError):
    """The installed PyYAML cannot give the YAML layer libyaml's scanner; the message says what to install."""
