"""CEL expressions in PackageVariantSet templates, evaluated with cel-python (``celpy``, a pure-Python
implementation of Google's Common Expression Language) rather than a home-made evaluator.

The variables are Porch's: ``repoDefault`` and ``packageDefault`` (the target's repository and package
name), ``target`` (``{repo, package}``), ``repository`` (the downstream repository: ``name``, ``namespace``,
``labels`` — those given with ``repo register --label`` — and ``annotations``) and ``upstream`` (``name``,
``namespace``, ``labels``, ``annotations``, and ours: ``repo`` and ``package``). Every expression must
give a string, as Porch requires.
"""

from __future__ import annotations

from typing import Any

import celpy

from bot.lifecycle.variants.fields import VariantError

_ENVIRONMENT = celpy.Environment()
_COMPILED: dict[str, Any] = {}


def evaluate(expression: str, inputs: dict[str, Any], file: str, field: str) -> str:
    program = _COMPILED.get(expression)
    if program is None:
        try:
            program = _ENVIRONMENT.program(_ENVIRONMENT.compile(expression))
        except Exception as err:  # celpy's parse errors carry the caret picture; the first line is enough
            raise VariantError(file, field, f"CEL expression {expression!r} does not parse: "
                                            f"{str(err).splitlines()[0] if str(err) else type(err).__name__}") from None
        _COMPILED[expression] = program
    activation = {name: celpy.json_to_cel(value) for name, value in inputs.items()}  # type: ignore[attr-defined]
    try:
        result = program.evaluate(activation)
    except Exception as err:
        raise VariantError(file, field, f"CEL expression {expression!r} failed: {_reason(err)}") from None
    if isinstance(result, Exception):
        raise VariantError(file, field, f"CEL expression {expression!r} failed: {_reason(result)}")
    if not isinstance(result, str):
        raise VariantError(file, field, f"CEL expression {expression!r} gave {type(result).__name__}, "
                                        "expected a string")
    return str(result)


def _reason(err: BaseException) -> str:
    args = getattr(err, "args", ())
    return str(args[0]) if args else type(err).__name__
