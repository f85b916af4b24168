"""Issue 18, the records a report keeps and the order of standard error,
checked from outside:

- a flood of 300000 logs from four threads then one refusal (audit,
  --audit-only, a kernel bypass): the refusal is in the report's events,
  the counts are exact, events_dropped is split by action, and the
  supervisor's memory stays flat;
- the README's first example, run 30 times: the "sandboxpy: denied" line
  always comes before the program's traceback, whose lines stay together.
"""
import json
import os
import subprocess
import time

import pytest

from conftest import SANDBOXPY

FLOOD = 300000

FLOOD_PROG = '''
import sys, threading
def work(k):
    for i in range({n} // 4):
        sys.audit("app.tick", k, i)
ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
{last}
'''

DENIED_READ = '''
try:
    open(sys.argv[1]).read()
    print("READ", flush=True)
except PermissionError:
    print("DENIED", flush=True)
'''

NATIVE_OPEN = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), 0o101, 0o644)   # O_WRONLY|O_CREAT
print("OPEN", fd, ctypes.get_errno(), flush=True)
'''

LOG_APP = {"version": 1, "events": [{"prefix": "app.", "action": "log"}]}


def flood(sbx, last, policy, opts=(), log=False):
    sbx.script(FLOOD_PROG.format(n=FLOOD, last=last))
    secret = sbx.outside / "secret"
    secret.write_text("x")
    return sbx.run("prog.py", str(secret), policy=policy, opts=opts, timeout=240, log=log)


def dropped_logs(res):
    s = res.report["summary"]
    assert s["logged"] == FLOOD + (1 if res.report.get("mode") == "audit-only" else 0), s
    logs = [e for e in res.report["events"] if e["action"] == "log" and "would" not in e]
    assert len(logs) == 10000, len(logs)
    assert s["events_dropped"] == FLOOD - 10000, s
    assert s["events_dropped_by_action"] == {"log": FLOOD - 10000, "deny": 0, "kill": 0,
                                             "would_deny": 0, "would_kill": 0}, s
    seqs = [e["seq"] for e in res.report["events"]]
    assert seqs == sorted(seqs), "events out of order"


def test_denial_after_a_log_flood_is_kept(sbx):
    res = flood(sbx, DENIED_READ, LOG_APP, log=True)
    assert res.rc == 0 and "DENIED" in res.stdout, res.stderr[-2000:]
    den = res.events(action="deny")
    assert [(e["event"], e["rule"]) for e in den] == [("open", "filesystem.read")], den
    assert den[0]["seq"] == FLOOD + 1
    assert res.report["summary"]["denied"] == 1
    dropped_logs(res)
    # --log keeps the same order: the log lines stop at the bound, the
    # refusal is still written after the note.
    assert any(l.get("note") == "log_truncated" for l in res.log)
    assert [l["action"] for l in res.log if l.get("action") == "deny"] == ["deny"]


def test_would_deny_after_a_log_flood_is_kept(sbx):
    res = flood(sbx, DENIED_READ, LOG_APP, opts=["--audit-only"])
    assert res.rc == 0 and "READ" in res.stdout, res.stderr[-2000:]
    would = [e for e in res.report["events"] if e.get("would") == "deny"]
    assert [(e["event"], e["rule"]) for e in would] == [("open", "filesystem.read")], would
    assert res.report["summary"]["would_deny"] == 1
    dropped_logs(res)


def test_kernel_bypass_after_a_log_flood_is_kept(sbx):
    pol = dict(LOG_APP, native={"ctypes": True})
    res = flood(sbx, NATIVE_OPEN, pol)
    assert res.rc == 0 and "OPEN -1" in res.stdout, res.stderr[-2000:]
    k = [e for e in res.report["events"] if e["layer"] in ("seccomp", "landlock")]
    assert [(e["rule"], e["bypass"]) for e in k] == [("filesystem.write", True)], k
    assert res.report["summary"]["bypass"] == 1 and res.report["summary"]["denied"] == 1
    dropped_logs(res)


def supervisor_hwm_kb(cmd, cwd):
    """Runs cmd; the peak RSS (VmHWM) of the supervisor, the CLI's child
    (the CLI's own process is the last-resort guard), last read from
    /proc before it ends."""
    # In the sanitizer build, freed memory waits in a 256 MB quarantine
    # before reuse: without it the peak is what the supervisor keeps.
    env = dict(os.environ, ASAN_OPTIONS=":".join(
        o for o in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0",
                    "thread_local_quarantine_size_kb=0") if o))
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    hwm = 0
    while p.poll() is None:
        try:
            kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
            if kids:
                for line in open(f"/proc/{kids[0]}/status"):
                    if line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)
    assert p.returncode == 0
    return hwm


def test_supervisor_memory_flat_under_a_flood(sbx):
    """300000 logs and 20000 denials: the supervisor's peak RSS stays
    within 2 MiB of a run with one denial (events go to a file)."""
    many = "for i in range(20000):\n    try:\n        open(sys.argv[1])\n    except PermissionError:\n        pass\n"
    sbx.write_policy(LOG_APP)
    secret = sbx.outside / "secret"
    secret.write_text("x")
    base = [SANDBOXPY, "-q", "-p", str(sbx.policy_path), "-r", str(sbx.report_path), "prog.py", str(secret)]
    sbx.script("import sys\n" + DENIED_READ)
    small = supervisor_hwm_kb(base, sbx.cwd)
    sbx.script(FLOOD_PROG.format(n=FLOOD, last=many))
    big = supervisor_hwm_kb(base, sbx.cwd)
    rep = json.loads(sbx.report_path.read_text())
    assert rep["summary"]["denied"] == 20000
    assert len([e for e in rep["events"] if e["action"] == "deny"]) == 20000
    assert 0 < small and big < small + 2048, (small, big)


README_POLICY = {"version": 1, "filesystem": {"read": ["."], "write": ["./out"]},
                 "limits": {"cpu_seconds": 2, "memory_mb": 256}, "on_violation": "deny"}

README_SOLUTION = '''import json
data = {"a": 1}
with open("/etc/passwd", "w") as f:
    json.dump(data, f)
'''


def test_readme_example_denial_line_in_order(sbx):
    """README's first example with an uncaught PermissionError, 30 runs:
    standard error is always the denial line, then the whole traceback
    (the hook waits until its record is read; the supervisor copies the
    program's stderr up to each record it reads)."""
    (sbx.cwd / "out").mkdir()
    sbx.script(README_SOLUTION, name="solution.py")
    shapes = set()
    for _ in range(30):
        res = sbx.run("solution.py", policy=README_POLICY)
        assert res.rc == 1, res
        lines = [l for l in res.stderr.splitlines() if not l.startswith("sandboxpy: error:")]
        own = [i for i, l in enumerate(lines) if l.startswith("sandboxpy: denied open '/etc/passwd'")]
        tb = [i for i, l in enumerate(lines) if l.startswith("Traceback")]
        assert len(own) == 1 and len(tb) == 1, res.stderr
        shapes.add((own[0], tb[0]))
    assert shapes == {(0, 1)}, shapes
