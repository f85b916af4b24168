"""A sandboxpy inside a sandboxpy: the outer filter holds the only seccomp
listener the kernel allows in a filter chain, so the inner one must fall
back to its plain (EPERM) program, still refuse what its policy forbids,
and say in its report that kernel denials were not observed."""
import json
import os
import subprocess

import pytest

from conftest import SANDBOXPY

INNER = ("import ctypes; l = ctypes.CDLL(None, use_errno=True); "
         "print('fork', l.fork(), ctypes.get_errno(), flush=True)")
OUTER = f"""
import subprocess, sys
r = subprocess.run([sys.executable, "-p", "builtin:default", "-r", "inner.json", "--set", "native.ctypes=true",
                    "-c", {INNER!r}], capture_output=True, text=True)
print("INNER-RC", r.returncode)
print(r.stdout, end="")
print(r.stderr, end="")
"""


def sanitizer_build(tmp_path):
    subprocess.run([SANDBOXPY, "-q", "-r", str(tmp_path / "probe.json"), "-c", "pass"],
                   capture_output=True, timeout=60)
    return "sanitizer" in (tmp_path / "probe.json").read_text()


def test_nested_sandbox_falls_back_to_plain_filter(tmp_path):
    if sanitizer_build(tmp_path):
        pytest.skip("sanitizer build: the inner supervisor's ASan reads its options from "
                    "/proc/self/environ, which Landlock keeps closed, and LeakSanitizer then "
                    "needs ptrace, which the outer filter refuses")
    (tmp_path / "outer.py").write_text(OUTER)
    if os.geteuid() == 0:   # the write tree ".": the sandbox uid's (docs/confinement.md)
        os.chown(tmp_path, 64981, 64981)
    p = subprocess.run([SANDBOXPY, "-C", str(tmp_path), "-r", str(tmp_path / "outer.json"),
                        "--set", "process.spawn=true", "--set", 'filesystem.write=["."]',
                        str(tmp_path / "outer.py")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p
    assert "INNER-RC 0" in p.stdout, p
    # The inner filter refused fork itself (the outer one allows spawning).
    assert "fork -1 1" in p.stdout, p
    assert "kernel denials are enforced but not reported" in p.stdout, p
    inner = json.loads((tmp_path / "inner.json").read_text())
    sc = inner["layers"]["seccomp"]
    assert sc["active"] is True and sc["notify"] is False and "notify_reason" in sc, sc
    assert not [e for e in inner["events"] if e["layer"] == "seccomp"], inner
    outer = json.loads((tmp_path / "outer.json").read_text())
    assert outer["status"] == "ok", outer
    # The inner sandboxpy's namespaces are refused by the outer filter
    # (clone with namespace flags is never allowed) and it says so. Its
    # events scratch file is a memfd, which the outer policy (no native
    # code) refuses too: it keeps its events without one.
    assert [(e["syscall"], e["rule"]) for e in outer["events"]
            if e["syscall"] != "memfd_create"] == [("clone", "system")], outer
    assert all(e["rule"] == "native.ctypes" for e in outer["events"] if e["syscall"] == "memfd_create"), outer
    assert "namespaces are not in force" in p.stdout, p


def run(tmp_path, policy, code, report="r.json"):
    (tmp_path / "p.json").write_text(json.dumps(policy))
    p = subprocess.run([SANDBOXPY, "-C", str(tmp_path), "-p", str(tmp_path / "p.json"),
                        "-r", str(tmp_path / report), "-c", code],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    return p, json.loads((tmp_path / report).read_text())


def test_logged_event_explains_kernel_denial(tmp_path):
    """An events[] rule that logs os.fork lets Python go on; the kernel then
    refuses the fork (process.spawn is false). Python saw it: not a bypass."""
    p, rep = run(tmp_path, {"version": 1, "events": [{"event": "os.fork", "action": "log"}]},
                 "import os\ntry:\n    os.fork()\nexcept PermissionError:\n    print('REFUSED')")
    assert "REFUSED" in p.stdout, p
    kinds = [(e["layer"], e["action"], e.get("bypass")) for e in rep["events"]]
    assert kinds == [("audit", "log", None), ("seccomp", "deny", False)], rep
    assert rep["summary"]["bypass"] == 0, rep


def test_audit_deny_does_not_explain_later_bypass(tmp_path):
    """A refused subprocess.run never reaches the kernel; a ctypes fork after
    it is still a bypass."""
    code = ("import subprocess, ctypes\n"
            "try:\n    subprocess.run(['/bin/true'])\nexcept PermissionError:\n    print('AUDIT-DENIED')\n"
            "l = ctypes.CDLL(None, use_errno=True)\nprint('FORK', l.fork(), ctypes.get_errno())")
    p, rep = run(tmp_path, {"version": 1, "native": {"ctypes": True}}, code)
    assert "AUDIT-DENIED" in p.stdout and "FORK -1 1" in p.stdout, p
    kinds = [(e["layer"], e["rule"], e.get("bypass")) for e in rep["events"]]
    assert kinds == [("audit", "process.spawn", None), ("seccomp", "process.spawn", True)], rep
    assert rep["summary"]["bypass"] == 1, rep


FD_FLOOD = """
import array, socket, sys, time
chan = socket.socket(fileno=3)
r, w = __import__("os").pipe()
for i in range(200):
    try:
        chan.sendmsg([b"\\x01\\x00\\x03\\x00" + b"\\x00" * 4092],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [r, w, 0]))])
    except OSError as e:
        print("send failed", e, flush=True)
        break
print("SENT", flush=True)
sys.stdout.flush()
time.sleep(1.5)
"""


def test_descriptors_forged_on_the_channel_are_closed(tmp_path):
    """The program writes READY-typed records carrying descriptors to the
    channel: the supervisor drops and counts them and keeps no descriptor
    (its open descriptors do not grow)."""
    (tmp_path / "flood.py").write_text(FD_FLOOD)
    proc = subprocess.Popen([SANDBOXPY, "-q", "-C", str(tmp_path), "-r", str(tmp_path / "r.json"),
                             str(tmp_path / "flood.py")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.strip() == "SENT", line
    import os
    import time
    time.sleep(0.5)
    fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert fds < 20, fds
    rep = json.loads((tmp_path / "r.json").read_text())
    # Forged packets are junk, not dropped events (issue 18).
    assert rep["summary"]["channel_junk"] == 200, rep["summary"]
    assert rep["summary"]["events_dropped"] == 0, rep["summary"]
    assert rep["layers"]["seccomp"]["notify"] is True


def test_denial_lines_on_stderr_are_bounded(tmp_path):
    """300 refused syscalls: 100 denial lines and one line saying the rest
    are not shown; the summary and the report still count all 300."""
    code = ("import ctypes\nl = ctypes.CDLL(None)\n"
            "for i in range(300):\n    l.syscall(101, 0, 0, 0, 0)\nprint('DONE')")
    p, rep = run(tmp_path, {"version": 1, "native": {"ctypes": True}}, code)
    assert "DONE" in p.stdout, p
    lines = [l for l in p.stderr.splitlines() if l.startswith("sandboxpy: denied ")]
    assert len(lines) == 100, p.stderr[-2000:]
    assert "further denials are not shown" in p.stderr
    assert rep["summary"]["denied"] == 300 and len(rep["events"]) == 300
    assert "300 denied" in p.stderr.splitlines()[-1]
