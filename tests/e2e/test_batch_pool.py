"""End-to-end tests of --batch's slots (docs/batch.md "How it runs"): the
jobs run in long-lived slot processes, each owning a warm pool, one job
after the other; --no-pool (or SANDBOXPY_POOL=off) forks one worker per
job. Seen from outside: the same results either way, the batch's children
(the same slot across jobs, or a new worker each), a slot killed mid-job,
jobs that cannot see one another, the one warning of a slot without a
pool. They pass whether or not sbx_pool_open succeeds: a slot without a
pool runs its jobs with a fresh interpreter each.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SANDBOXPY, procs_with
from test_batch import batch, give_to_sandbox, no_private_dirs, write_jobs

pytestmark = pytest.mark.skipif(not Path(SANDBOXPY).exists(),
                                reason=f"no sandboxpy binary at {SANDBOXPY}")

NO_POOL = dict(os.environ, SANDBOXPY_POOL="off")
# The batch's default (the suite itself may run with SANDBOXPY_POOL=off:
# these tests are about the slots, so they ask for them).
WITH_POOL = {k: v for k, v in os.environ.items() if k != "SANDBOXPY_POOL"}

# Starts, says so in a shared directory, waits there for its go.
WAITER = ("import os, sys, time\n"
          "d, me = sys.argv[1], sys.argv[2]\n"
          "open(os.path.join(d, 'started-' + me), 'w').close()\n"
          "while not os.path.exists(os.path.join(d, 'go-' + me)): time.sleep(0.01)\n"
          "print(me)\n")


def children(pid):
    try:
        return sorted(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return []


def wait_for(path, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert path.exists(), f"{path.name} never appeared"


def outcome(r):
    rep = r["report"]
    return (rep["status"], rep.get("exit_code"), r.get("stdout", {}).get("head"),
            r.get("stderr", {}).get("tail", "")[-60:], json.dumps(r.get("stdout_match")))


def test_same_results_with_and_without_the_pool(tmp_path):
    (tmp_path / "in.txt").write_text("1 2 3\n")
    (tmp_path / "six.txt").write_text("6\n")
    jobs = [
        {"id": "sum", "code": "import sys; print(sum(map(int, sys.stdin.read().split())))",
         "stdin": str(tmp_path / "in.txt"), "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "wrong", "code": "print(7)", "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "error", "code": "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"},
        {"id": "raise", "code": "raise ValueError('no')"},
        {"id": "timeout", "code": "import time; time.sleep(30)", "timeout": 0.5},
        {"id": "violation", "code": "open('/etc/x', 'w')", "policy": "builtin:grading"},
        {"id": "denied", "code": "import socket; socket.socket().connect(('10.1.1.1', 80))"},
        {"id": "module", "module": "json.tool", "args": [str(tmp_path / "six.txt")]},
        {"id": "env", "code": "import os, sys; print(sorted(os.environ)); print(sys.path[1:])"},
        "{not json",
    ]
    runs = {}
    for mode, opts, env in [("pool", (), WITH_POOL), ("flag", ("--no-pool",), None),
                            ("env", (), NO_POOL)]:
        d = tmp_path / mode
        d.mkdir()
        proc, res, lines = batch(d, jobs, "--jobs", "2", *opts, env=env)
        assert proc.returncode == 0, proc.stderr
        assert len(lines) == len(jobs)
        runs[mode] = {r["line"]: outcome(r) for r in lines}
        if mode != "pool":
            assert "warning" not in proc.stderr, proc.stderr   # no pool asked for
        assert no_private_dirs(d) == []
    assert runs["pool"] == runs["flag"] == runs["env"]
    assert runs["pool"][1][0] == "ok" and runs["pool"][5][0] == "timeout"


@pytest.mark.parametrize("opts", [(), ("--no-pool",)])
def test_slot_killed_mid_job_fails_that_job_only(tmp_path, opts):
    shared = tmp_path / "shared"
    shared.mkdir()
    give_to_sandbox(shared)
    jobs = [{"id": "victim", "code": WAITER, "args": [str(shared), "victim"],
             "set": [f'filesystem.write=["{shared}"]']}]
    jobs += [{"id": f"after{i}", "code": f"print({i})"} for i in range(4)]
    jobs_path = write_jobs(tmp_path / "jobs.jsonl", jobs)
    results = tmp_path / "results.jsonl"
    p = subprocess.Popen([SANDBOXPY, "--batch", str(jobs_path), "--jobs", "1", "--results",
                          str(results), *opts], env=dict(WITH_POOL, TMPDIR=str(tmp_path)),
                         stderr=subprocess.PIPE, text=True)
    try:
        wait_for(shared / "started-victim", p)
        kids = children(p.pid)
        assert len(kids) == 1, kids         # --jobs 1: one slot (or worker)
        os.kill(kids[0], signal.SIGKILL)
        rc = p.wait(60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert rc == 0, p.stderr.read()
    res = {json.loads(l)["id"]: json.loads(l) for l in results.read_text().splitlines()}
    assert set(res) == {j["id"] for j in jobs}
    v = res["victim"]["report"]
    assert v["status"] == "internal" and "killed by signal 9" in v["message"], v
    for i in range(4):
        assert res[f"after{i}"]["report"]["status"] == "ok"
        assert res[f"after{i}"]["stdout"]["head"] == f"{i}\n"
    deadline = time.monotonic() + 5
    while procs_with(str(jobs_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert procs_with(str(jobs_path)) == [], "the killed slot's sandbox was left behind"
    assert no_private_dirs(tmp_path) == []


@pytest.mark.parametrize("opts", [(), ("--no-pool",)])
def test_one_slot_runs_the_jobs_one_after_another(tmp_path, opts):
    """With the pool, the batch's one child (--jobs 1) is the same slot for
    every job; without it, a new worker each time."""
    shared = tmp_path / "shared"
    shared.mkdir()
    give_to_sandbox(shared)
    jobs = [{"id": f"w{i}", "code": WAITER, "args": [str(shared), f"w{i}"],
             "set": [f'filesystem.write=["{shared}"]']} for i in range(3)]
    jobs_path = write_jobs(tmp_path / "jobs.jsonl", jobs)
    p = subprocess.Popen([SANDBOXPY, "--batch", str(jobs_path), "--jobs", "1", "--results",
                          str(tmp_path / "r.jsonl"), *opts],
                         env=dict(WITH_POOL, TMPDIR=str(tmp_path)), stderr=subprocess.PIPE)
    seen = []
    try:
        for i in range(3):
            wait_for(shared / f"started-w{i}", p)
            seen.append(children(p.pid))
            (shared / f"go-w{i}").touch()
        assert p.wait(60) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert all(len(k) == 1 for k in seen), seen
    pids = {k[0] for k in seen}
    assert len(pids) == (1 if not opts else 3), seen


def test_jobs_in_one_slot_do_not_see_each_other(tmp_path):
    """A job leaves a module global, an environment variable, a file in its
    private tmp and an open descriptor; the next job in the same slot (and
    the one after) sees none of them."""
    leave = ("import builtins, os, sys, tempfile\n"
             "builtins.LEFT = 1; sys.modules['json'] = None; os.environ['LEFT'] = '1'\n"
             "open(os.path.join(tempfile.gettempdir(), 'left'), 'w').write('x')\n"
             "keep = os.open('/dev/null', os.O_RDONLY)\n"
             "print(tempfile.gettempdir(), keep)\n")
    look = ("import builtins, json, os, tempfile\n"
            "def is_open(fd):\n"
            "    try:\n"
            "        return bool(os.fstat(fd))\n"
            "    except OSError:\n"
            "        return False\n"
            "print(hasattr(builtins, 'LEFT'), 'LEFT' in os.environ,\n"
            "      os.path.exists(os.path.join(tempfile.gettempdir(), 'left')),\n"
            "      json.dumps(1), [fd for fd in range(256) if is_open(fd)])\n")
    jobs = [{"id": "leave", "code": leave, "set": ["filesystem.tmp=true"]},
            {"id": "look1", "code": look, "set": ["filesystem.tmp=true"]},
            {"id": "look2", "code": look, "set": ["filesystem.tmp=true"]}]
    proc, res, _ = batch(tmp_path, jobs, "--jobs", "1", env=WITH_POOL)
    assert proc.returncode == 0, proc.stderr
    assert res["leave"]["report"]["status"] == "ok", res["leave"]
    # One slot, one pool: every job's interpreter came from it.
    assert all(r["report"]["layers"]["audit"]["warm"] for r in res.values()), res
    for i in ("look1", "look2"):
        assert res[i]["report"]["status"] == "ok", res[i]
        head = res[i]["stdout"]["head"]
        assert head.startswith("False False False 1 "), head
    fds = {res[i]["stdout"]["head"].split(" ", 4)[4] for i in ("look1", "look2")}
    assert len(fds) == 1, fds
    (tmp_path / "np").mkdir()
    _, nres, _ = batch(tmp_path / "np", jobs, "--jobs", "1", "--no-pool")
    assert nres["look1"]["stdout"]["head"] == res["look1"]["stdout"]["head"]


def test_at_most_one_pool_warning(tmp_path):
    jobs = [{"id": f"t{i}", "code": "print(1)"} for i in range(6)]
    proc, res, _ = batch(tmp_path, jobs, "--jobs", "3", "--progress", "plain", env=WITH_POOL)
    assert proc.returncode == 0
    warn = [l for l in proc.stderr.splitlines() if "warning" in l]
    assert len(warn) <= 1 and all("warm pool" in l for l in warn), proc.stderr
    assert all(r["report"]["status"] == "ok" for r in res.values())
    proc, _, _ = batch(tmp_path, jobs, "--jobs", "3", "--progress", "none", env=WITH_POOL)
    assert proc.stderr == ""
