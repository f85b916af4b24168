"""run_batch(): many programs, each in its own sandbox, through
`sandboxpy --batch` (docs/batch.md), with a progress callback. Like run(),
it leaves nothing behind: KeyboardInterrupt or any exception (one raised by
the callback too) ends the batch, which ends every running sandbox, and
waits for it before it propagates."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from ._cli import EXIT_SANDBOXPY_FAILED, StrPath, find_executable
from ._errors import SandboxpyError, UsageError
from ._policy import Policy
from ._run import _ended_on_error

JSONDict = Dict[str, Any]


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch stands, given to the progress callback after each
    result line: done of total jobs, how many failed (status not ok, or
    stdout not matched), and the result line just written (docs/batch.md)."""
    done: int
    total: int
    failed: int
    result: JSONDict


def _failed(r: JSONDict) -> bool:
    rep = r.get("report") or {}
    match = r.get("stdout_match")
    return rep.get("status") != "ok" or (match is not None and not match.get("normalized"))


def _job_line(job: Mapping[str, Any], tmp: str, n: int) -> str:
    """One job as a JSON line; a Policy or a policy document in "policy"
    is written to a file of the batch's temporary directory."""
    j = dict(job)
    pol = j.get("policy")
    if isinstance(pol, Mapping) or isinstance(pol, Policy):
        p = pol if isinstance(pol, Policy) else Policy.load(pol)
        if p.kind == "document":
            d = os.path.join(tmp, f"policy-{n}")
            os.mkdir(d)
            j["policy"] = p.write_to(d)
        else:
            j["policy"] = p.source
    for key in ("file", "stdin", "cwd", "expected_stdout", "stdout", "stderr"):
        if isinstance(j.get(key), os.PathLike):
            j[key] = os.fspath(j[key])
    return json.dumps(j) + "\n"


def run_batch(jobs: Iterable[Mapping[str, Any]], *, parallel: Optional[int] = None,
              progress: Optional[Callable[[BatchProgress], None]] = None,
              executable: Optional[StrPath] = None, pool: bool = True) -> List[JSONDict]:
    """Runs every job (a dict with docs/batch.md's keys: id, file|code|module,
    args, stdin, cwd, policy, set, timeout, expected_stdout, stdout, stderr,
    stderr_to_stdout; policy may also be a Policy or a policy document) and
    returns their result lines in the order of the jobs. A job the CLI finds
    malformed (a missing file, a bad override, ...) gets a result with
    report status "internal", as in docs/batch.md; it does not raise.

    parallel: sandboxes at a time (--jobs; default the online CPUs).
    progress: called in this thread after each result with a BatchProgress.
    pool: each run's interpreter forked from a warm pool (the default, as
    the CLI's); False starts each fresh (--no-pool; docs/batch.md).

    Raises UsageError or SandboxpyError when the batch itself fails."""
    exe = find_executable(executable)
    with tempfile.TemporaryDirectory(prefix="sandboxpy-batch-") as tmp:
        jobs_path = os.path.join(tmp, "jobs.jsonl")
        total = 0
        with open(jobs_path, "w", encoding="utf-8") as f:
            for total, job in enumerate(jobs, 1):
                f.write(_job_line(job, tmp, total))
        argv = [exe, "--batch", jobs_path, "--progress", "none"]
        if parallel is not None:
            argv += ["--jobs", str(int(parallel))]
        if not pool:
            argv.append("--no-pool")
        results: List[JSONDict] = []
        failed = 0
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        with _ended_on_error(proc):
            assert proc.stdout is not None and proc.stderr is not None
            for line in proc.stdout:
                r = json.loads(line)
                results.append(r)
                failed += _failed(r)
                if progress is not None:
                    progress(BatchProgress(len(results), total, failed, r))
            err = proc.stderr.read().decode("utf-8", "replace")
            rc = proc.wait()
    if rc != 0:
        cls = UsageError if rc == EXIT_SANDBOXPY_FAILED else SandboxpyError
        raise cls(err.strip() or f"sandboxpy --batch exited {rc}", returncode=rc, stderr=err)
    results.sort(key=lambda r: r.get("line", 0))
    return results
