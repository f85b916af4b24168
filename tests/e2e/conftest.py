"""Shared fixtures for the end-to-end tests: run the sandboxpy binary as a
subprocess in a fresh working directory, with its own policy file, and look
at what happened from outside (files, a TCP listener, /proc), at the report,
the --log file and the denial lines on standard error.

The binary comes from $SANDBOXPY (ctest sets it), else the default build.
The standard library, pytest and python3-jsonschema are used: every report,
--log line and batch result line a test produces is checked against
docs/report.schema.json (tests/schema/report_schema.py), as it is read and,
after each test, whatever is left under the test's tmp_path.
"""
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "schema"))
import report_schema  # noqa: E402  (after the path above)
from report_fixtures import reports_match_the_schema  # noqa: E402,F401  (autouse)

SANDBOXPY = os.path.abspath(os.environ.get("SANDBOXPY", "/work/main/build/sandboxpy"))
# Plain CPython, to compare behaviour with (the one sandboxpy embeds).
PYTHON = "/usr/bin/python3.11"

# cli.md: "sandboxpy: denied <detail> at <file:line> (<setting>)"; a kill
# action adds "; ending the sandbox".
DENIAL_RE = re.compile(
    r"^sandboxpy: denied (?P<detail>.+?)(?: at (?P<where>\S+:\d+))? "
    r"\((?P<setting>[^()]*)\)(?P<kill>; ending the sandbox)?$"
)

MODES = ("deny", "kill")
SANDBOX_UID = 64981


def on_a_pty(start):
    """Runs start(slave, master) with a fresh pseudo-terminal (start waits
    for what it runs; it may type at the master end), then reads what was
    written to the terminal until its end: the process and everything read."""
    import pty
    master, slave = pty.openpty()
    try:
        proc = start(slave, master)
        os.close(slave)
        slave = -1
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    return proc, seen


def give_write_trees(policy_path, cwd, base):
    """Started as root, the program runs as uid 64981 and writes a write
    tree as itself: sandboxpy refuses one that uid cannot write rather than
    make it writable as root (docs/confinement.md). The trees a test made
    under its own directory are given to that uid, as a grader would."""
    if os.geteuid() != 0:
        return
    try:
        doc = json.loads(Path(policy_path).read_text())
        writes = (doc.get("filesystem") or {}).get("write") or []
    except (OSError, ValueError, AttributeError):
        return
    for w in writes if isinstance(writes, list) else []:
        if not isinstance(w, str):
            continue
        p = Path(w) if os.path.isabs(w) else Path(cwd) / w
        try:
            if p.exists() and str(p.resolve()).startswith(str(Path(base).resolve()) + "/"):
                os.chown(p, SANDBOX_UID, SANDBOX_UID)
        except OSError:
            pass



class Result:
    def __init__(self, proc, report_path, log_path, elapsed, cmd):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed
        self.cmd = cmd
        self.report_path = report_path
        self.report = None
        if report_path is not None and report_path.exists():
            self.report = report_schema.load_report(report_path)
        self.log = None
        if log_path is not None and log_path.exists():
            self.log = [json.loads(line) for line in log_path.read_text().splitlines()]
            for i, line in enumerate(self.log, 1):
                report_schema.check_log_line(line, f"{log_path}:{i}")

    def __repr__(self):
        return (f"Result(rc={self.rc}, cmd={self.cmd!r},\n stdout={self.stdout!r},\n"
                f" stderr={self.stderr!r},\n report={json.dumps(self.report, indent=1)})")

    def events(self, rule=None, action=None, event=None):
        evs = self.report["events"] if self.report else []
        return [e for e in evs
                if (rule is None or e.get("rule") == rule)
                and (action is None or e.get("action") == action)
                and (event is None or e.get("event") == event)]

    def denial_lines(self):
        """The parsed denial lines of sandboxpy on standard error."""
        out = []
        for line in self.stderr.splitlines():
            if line.startswith("sandboxpy: denied "):
                m = DENIAL_RE.match(line)
                assert m, f"denial line not in the cli.md format: {line!r}"
                out.append(m.groupdict())
        return out

    def own_lines(self):
        """Every line sandboxpy itself wrote on standard error."""
        return [l for l in self.stderr.splitlines() if l.startswith("sandboxpy:")]


class Sandbox:
    """One test's sandbox: cwd is a fresh directory that nothing else uses;
    `outside` is a sibling directory that no policy names."""

    def __init__(self, base):
        self.base = base
        self.cwd = base / "work"
        self.cwd.mkdir()
        self.outside = base / "outside"
        self.outside.mkdir()
        self.report_path = base / "report.json"
        self.log_path = base / "events.jsonl"
        self.policy_path = self.cwd / "policy.json"

    def write_policy(self, doc, name="policy.json"):
        path = self.cwd / name
        path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
        self.policy_path = path
        give_write_trees(path, self.cwd, self.base)
        return path

    def script(self, text, name="prog.py"):
        path = self.cwd / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def run(self, *args, policy=None, report=True, log=False, quiet=False, input=None,
            timeout=60, env=None, opts=(), cwd=None):
        if policy is not None:
            self.write_policy(policy)
        for p in (self.report_path, self.log_path):
            if p.exists():
                p.unlink()
        give_write_trees(self.policy_path, self.cwd, self.base)
        cmd = [SANDBOXPY, "-C", str(self.cwd), "-p", str(self.policy_path)]
        if report:
            cmd += ["-r", str(self.report_path)]
        if log:
            cmd += ["--log", str(self.log_path)]
        if quiet:
            cmd += ["-q"]
        cmd += list(opts) + [str(a) for a in args]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=cwd or self.cwd, input=input, capture_output=True,
                              text=True, timeout=timeout, env=env)
        elapsed = time.monotonic() - t0
        return Result(proc, self.report_path if report else None,
                      self.log_path if log else None, elapsed, cmd)


class CpuWatch:
    """CPU seconds used by every process whose command line holds token,
    sampled from /proc every 50 ms while a run lasts (outside the sandbox;
    each process's most seen). A limit test measures CPU, not wall time,
    which a busy machine stretches."""

    def __init__(self, token):
        self.token = token.encode()
        self.seen = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self):
        tick = os.sysconf("SC_CLK_TCK")
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    if self.token not in f.read():
                        continue
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = (int(fields[11]) + int(fields[12])) / tick
            self.seen[name] = max(self.seen.get(name, 0.0), cpu)

    def _loop(self):
        while not self._stop.wait(0.05):
            self._sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def cpu(self):
        return sum(self.seen.values())


@pytest.fixture
def sbx(tmp_path):
    return Sandbox(tmp_path)


@pytest.fixture(params=MODES)
def mode(request):
    """on_violation: every denied case runs under "deny" and under "kill"."""
    return request.param


class Listener:
    """A TCP listener on 127.0.0.1 (ephemeral port) that records every
    connection it accepts, in a thread with an accept timeout."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _take(self, conn, addr):
        data = b""
        conn.settimeout(1.0)
        try:
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        conn.close()
        self.accepted.append((addr, data))

    def _loop(self):
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._take(conn, addr)

    def stop(self):
        """Stops the thread, takes what is left in the backlog, returns
        every connection seen as (address, data received)."""
        self._stop.set()
        self._thread.join(5)
        self.sock.setblocking(False)
        while True:
            try:
                conn, addr = self.sock.accept()
            except (BlockingIOError, OSError):
                break
            self._take(conn, addr)
        self.sock.close()
        return self.accepted


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    if not lst._stop.is_set():
        lst.stop()


@pytest.fixture
def listener2():
    lst = Listener()
    yield lst
    if not lst._stop.is_set():
        lst.stop()


def procs_with(marker):
    """PIDs of live processes whose command line contains marker."""
    found = []
    needle = marker.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{d}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state != b"Z":
            found.append(int(d))
    return found


def python_plain(*args, cwd, input=None):
    """Runs plain CPython (for comparisons)."""
    return subprocess.run([PYTHON, *args], cwd=cwd, input=input, capture_output=True,
                          text=True, timeout=30)


def sandboxed_python_available():
    return Path(SANDBOXPY).exists()
