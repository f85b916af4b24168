"""run(): one sandboxed program through the CLI. The program's standard
streams go to files in a private temporary directory (--stdin/--stdout/
--stderr), so its output is bounded by limits.file_size_mb and kept apart
from sandboxpy's own lines, and the report (--report) is read back."""

from __future__ import annotations

import contextlib
import json
import os
import signal as _signal
import subprocess
import tempfile
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ._cli import (EXIT_SANDBOXPY_FAILED, Overrides, StrPath, find_executable,
                   override_args)
from ._errors import Diagnostic, PolicyError, SandboxpyError, SetupError, UsageError
from ._policy import Policy
from ._result import Result

PolicySpec = Union[Policy, Mapping[str, Any], StrPath, None]

# How long past its own wall-clock limit the wrapper waits for sandboxpy
# before ending it: the CLI enforces the limit, this only guards the host.
_HOST_GRACE_S = 30.0


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def _program_args(code: Optional[str], path: Optional[StrPath],
                  module: Optional[str]) -> List[str]:
    given = [n for n, v in (("code", code), ("path", path), ("module", module))
             if v is not None]
    if len(given) != 1:
        raise TypeError("run() takes exactly one of code=, path=, module= "
                        f"(got {', '.join(given) or 'none'})")
    if code is not None:
        return ["-c", code]
    if module is not None:
        return ["-m", module]
    assert path is not None
    # "--" so a script named "-x.py" is not an option; absolute because the
    # CLI resolves a relative script against --chdir.
    return ["--", os.path.abspath(os.fspath(path))]


def _end(proc: "subprocess.Popen[bytes]") -> Tuple[bytes, bytes]:
    """Ends sandboxpy and waits for it: SIGTERM, on which it ends the whole
    sandbox, removes what the run made and writes its report; SIGKILL after
    10 s (its last-resort parent still cleans up)."""
    if proc.poll() is None:
        proc.send_signal(_signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return out or b"", err or b""


@contextlib.contextmanager
def _ended_on_error(proc: "subprocess.Popen[bytes]") -> Iterator[None]:
    """No sandboxpy outlives its caller: KeyboardInterrupt or any exception
    inside the block ends the run (and waits for it) before it goes on up,
    while the run's temporary directory still exists."""
    try:
        yield
    except BaseException:
        try:
            _end(proc)
        except BaseException:       # a second Ctrl-C: still kill and reap
            proc.kill()
            proc.wait()
        raise


def _communicate(proc: "subprocess.Popen[bytes]",
                 host_timeout: Optional[float]) -> Tuple[Optional[bytes], bytes]:
    """(stdout, stderr) of sandboxpy; (None, stderr) when host_timeout
    passed and it had to be ended."""
    try:
        return proc.communicate(timeout=host_timeout)
    except subprocess.TimeoutExpired:
        return None, _end(proc)[1]


def run(*, code: Optional[str] = None, path: Optional[StrPath] = None,
        module: Optional[str] = None, args: Sequence[str] = (),
        policy: PolicySpec = None, timeout: Optional[float] = None,
        stdin: Union[str, bytes, None] = None, stdin_file: Optional[StrPath] = None,
        cwd: Optional[StrPath] = None, set: Overrides = None,
        require: Iterable[str] = (), executable: Optional[StrPath] = None,
        check: bool = False, host_timeout: Optional[float] = None,
        stderr_to_stdout: bool = False, extra_time: Optional[float] = None) -> Result:
    """Runs Python under sandboxpy and returns how it ended.

    Exactly one of code= (like python3 -c), path= (a script file) or
    module= (like python3 -m). args are the program's arguments.
    policy: a Policy, a mapping (a policy document), "builtin:NAME" or a
    policy file path; None means builtin:default.
    timeout: wall-clock seconds (--timeout); a run that exceeds it returns
    status "timeout", it does not raise.
    stdin: the program's standard input as text or bytes; stdin_file: a
    file to read it from instead; neither: empty.
    cwd: the sandbox's working directory (relative policy paths resolve
    against it); default: the current directory.
    set: overrides by JSON path, {"limits.cpu_seconds": 1} (values are
    encoded as JSON) or ["limits.cpu_seconds=1"] (the CLI's syntax).
    require: layers that must be in force ("landlock", "netns", ...).
    check: raise RunError unless the status is "ok".
    stderr_to_stdout: the program's standard error goes to its standard
    output, in order (--stderr-to-stdout); Result.stderr is then empty.
    extra_time: a grace in seconds past the cpu and wall limits
    (--extra-time); a run that uses it is still status "timeout".
    KeyboardInterrupt, or any other exception while the run goes on, ends
    the sandbox (and waits for it) before it propagates.
    host_timeout: how long to wait for sandboxpy itself before ending it
    (default: timeout + 30 s, or no bound without timeout).

    Raises PolicyError (bad policy or override, with every diagnostic),
    SetupError (sandboxpy failed, e.g. a required layer), UsageError,
    ExecutableNotFound, RunError (check=True)."""
    prog = _program_args(code, path, module)
    if stdin is not None and stdin_file is not None:
        raise TypeError("run() takes stdin= or stdin_file=, not both")
    if isinstance(args, (str, bytes)):
        raise TypeError("args= is a sequence of strings, not one string")
    exe = find_executable(executable)
    pol = Policy.load(policy) if policy is not None else Policy.builtin("default")
    if host_timeout is None and timeout is not None:
        host_timeout = float(timeout) + _HOST_GRACE_S

    with tempfile.TemporaryDirectory(prefix="sandboxpy-run-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        out_path = os.path.join(tmp, "stdout")
        err_path = os.path.join(tmp, "stderr")
        rename = None
        if pol.kind == "document":
            spec = pol.write_to(tmp)
            rename = (spec, "policy.json")
        else:
            spec = pol.source
        argv = [exe, "--policy", spec, "--report", report_path, "--stdout", out_path]
        argv += ["--stderr-to-stdout"] if stderr_to_stdout else ["--stderr", err_path]
        if extra_time is not None:
            argv += ["--extra-time", repr(float(extra_time))]
        if stdin is not None:
            in_path = os.path.join(tmp, "stdin")
            with open(in_path, "wb") as f:
                f.write(stdin.encode("utf-8") if isinstance(stdin, str) else stdin)
            argv += ["--stdin", in_path]
        elif stdin_file is not None:
            argv += ["--stdin", os.path.abspath(os.fspath(stdin_file))]
        if cwd is not None:
            argv += ["--chdir", os.path.abspath(os.fspath(cwd))]
        if timeout is not None:
            argv += ["--timeout", repr(float(timeout))]
        req = list(require)
        if req:
            argv += ["--require", ",".join(req)]
        argv += override_args(set)
        argv += prog + [os.fspath(a) for a in args]

        # The supervisor's own stdin is /dev/null: the program's comes from
        # --stdin or is empty, never the host's terminal.
        # Its own session: a Ctrl-C on the host's terminal reaches the host
        # only, which ends the run below (the program sees no
        # KeyboardInterrupt it could catch).
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        with _ended_on_error(proc):
            own_out, own_err = _communicate(proc, host_timeout)
        if own_out is None:
            own_err = own_err or b""
            raise SandboxpyError(f"sandboxpy did not finish within {host_timeout} s "
                                 "(host_timeout); it was ended",
                                 returncode=proc.returncode,
                                 stderr=own_err.decode("utf-8", "replace"))
        rc = proc.returncode
        err_text = own_err.decode("utf-8", errors="replace")
        if rename is not None:
            err_text = err_text.replace(rename[0], rename[1])
        messages = [ln for ln in err_text.splitlines() if ln]

        if not os.path.exists(report_path):
            # Only a usage error ends the CLI before it writes a report.
            cls = UsageError if rc == EXIT_SANDBOXPY_FAILED else SandboxpyError
            raise cls(err_text.strip() or f"sandboxpy exited {rc} without a report",
                      returncode=rc, stderr=err_text)
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
        result = Result.from_report(report, returncode=rc, stdout=_read(out_path),
                                    stderr=_read(err_path), messages=messages,
                                    argv=argv)

    if result.status == "internal":
        errors = [e.replace(rename[0], rename[1]) if rename else e for e in result.errors]
        pol_info = report.get("policy")
        loaded = isinstance(pol_info, dict) and pol_info.get("sha256") is not None
        if not loaded:
            # The policy (or an override) never loaded: nothing ran.
            raise PolicyError([Diagnostic.parse(e) for e in errors] or
                              [Diagnostic.parse(result.message)],
                              returncode=rc, stderr=err_text)
        raise SetupError("\n".join(errors) or result.message, result=result,
                         returncode=rc, stderr=err_text)
    if check:
        result.check()
    return result
