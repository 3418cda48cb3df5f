"""PyYAML's libyaml scanner, checked when the YAML layer is imported.

``tokens.py`` drives libyaml's scanner through ``yaml._yaml.CParser``, a private class of
PyYAML's C extension: the pure-Python scanner would be several times slower and disagrees with
libyaml (and yaml.v3) on corner cases. A PyYAML built without libyaml (an sdist compiled where
libyaml's headers were missing) or a PyYAML of another major version would otherwise surface as an
ImportError or AttributeError deep in a render; this module turns both into one message that says
what to install.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import yaml

from bot.render.yaml.errors import LibyamlMissing

SUPPORTED_MAJOR = "6"
_REINSTALL = (
    "reinstall it with libyaml: `pip install --force-reinstall --only-binary PyYAML 'PyYAML>=6.0.1,<7'` (binary wheels "
    "bundle libyaml), or build it from source with libyaml's development headers installed "
    "(e.g. the libyaml-dev package); `python -c 'import yaml; print(yaml.__with_libyaml__)'` must print True"
)


def c_parser_of(pyyaml: ModuleType) -> Any:
    """The libyaml-backed ``CParser`` class of an imported PyYAML, or LibyamlMissing saying what to do."""
    version = str(getattr(pyyaml, "__version__", "")) or "of unknown version"
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise LibyamlMissing(
            f"PyYAML {version} is installed, but porchbot's YAML layer drives the private libyaml scanner "
            f"of PyYAML {SUPPORTED_MAJOR}.x; {_REINSTALL}"
        )
    extension = getattr(pyyaml, "_yaml", None)
    parser = getattr(extension, "CParser", None)
    if not getattr(pyyaml, "__with_libyaml__", False) or parser is None or not hasattr(parser, "get_token"):
        raise LibyamlMissing(
            f"PyYAML {version} was built without libyaml (yaml._yaml.CParser is missing), and porchbot's "
            f"YAML layer needs libyaml's scanner; {_REINSTALL}"
        )
    return parser


CParser = c_parser_of(yaml)
