"""Render errors with kpt's two renderings: the chained text the Kptfile status records, and what
``kpt fn render`` prints on stderr (the innermost error through kpt's error resolvers)."""

from __future__ import annotations

from bot.errors import InvalidInput, PorchbotError


class RenderError(PorchbotError):
    """Base: ``str()`` is kpt's ``err.Error()``; ``console_text`` is what kpt prints for it."""

    def console_text(self) -> str:
        return f"Error: {self} \n"


class PlainError(RenderError):
    pass


class KptError(RenderError):
    """kpt's ``errors.E(op, path, err)``: ``op: pkg path: msg``, nested kpt errors on ``:\\n\\t``."""

    def __init__(self, op: str, path: str, inner: Exception) -> None:
        self.op = op
        self.path = path
        self.inner = inner
        text = op
        if path:
            text += f": pkg {path}" if text else f"pkg {path}"
        separator = ":\n\t" if isinstance(inner, KptError) else ": "
        text = f"{text}{separator}{inner}" if text else str(inner)
        super().__init__(text)

    def innermost(self) -> Exception:
        inner: Exception = self
        while isinstance(inner, KptError):
            inner = inner.inner
        return inner

    def console_text(self) -> str:
        inner = self.innermost()
        if isinstance(inner, RenderError):
            return inner.console_text()
        return f"Error: {inner} \n"


class AlreadyHandled(RenderError):
    """A function failed and its [FAIL] block was already printed."""

    def __init__(self) -> None:
        super().__init__("already handled error")

    def console_text(self) -> str:
        return ""


class NoKptfile(RenderError, InvalidInput):
    def __init__(self, package_dir: str) -> None:
        super().__init__(f'No Kptfile found at "{package_dir}".')


class KptfileReadError(RenderError, InvalidInput):
    def __init__(self, package_dir: str, details: str) -> None:
        super().__init__(f'error reading Kptfile at "{package_dir}": {details}')
        self.package_dir = package_dir
        self.details = details

    def console_text(self) -> str:
        return f"Error: Kptfile at \"{self.package_dir}\" can't be read.\n\nDetails:\n{self.details} \n"


class OldKptfileVersion(RenderError, InvalidInput):
    def __init__(self, package_dir: str, version: str) -> None:
        super().__init__(
            f'Kptfile at "{package_dir}" has an old version ("{version}") of the Kptfile schema.\n'
            "Please update the package to the latest format by following "
            "https://kpt.dev/installation/migration.")


class UnknownKptfileType(RenderError, InvalidInput):
    def __init__(self, package_dir: str, gvk: str) -> None:
        super().__init__(f'Kptfile at "{package_dir}" has an unknown resource type ("{gvk}").')


class ValidateError(RenderError, InvalidInput):
    def __init__(self, field: str, value: str, reason: str) -> None:
        text = f"Kptfile is invalid:\nField: `{field}`\n"
        if value:
            text += f'Value: "{value}"\n'
        text += f"Reason: {reason}\n"
        super().__init__(text)
        self.field = field
        self.value = value
        self.reason = reason

    def console_text(self) -> str:
        return f"{self} \n"
