"""Strict reading of a variant file's fields: every problem names the file and the field, and a field the
resource does not define is an error (Porch's API server prunes unknown fields silently; a reviewed file in
git should not carry a typo that does nothing)."""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidInput


class VariantError(InvalidInput):
    """A problem in a variant file: ``<file>: <field>: <why>``."""

    def __init__(self, file: str, field: str, why: str) -> None:
        super().__init__(f"{file}: {field}: {why}" if field else f"{file}: {why}")
        self.file = file
        self.field = field
        self.why = why


class Fields:
    """One mapping of a document, read at ``path`` (e.g. ``spec.upstream``) of ``file``."""

    def __init__(self, file: str, path: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise VariantError(file, path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                raise VariantError(file, where, f"unknown field (known: {', '.join(allowed)})")
        self.file, self.path, self.value = file, path, value

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, why: str) -> VariantError:
        return VariantError(self.file, self.where(key), why)

    def has(self, key: str) -> bool:
        return self.value.get(key) is not None

    def sub(self, key: str, allowed: tuple[str, ...]) -> Fields:
        return Fields(self.file, self.where(key), self.value.get(key), allowed)

    def string(self, key: str, required: bool = False, choices: tuple[str, ...] = ()) -> str:
        value = self.value.get(key)
        if value is None:
            if required:
                raise self.error(key, "required")
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.error(key, f"expected a string, got {type(value).__name__}")
        text = str(value)
        if required and not text:
            raise self.error(key, "required")
        if choices and text and text not in choices:
            raise self.error(key, f"{text!r} is not one of {', '.join(choices)}")
        return text

    def optional_string(self, key: str) -> str | None:
        return self.string(key) if key in self.value and self.value[key] is not None else None

    def integer(self, key: str) -> int:
        value = self.value.get(key)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, "expected a whole number >= 0")
        return value

    def string_map(self, key: str) -> dict[str, str]:
        value = self.value.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, "expected a mapping of strings")
        found = {}
        for name, item in value.items():
            if not isinstance(item, str | int | float | bool) or isinstance(name, dict | list):
                raise VariantError(self.file, f"{self.where(key)}.{name}", "expected a string")
            found[str(name)] = item if isinstance(item, str) else str(item).lower() \
                if isinstance(item, bool) else str(item)
        return found

    def string_list(self, key: str) -> list[str]:
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, "expected a list of strings")
        return list(value)

    def mappings(self, key: str) -> list[Any]:
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, "expected a list")
        return value
