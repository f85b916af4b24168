"""Finding the sandboxpy binary and running it. Every call is an argument
list (never a shell), and every path handed to the CLI is made absolute
first, so nothing depends on where the CLI resolves relative names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._errors import Diagnostic, ExecutableNotFound, PolicyError, UsageError

StrPath = Union[str, "os.PathLike[str]"]
# --set KEY=VALUE: a mapping of JSON path to a JSON-encodable value, or the
# CLI's own "KEY=VALUE" strings.
Overrides = Union[Mapping[str, object], Iterable[str], None]

# cli.md: sandboxpy itself failed (usage, policy, a required layer).
EXIT_SANDBOXPY_FAILED = 125


def find_executable(executable: Optional[StrPath] = None) -> str:
    """The binary to run: `executable`, else $SANDBOXPY, else `sandboxpy`
    on PATH. Raises ExecutableNotFound."""
    if executable is not None:
        cand = os.fspath(executable)
        where = "executable="
    elif os.environ.get("SANDBOXPY"):
        cand = os.environ["SANDBOXPY"]
        where = "$SANDBOXPY"
    else:
        found = shutil.which("sandboxpy")
        if found is None:
            raise ExecutableNotFound(
                "sandboxpy not found: pass executable=, set $SANDBOXPY, "
                "or put sandboxpy on PATH")
        return found
    # A bare name is looked up on PATH, as subprocess would.
    if os.sep not in cand:
        found = shutil.which(cand)
        if found is not None:
            return found
    if not (os.path.isfile(cand) and os.access(cand, os.X_OK)):
        raise ExecutableNotFound(f"sandboxpy not found: {where} names {cand!r}, "
                                 "which is not an executable file")
    return os.path.abspath(cand)


def override_args(overrides: Overrides) -> List[str]:
    """--set arguments: mapping values are encoded as JSON, so a str is
    always a string and 1 always a number."""
    out: List[str] = []
    if overrides is None:
        return out
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            out += ["--set", f"{key}={json.dumps(value)}"]
    else:
        for item in overrides:
            if not isinstance(item, str) or "=" not in item:
                raise TypeError(f"set=: expected 'KEY=VALUE' strings, got {item!r}")
            out += ["--set", item]
    return out


@dataclass(frozen=True)
class Completed:
    argv: Tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")

    @property
    def stdout_text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")


def call(argv: Sequence[str], *, timeout: Optional[float] = None) -> Completed:
    """Runs the CLI with no standard input and both its streams captured."""
    proc = subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, check=False)
    return Completed(tuple(argv), proc.returncode, proc.stdout, proc.stderr)


def diagnostics_or_usage(done: Completed, rename: Optional[Tuple[str, str]] = None) -> Exception:
    """The exception for a 125 from a policy command: UsageError when the
    CLI complained about its command line, else PolicyError."""
    lines = [ln for ln in done.stderr_text.splitlines() if ln.strip()]
    if any(ln.startswith("sandboxpy: ") or ln.startswith("Try 'sandboxpy") for ln in lines):
        return UsageError("\n".join(lines), returncode=done.returncode,
                          stderr=done.stderr_text)
    if rename is not None:
        lines = [ln.replace(rename[0], rename[1]) for ln in lines]
    return PolicyError([Diagnostic.parse(ln) for ln in lines],
                       returncode=done.returncode, stderr=done.stderr_text)
