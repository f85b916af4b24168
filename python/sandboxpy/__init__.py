"""sandboxpy for Python hosts: run untrusted Python under a sandboxpy policy
and get back a typed Result built from the run's JSON report.

    import sandboxpy
    r = sandboxpy.run(path="plugin.py", policy="builtin:plugin", timeout=5)
    print(r.status, r.exit_code, r.stdout, [e.rule for e in r.denials()])

This package drives the sandboxpy command line (found through executable=,
$SANDBOXPY or PATH); it has no dependencies beyond the standard library."""

from ._cli import find_executable
from ._errors import (Diagnostic, ExecutableNotFound, PolicyError, RunError,
                      SandboxpyError, SetupError, UsageError)
from ._policy import Policy, PolicyBuilder
from ._result import Event, Result, Summary
from ._batch import BatchProgress, run_batch
from ._run import run

__version__ = "0.1.0"

__all__ = [
    "BatchProgress", "Diagnostic", "Event", "ExecutableNotFound", "Policy", "PolicyBuilder",
    "PolicyError", "Result", "RunError", "SandboxpyError", "SetupError",
    "Summary", "UsageError", "find_executable", "run", "run_batch", "__version__",
]
