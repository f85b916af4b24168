"""The supervisor against a hostile child: the program writes to the
channel (descriptor 3) itself, malformed, forged, in floods, from a
grandchild; closes it; stops itself; never sends the seccomp listener or
sends it twice. The supervisor must survive, stay bounded, count exactly
what it drops, and still write a correct report."""
import json
import os
import struct
import subprocess
import time

import pytest

from conftest import SANDBOXPY

FAULTS = os.environ.get("SANDBOXPY_FAULTS",
                        os.path.join(os.path.dirname(SANDBOXPY), "tests", "sandboxpy-faults"))

# struct sbx_chan_rec (include/sbx_channel.h): 4096 bytes. The run's key is
# not the program's to know: every record forged here carries a wrong one.
HEADER = struct.Struct("=HHIIIIiIIIHHHH16s")
REC_SIZE = 4096
EVENT, SETUP_FAIL, READY, LAYER_FAIL = 1, 2, 3, 4
RULE_FS_WRITE, DENY, LOG = 2, 2, 1

WRITER = '''
import socket, struct
HEADER = struct.Struct("=HHIIIIiIIIHHHH16s")
chan = socket.socket(fileno=3)

def rec(version=2, type=1, pid=2, rule=2, action=2, clause=0, err=0, step=0,
        event=b"open", where=b"", detail=b"", args=b"[]", lens=None, size=4096, seq=1, tid=2, key=b""):
    ev, wh, de, ar = event.ljust(128, b"\\0"), where.ljust(256, b"\\0"), detail.ljust(256, b"\\0"), args.ljust(3396, b"\\0")
    l = lens or (len(event), len(where), len(detail), len(args))
    body = HEADER.pack(version, type, pid, rule, action, clause, err, step, seq, tid, *l, key) + ev + wh + de + ar
    return (body + bytes(max(0, size - len(body))))[:size]

def send(r):
    try:
        chan.send(r)
        return True
    except OSError:
        return False
'''


def run(sbx, code, policy=None, timeout=120, opts=(), binary=SANDBOXPY, env=None):
    sbx.script(WRITER + code)
    cmd = [binary, "-C", str(sbx.cwd), "-r", str(sbx.report_path), *opts, "prog.py"]
    if policy is not None:
        sbx.write_policy(policy)
        cmd[1:1] = ["-p", str(sbx.policy_path)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=sbx.cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return p, json.loads(sbx.report_path.read_text()), time.monotonic() - t0


def test_malformed_records_dropped_and_counted(sbx):
    """Every field out of range, truncated, oversized, wrong version, and a
    well-formed record without the run's key: each one dropped and counted
    as channel junk, the run marked as tampered; nothing of them in the
    report. (The key is new: a plausible forged denial used to be kept;
    test_decode checks that the text of a real one is made printable.)"""
    code = '''
bad = [
    rec(version=1), rec(version=3), rec(version=0), rec(type=0), rec(type=99), rec(rule=10**6), rec(action=77),
    rec(lens=(4000, 0, 0, 2)), rec(lens=(4, 9999, 0, 2)), rec(lens=(4, 0, 9999, 2)),
    rec(lens=(4, 0, 0, 60000)), rec(args=b"{not json"), rec(args=b'{"an": "object"}'),
    rec(size=100), rec(size=4095), rec(size=8192), b"",
    rec(type=2, step=99),          # a set-up failure after READY: forged
    rec(type=3),                   # a second READY: forged
    rec(action=1),                 # a "log" the policy cannot produce: forged
]
sent = sum(send(r) for r in bad)
# A plausible denial with bytes that are not text: kept, made printable.
send(rec(event=b"\\xff\\xfe\\x00bad\\x1b[31m\\xc2\\x9b"))
print("SENT", sent, flush=True)
'''
    p, rep, _ = run(sbx, code)
    assert p.returncode == 0, p
    sent = int(p.stdout.split("SENT ")[1])
    assert sent >= 20, p.stdout
    assert rep["status"] == "ok", rep
    assert rep["events"] == [], rep
    # Junk is no event of the program: counted as junk, not as dropped.
    assert rep["summary"]["events_dropped"] == 0, rep["summary"]
    assert rep["summary"]["channel_junk"] == sent + 1, rep["summary"]
    assert rep["summary"]["channel_tampered"] is True, rep["summary"]
    assert any(e.startswith("channel: ") for e in rep["errors"]), rep["errors"]
    assert "\x1b" not in p.stderr and "\ufffd" not in p.stderr


def test_forged_log_record_does_not_hide_a_bypass(sbx):
    """A log record the policy could not produce, then a native fork: the
    kernel denial stays a bypass."""
    code = '''
import ctypes
send(rec(rule=7, action=1, event=b"os.fork"))   # process.spawn, "log"
libc = ctypes.CDLL(None, use_errno=True)
print("FORK", libc.fork(), ctypes.get_errno(), flush=True)
'''
    p, rep, _ = run(sbx, code, policy={"version": 1, "native": {"ctypes": True}})
    assert "FORK -1 1" in p.stdout, p
    ev = [e for e in rep["events"] if e["layer"] == "seccomp"]
    assert [(e["rule"], e["bypass"]) for e in ev] == [("process.spawn", True)], rep
    assert rep["summary"]["bypass"] == 1 and rep["summary"]["channel_junk"] == 1, rep
    assert rep["summary"]["events_dropped"] == 0, rep


def test_flood_of_a_million_records(sbx):
    """A million valid-looking denial records (without the run's key): each
    is counted as junk (no event of the program, so not dropped), none
    kept, and the supervisor's memory stays bounded (read from outside
    while the program waits). Genuine floods: test_records.py."""
    code = '''
import os, sys, time
r = rec(detail=b"flood")
n = 0
for i in range(1000000):
    if send(r):
        n += 1
print("SENT", n, flush=True)
sys.stdin.readline()
'''
    sbx.script(WRITER + code)
    cmd = [SANDBOXPY, "-q", "-C", str(sbx.cwd), "-r", str(sbx.report_path), "prog.py"]
    proc = subprocess.Popen(cmd, cwd=sbx.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("SENT "), (line, proc.stderr.read() if proc.poll() is not None else "")
    n = int(line.split()[1])
    time.sleep(1.0)         # let the supervisor drain the socket
    status = open(f"/proc/{proc.pid}/status").read()
    hwm_kb = int([l for l in status.splitlines() if l.startswith("VmHWM:")][0].split()[1])
    out, err = proc.communicate("\n", timeout=120)
    assert proc.returncode == 0, err
    rep = json.loads(sbx.report_path.read_text())
    assert n == 1000000
    assert rep["events"] == [], len(rep["events"])
    assert rep["summary"]["events_dropped"] == 0, rep["summary"]
    assert rep["summary"]["channel_junk"] == n, rep["summary"]
    assert rep["summary"]["denied"] == 0
    # 10000 kept events are a few MB of JSON; a million would be ~1 GB.
    # AddressSanitizer's quarantine and shadow add a fixed few hundred MB.
    sanitizer = "sanitizer" in json.dumps(rep["layers"]["rlimits"])
    assert hwm_kb < (1024 if sanitizer else 200) * 1024, hwm_kb


def test_channel_cannot_be_closed_shut_down_or_replaced(sbx):
    """Descriptor 3 is the hook's line to the supervisor: closing it,
    shutting it down or dup2-ing another socket over it fails with EBADF,
    so a later denial is still recorded."""
    code = '''
import os, socket
for what, call in (("shutdown", lambda: chan.shutdown(socket.SHUT_RDWR)),
                   ("close", lambda: os.close(3)),
                   ("dup2", lambda: os.dup2(socket.socketpair()[0].fileno(), 3)),
                   ("closerange", lambda: os.closerange(3, 4))):
    try:
        call()
        print(what, "ok", flush=True)
    except OSError as e:
        print(what, "errno", e.errno, flush=True)
try:
    open("/etc/sbx-hostile-test", "w")
except PermissionError:
    print("DENIED", flush=True)
'''
    p, rep, _ = run(sbx, code)
    assert p.returncode == 0 and "DENIED" in p.stdout, p
    for what in ("shutdown", "close", "dup2"):
        assert f"{what} errno 9" in p.stdout, p.stdout
    assert not os.path.exists("/etc/sbx-hostile-test")
    assert [(e["layer"], e["event"]) for e in rep["events"]] == [("audit", "open")], rep
    assert rep["summary"]["denied"] == 1, rep


def test_grandchild_writes_garbage_to_the_channel(sbx):
    code = '''
import os
pid = os.fork()
if pid == 0:
    for i in range(50):
        send(rec(version=9))
        send(b"junk" * 10)
    os._exit(0)
os.waitpid(pid, 0)
print("DONE", flush=True)
'''
    p, rep, _ = run(sbx, code, policy={"version": 1, "process": {"spawn": True}})
    assert p.returncode == 0 and "DONE" in p.stdout, p
    assert rep["status"] == "ok" and rep["events"] == [], rep
    assert rep["summary"]["channel_junk"] == 100, rep["summary"]
    assert rep["summary"]["events_dropped"] == 0, rep["summary"]


def test_child_that_stops_itself(sbx):
    """SIGSTOP to itself: the supervisor does not wait forever; the wall
    clock ends it with status timeout, within a second of the limit."""
    code = '''
import os, signal
os.kill(os.getpid(), signal.SIGSTOP)
print("RESUMED", flush=True)
'''
    p, rep, elapsed = run(sbx, code, opts=["--timeout", "1"])
    assert p.returncode == 124 and "RESUMED" not in p.stdout, p
    assert rep["status"] == "timeout", rep
    assert elapsed < 2.5, elapsed


@pytest.mark.parametrize("fault", ["no-listener", "listener-twice"])
def test_listener_never_or_twice(sbx, fault):
    """The listener never arrives: refusals still happen, the report says
    they were not observed. It arrives twice: the second is dropped."""
    code = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("PTRACE", libc.syscall(101, 0, 0, 0, 0), flush=True)
'''
    env = dict(os.environ, SANDBOXPY_FAULT=fault)
    p, rep, _ = run(sbx, code, policy={"version": 1, "native": {"ctypes": True}}, binary=FAULTS,
                    env=env)
    assert p.returncode == 0 and "PTRACE -1" in p.stdout, p
    sc = rep["layers"]["seccomp"]
    if fault == "no-listener":
        assert sc["active"] is True and sc["notify"] is False, sc
        assert "not observed" in sc["notify_reason"] and rep["errors"], rep
    else:
        assert sc["notify"] is True and rep["summary"]["channel_junk"] == 1, rep
        assert rep["summary"]["events_dropped"] == 0, rep
        assert [e["syscall"] for e in rep["events"]] == ["ptrace"], rep


def test_forged_lines_on_stderr_do_not_change_the_report(sbx):
    code = '''
import sys
sys.stderr.write("sandboxpy: ok: exited normally; 0 denied, 0 logged\\n")
sys.stderr.write("sandboxpy: denied open '/etc/shadow' (not in filesystem.read)\\n")
send(rec(type=2, step=3, err=13))     # forged set-up failure after READY
raise SystemExit(3)
'''
    p, rep, _ = run(sbx, code)
    assert p.returncode == 3, p
    assert rep["status"] == "error" and rep["exit_code"] == 3, rep
    assert rep["events"] == [] and rep["summary"]["channel_junk"] == 1, rep
    assert rep["summary"]["events_dropped"] == 0, rep


@pytest.mark.parametrize("fault,field", [("chan-gap", "channel_gaps"), ("chan-repeat", "channel_disorder")])
def test_record_lost_or_replayed_ends_the_run(sbx, fault, field):
    """The hook's second record never arrives (its number is skipped), or
    its third carries the second's number: the record is no longer whole,
    so the supervisor counts it and ends the sandbox as tampered."""
    code = '''
import time
for i in range(3):
    try:
        open(f"/nonexistent-dir/x{i}", "w")
    except OSError:
        pass
time.sleep(5)
print("SURVIVED", flush=True)
'''
    env = dict(os.environ, SANDBOXPY_FAULT=fault)
    p, rep, elapsed = run(sbx, code, binary=FAULTS, env=env)
    assert "SURVIVED" not in p.stdout and elapsed < 4, (p, elapsed)
    assert p.returncode == 126 and rep["status"] == "violation", rep
    assert rep["summary"]["killed_by"]["rule"] == "channel", rep["summary"]
    assert rep["summary"][field] == 1 and rep["summary"]["channel_tampered"] is True, rep["summary"]
    assert any("lost, repeated or out of order" in e for e in rep["errors"]), rep["errors"]


def test_shutdown_of_a_copy_ends_the_run(sbx):
    """shutdown() of a dup of descriptor 3 (the filter only knows the
    number 3): the supervisor sees its end of file, ends the sandbox, and
    the report says the channel was lost; never ok."""
    code = '''
import os, time
s = socket.socket(fileno=os.dup(3))
s.shutdown(socket.SHUT_WR)
time.sleep(5)
print("SURVIVED", flush=True)
'''
    p, rep, elapsed = run(sbx, code)
    assert "SURVIVED" not in p.stdout and elapsed < 4, (p, elapsed)
    assert rep["status"] == "violation" and p.returncode == 126, rep
    assert rep["summary"]["killed_by"]["rule"] == "channel", rep["summary"]
    assert rep["summary"]["channel_tampered"] is True, rep["summary"]


# ---- the supervisor's own robustness (issue 15 items 8-9, issue 21 item 4) ----

def _cgroup_dirs(sup_pid):
    import glob
    return glob.glob(f"/sys/fs/cgroup/sandboxpy-{sup_pid}") + \
        glob.glob(f"/sys/fs/cgroup/*/sandboxpy-{sup_pid}")


def _supervisor_of(guard_pid, timeout=10):
    """The real supervisor: the sandboxpy process's only child."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            kids = open(f"/proc/{guard_pid}/task/{guard_pid}/children").read().split()
        except OSError:
            kids = []
        if kids:
            return int(kids[0])
        time.sleep(0.005)
    raise AssertionError("no supervisor process under sandboxpy")


TMP_POLICY = {"version": 1, "filesystem": {"tmp": True}}
SLEEPER = '''
import os, time
open(os.path.join(os.environ["TMPDIR"], "mine"), "w").write("x")
print("TMPDIR", os.environ["TMPDIR"], flush=True)
time.sleep(0.2)
os.write(2, b"now\\n")    # sandboxpy-faults' supervisor-crash aborts here
time.sleep(60)   # MARKER
'''


def _leftovers_after(p, sup, tmpdir, marker):
    from conftest import procs_with
    assert not _cgroup_dirs(sup), _cgroup_dirs(sup)
    assert tmpdir and not os.path.exists(tmpdir), tmpdir
    assert not procs_with(marker), procs_with(marker)


@pytest.mark.parametrize("how", ["SIGKILL from outside", "crash (fault)"])
def test_supervisor_death_still_leaves_a_report_and_nothing_else(sbx, how):
    """The supervisor dies (killed, or aborts): the last-resort parent kills
    the sandbox, removes the run's cgroups and tmp dir, and writes an
    internal report."""
    marker = f"MARKER-{os.getpid()}-{time.monotonic_ns()}"
    sbx.script(SLEEPER.replace("MARKER", marker))
    sbx.write_policy(TMP_POLICY)
    env = dict(os.environ)
    if how.startswith("crash"):
        env["SANDBOXPY_FAULT"] = "supervisor-crash"
    cmd = [FAULTS, "-C", str(sbx.cwd), "-p", str(sbx.policy_path), "-r", str(sbx.report_path),
           "prog.py"]
    p = subprocess.Popen(cmd, cwd=sbx.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    sup = _supervisor_of(p.pid)
    line = p.stdout.readline()
    assert line.startswith("TMPDIR "), (line, p.wait(30), p.stderr.read(), sbx.report_path.read_text()[:1500])
    tmpdir = line.split()[1]
    assert os.path.isdir(tmpdir) and _cgroup_dirs(sup)
    if how.startswith("SIGKILL"):
        os.kill(sup, 9)
    out, err = p.communicate(timeout=60)
    rep = json.loads(sbx.report_path.read_text())
    assert p.returncode == 125, (p.returncode, out, err)
    assert rep["status"] == "internal", rep
    want = "SIGKILL" if how.startswith("SIGKILL") else "SIGABRT"
    assert want in rep["message"] and "last-resort" in rep["message"], rep["message"]
    assert "sandboxpy: internal: the supervisor died" in err, err
    _leftovers_after(p, sup, tmpdir, marker)


def test_sigterm_reaches_the_supervisor_through_the_guard(sbx):
    """SIGTERM to sandboxpy (the last-resort parent) goes on to the
    supervisor, which ends the run, writes its report and exits 143."""
    sbx.script("import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    sbx.write_policy({"version": 1})
    p = subprocess.Popen([SANDBOXPY, "-C", str(sbx.cwd), "-p", str(sbx.policy_path), "-r",
                          str(sbx.report_path), "prog.py"], cwd=sbx.cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "up\n"
    p.terminate()
    p.communicate(timeout=30)
    assert p.returncode == 143, p.returncode
    rep = json.loads(sbx.report_path.read_text())
    assert rep["status"] == "signal" and "SIGTERM" in rep["message"], rep


def test_wall_limit_holds_while_a_notification_stalls(sbx):
    """A notification the supervisor takes 6 s to answer (a fault standing
    for a costly path): the wall limit of 2 s still ends the run at 2 s."""
    code = '''
import os, threading, time
t0 = time.monotonic()
def late():
    time.sleep(4)
    print("ESCAPED at %.1f" % (time.monotonic() - t0), flush=True)
    os._exit(0)
threading.Thread(target=late, daemon=True).start()
os.mkfifo("fifo")
time.sleep(30)
'''
    env = dict(os.environ, SANDBOXPY_FAULT="notify-stall")
    p, rep, elapsed = run(sbx, code, binary=FAULTS, env=env, timeout=60,
                          policy={"version": 1, "filesystem": {"write": ["."]},
                                  "limits": {"wall_seconds": 2}})
    assert "ESCAPED" not in p.stdout, p.stdout
    assert p.returncode == 124, p
    assert rep["status"] == "timeout" and "wall" in rep["message"], rep
    assert elapsed >= 5.5, elapsed      # the stall was real


def test_log_is_bounded(sbx):
    """30000 logs then 5 refused opens: --log keeps 10000 log lines, then
    one note, the 5 refusals (issue 18: logs go first, refusals are kept),
    and a last note with the count of the lines left out."""
    code = '''
for i in range(30000):
    sys.audit("app.tick", i)
for i in range(5):
    try:
        open("/etc/passwd-%d" % i, "w")
    except OSError:
        pass
'''
    p, rep, _ = run(sbx, "import sys\n" + code, opts=("--log", str(sbx.log_path), "-q"), timeout=300,
                    policy={"version": 1, "events": [{"prefix": "app.", "action": "log"}]})
    assert p.returncode == 0, p
    lines = sbx.log_path.read_text().splitlines()
    notes = [json.loads(x) for x in lines if '"note"' in x]
    assert len(lines) == 10000 + 5 + 2, len(lines)
    assert notes[0]["note"] == "log_truncated" and notes[0]["after_lines"] == 10000, notes
    assert notes[-1] == {"note": "log_truncated", "omitted": 20000}, notes
    assert [json.loads(x)["action"] for x in lines[10001:10006]] == ["deny"] * 5
    assert rep["summary"]["denied"] == 5 and rep["summary"]["logged"] == 30000, rep["summary"]


def test_program_stderr_cannot_erase_or_outgrow_ours(sbx, tmp_path):
    """Standard error is a file (2>&1): the program gets a pipe for both
    streams, ftruncate(2, 0) fails, the supervisor's lines stay, and a
    flood stops at file_size_mb with status output, measured."""
    sbx.script('''
import os, sys
print("before", flush=True)
try:
    open("/etc/passwd-x", "w")
except OSError:
    pass
print("after", flush=True)
try:
    os.ftruncate(2, 0)
    print("TRUNCATED")
except OSError as e:
    print("ftruncate:", e.errno, flush=True)
chunk = b"E" * 65536
for _ in range(64):
    try:
        os.write(2, chunk)
    except OSError:
        break
''')
    sbx.write_policy({"version": 1, "limits": {"file_size_mb": 1}})
    both = tmp_path / "both.txt"
    with open(both, "wb") as f:
        p = subprocess.run([SANDBOXPY, "-C", str(sbx.cwd), "-p", str(sbx.policy_path), "-r",
                            str(sbx.report_path), "prog.py"], cwd=sbx.cwd, stdout=f, stderr=f,
                           timeout=60)
    data = both.read_bytes()
    rep = json.loads(sbx.report_path.read_text())
    assert b"TRUNCATED" not in data and b"ftruncate: 22" in data, data[:400]
    # The program's two streams share one pipe: their order is kept. The
    # supervisor's line comes when it reads the record, near, not exact.
    head = data[:data.index(b"EEEE")]
    assert head.index(b"before") < head.index(b"after") < head.index(b"ftruncate: 22"), head
    assert data.count(b"sandboxpy: denied open '/etc/passwd-x'") == 1, data[:400]
    assert rep["status"] == "output" and "standard output and error" in rep["message"], rep
    assert p.returncode == 153, p.returncode
    assert len(data) <= (1 << 20) + 4096, len(data)
    # The summary comes last, after the part of the flood that fitted.
    assert b"sandboxpy: output:" in data[data.rindex(b"E"):], data[-300:]
