"""JSON-schema validation reported the way kubeval v0.16.1 (gojsonschema underneath) reports it.

kubeval prints one ``<field>: <description>`` line per gojsonschema error; the catalog wrapper
splits it at the first colon into the result's ``field.path`` and message. gojsonschema walks an
object's own keywords (required, additionalProperties, ...) before its children, names a field by
its dotted path without ``(root).`` (or by the property itself for required/additional errors),
and words its messages in its own way. We validate with ``jsonschema`` and rewrite each error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError


@dataclass(frozen=True)
class SchemaError:
    field: str
    message: str
    order: tuple[int, ...]


# gojsonschema checks the formats it knows and passes every other one (Kubernetes' int32, byte...);
# of its formats the Kubernetes schemas use only date-time, which it accepts in any of Go's layouts
# "15:04:05", "15:04:05Z07:00", "2006-01-02", RFC 3339 (fractional seconds allowed when parsing).
_CLOCK = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
_ZONE = r"(?:Z|[+-](?P<zone_hour>\d{2}):(?P<zone_minute>\d{2}))"
_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_DATE_TIME_LAYOUTS = tuple(re.compile(f"^{layout}$") for layout in
                           (_CLOCK, _CLOCK + _ZONE, _DATE, f"{_DATE}T{_CLOCK}{_ZONE}"))
_LIMITS = {"hour": 23, "minute": 59, "second": 59, "zone_hour": 23, "zone_minute": 59}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _go_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # only strings reach gojsonschema's string checks
    return any(_in_range(match) for layout in _DATE_TIME_LAYOUTS if (match := layout.match(value)))


def _in_range(match: re.Match[str]) -> bool:
    """Go's time.Parse refuses a month 13, February 30 or hour 24 that the layout's digits allow."""
    parts = {name: int(text) for name, text in match.groupdict().items() if text is not None}
    if any(parts[name] > limit for name, limit in _LIMITS.items() if name in parts):
        return False
    if "year" not in parts:
        return True
    year, month, day = parts["year"], parts["month"], parts["day"]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1] - (month == 2 and not leap)


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("date-time")(_go_date_time)


def validate(schema: dict[str, Any], document: Any) -> list[SchemaError]:
    validator = Draft4Validator(schema, format_checker=_FORMATS)
    errors: list[SchemaError] = []
    for error in validator.iter_errors(document):
        errors.extend(_rewrite(error, document))
    errors.sort(key=lambda e: e.order)
    return errors


def _rewrite(error: ValidationError, document: Any) -> Iterator[SchemaError]:
    path = list(error.absolute_path)
    order = _document_order(document, path)
    keyword = error.validator
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema.get("properties") or {}).keys())
        for key in error.instance:
            if key not in allowed:
                yield SchemaError(key, f"Additional property {key} is not allowed",
                                  (*order, -1, _index_of(error.instance, key)))
        return
    if keyword == "required" and isinstance(error.instance, dict):
        for i, key in enumerate(error.validator_value):
            if key not in error.instance:
                yield SchemaError(key, f"{key} is required", (*order, -2, i))
        return
    field = _field(path)
    yield SchemaError(field, _description(error, field), (*order, -1, -1))
    if keyword == "oneOf" and error.context:
        # gojsonschema adds the errors of the closest failing alternative; for the only oneOfs in
        # Kubernetes schemas (int-or-string, quantity) every alternative scores the same, so the first.
        for sub_error in error.context:
            if sub_error.relative_schema_path and sub_error.relative_schema_path[0] == 0:
                yield from _rewrite(sub_error, document)


def _field(path: list[Any]) -> str:
    return ".".join(str(p) for p in path) if path else "(root)"


def _index_of(mapping: dict[str, Any], key: str) -> int:
    for i, candidate in enumerate(mapping):
        if candidate == key:
            return i
    return len(mapping)


def _document_order(document: Any, path: list[Any]) -> tuple[int, ...]:
    """Position of ``path`` in a pre-order walk of the document (children in document order)."""
    order: list[int] = []
    node = document
    for step in path:
        if isinstance(node, dict):
            order.append(_index_of(node, step))
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            order.append(step)
            node = node[step] if step < len(node) else None
        else:
            order.append(0)
    return tuple(order)


def go_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _description(error: ValidationError, field: str) -> str:
    keyword = error.validator
    value = error.validator_value
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        expected = types[0] if len(types) == 1 else "[" + ",".join(types) + "]"
        return f"Invalid type. Expected: {expected}, given: {go_type(error.instance)}"
    if keyword == "enum":
        allowed = ", ".join(json.dumps(v) for v in value)
        return f"{field} must be one of the following: {allowed}"
    messages = {
        "minimum": f"Must be greater than or equal to {value}",
        "maximum": f"Must be less than or equal to {value}",
        "minLength": f"String length must be greater than or equal to {value}",
        "maxLength": f"String length must be less than or equal to {value}",
        "pattern": f"Does not match pattern '{value}'",
        "format": f"Does not match format '{value}'",
        "minItems": f"Array must have at least {value} items",
        "maxItems": f"Array must have at most {value} items",
        "oneOf": "Must validate one and only one schema (oneOf)",
        "anyOf": "Must validate at least one schema (anyOf)",
        "allOf": "Must validate all the schemas (allOf)",
        "not": "Must not validate the schema (not)",
    }
    return messages.get(str(keyword), str(error.message))
