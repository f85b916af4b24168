"""The exceptions the wrapper raises, and the parser for the CLI's policy
diagnostics ("file:line:col: $.path: message"), so a host can show or act on
each mistake without re-parsing text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional, Tuple

if TYPE_CHECKING:
    from ._result import Result

# policy.md: FILE:LINE:COL: $.path: message; syntax errors have no $.path,
# a --set override or an unreadable file has no line and column.
_DIAG_RE = re.compile(
    r"^(?P<file>.+?)(?::(?P<line>\d+):(?P<col>\d+))?: "
    r"(?:(?P<path>\$[^\s:]*): )?(?P<msg>.*)$"
)


@dataclass(frozen=True)
class Diagnostic:
    """One mistake in a policy, as sandboxpy reported it."""

    file: str
    line: Optional[int]
    col: Optional[int]
    json_path: Optional[str]
    message: str
    text: str

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str) -> "Diagnostic":
        m = _DIAG_RE.match(text)
        if m is None:
            return cls("", None, None, None, text, text)
        line = m.group("line")
        col = m.group("col")
        return cls(
            file=m.group("file"),
            line=int(line) if line is not None else None,
            col=int(col) if col is not None else None,
            json_path=m.group("path"),
            message=m.group("msg"),
            text=text,
        )


class SandboxpyError(Exception):
    """Base class: sandboxpy could not do what was asked. `message` is the
    CLI's own text; `returncode` its exit status when it ran."""

    def __init__(self, message: str, *, returncode: Optional[int] = None,
                 stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr = stderr


class ExecutableNotFound(SandboxpyError):
    """No sandboxpy binary: pass executable=, set $SANDBOXPY, or put it on PATH."""


class UsageError(SandboxpyError):
    """The CLI refused the command line (exit 125 before any policy was read)."""


class PolicyError(SandboxpyError):
    """The policy (or an override) is invalid; nothing ran.
    `diagnostics` holds every mistake sandboxpy found, in its order."""

    def __init__(self, diagnostics: Iterable[Diagnostic], *,
                 returncode: Optional[int] = None, stderr: str = "") -> None:
        self.diagnostics: Tuple[Diagnostic, ...] = tuple(diagnostics)
        text = "\n".join(d.text for d in self.diagnostics) or "invalid policy"
        super().__init__(text, returncode=returncode, stderr=stderr)


class SetupError(SandboxpyError):
    """sandboxpy failed (report status "internal"), e.g. a layer named in
    require= could not be set up. `result` is the run's report, if written."""

    def __init__(self, message: str, *, result: Optional["Result"] = None,
                 returncode: Optional[int] = None, stderr: str = "") -> None:
        super().__init__(message, returncode=returncode, stderr=stderr)
        self.result = result


class RunError(SandboxpyError):
    """Raised by Result.check() (and run(check=True)) when the program did
    not end with status "ok"."""

    def __init__(self, result: "Result") -> None:
        super().__init__(f"{result.status}: {result.message}",
                         returncode=result.returncode)
        self.result = result
