#!/usr/bin/python3
"""The adversarial suite of sandboxpy.

Every file in cases/ is one attack program trying one escape its policy
forbids. Its module docstring ends with a JSON header:

    policy      the policy (a dict; placeholders are filled in, see below)
    args        extra argv for the program (optional)
    setup       what the runner prepares before each run (optional):
                  files     {path: text}      regular files (parents made)
                  dirs      [path]            directories, owned by the
                                              sandbox's uid 64981
                  root_owned [path]           of those, the ones left root's
                  symlinks  {link: target}    symlinks (planted by the runner)
                  modes     {path: int}       chmod after creating
                  zips      {zip: {member: text}}
                  copies    {path: source}    copy of a file (e.g. of the stdlib)
                  build     {path: C source}  compiled with cc (-shared -fPIC
                                              when the path ends in .so)
                  inherit   {N: path}         the file opened read-write and
                                              inherited as descriptor N by the
                                              program (sandboxpy) in both runs
                  env       {NAME: value}     added to the environment of both
                                              runs (e.g. TMPDIR, so that what
                                              a run leaves there can be seen)
                  victim    "root" | "sandbox"  a sleeping process the runner
                                                owns (VICTIM), as root or as the
                                                sandbox's own uid 64981
    oracle      what the runner checks from outside after the run; every
                check must hold for the case to be contained, and at least one
                must fail when the program runs unconfined:
                  absent     path | [path]   does not exist
                  unchanged  path | [path]   same content, mode, mtime, inode,
                                             user xattrs as set up
                  no_connection  true        the runner's TCP listener (PORT),
                                             UDP socket (UDPPORT), UNIX socket
                                             (SOCK) and abstract socket
                                             (ABSTRACT) got nothing
                  no_leftover    true        no process with TOKEN in its
                                             command line survives the run
                  max_seconds    N           the run ended by itself within N s
                  stdout_lacks   text        the program never printed it: for
                                             effects only the program can see
                                             (a kernel object it was given, a
                                             secret it read), the program is
                                             the witness and prints a marker
                                             only when the operation succeeded
                  max_size   [path, bytes]   the file is at most that big
                  max_stdout_bytes  N        the program's stdout is at most N
                  not_mounted  path          nothing is mounted there
                  empty      path | [path]   an existing directory with nothing
                                             in it (nothing left after the run)
                  no_setid   path | [path]   no set-uid or set-gid file below
                  not_root_owned path | [path] no file or directory below it
                                             is owned by root (but the path)
                  alive  [VICTIM|SUPERVISOR] the process still runs (for
                                             SUPERVISOR: sandboxpy was not
                                             killed by a signal; unconfined, a
                                             decoy process stands in for it)
    expect      the report:
                  status, exit_code, signal      exact
                  events     [matcher]   each matches at least one event
                  no_events  [matcher]   none matches any event
                  summary    {key: value | {"min": a, "max": b} | {subset}}
                  message_contains  text
                  recorded: false, why: text     only where the docs say the
                                                 layer refuses silently
                A case must expect events, a summary, a status that is
                itself the record (timeout, memory, output, violation,
                signal), or say why nothing is recorded.
                A matcher is a dict of event keys and exact values; a key
                ending in _contains matches a substring of str(value).
    unconfined  "skip: reason"   when the attack must not run unconfined
    unprivileged "skip: reason"  when the case means nothing with sandboxpy
                                 started by an unprivileged user (--unprivileged)
    expect_unprivileged  {...}   the report's expect for --unprivileged, where
                                 another layer holds the attack (no cgroups)
    known_gap   "reason"         an escape sandboxpy does not stop yet, named
                                 in docs/threat-model.md: the case still runs
                                 both ways and is reported, but it is counted
                                 apart and does not fail the run. When the gap
                                 is closed the header goes, and the case counts.

Placeholders (whole words): CWD (the sandbox's fresh working directory),
OUTSIDE (its fresh sibling no policy names), BASE (their parent), PORT
(runner's TCP listener), ALLOWPORT (another TCP port the runner holds, for
policies that need some network rule), UDPPORT, SOCK (a UNIX stream socket
in OUTSIDE), ABSTRACT (an abstract UNIX socket name, without the NUL),
TOKEN (unique per case; both runs also get SBXADV_SECRET=SECRET-TOKEN in
their environment, which the program must not see), VICTIM (the victim's
pid), PIDFILE (a file in CWD holding the supervisor's pid once it runs),
SANDBOX_UID, SANDBOXPY_BIN (the sandboxpy under test, resolved: for
exec_allow).

For each case the runner (1) runs it unconfined with /usr/bin/python3.11 -I
under rlimits in fresh directories and checks the oracle FAILS (the attack
is real), (2) runs it under sandboxpy in fresh directories again and checks
the oracle HOLDS (contained) and the report matches `expect` plus the
invariants every report must satisfy (recorded). Every report must also
match docs/report.schema.json (python3-jsonschema); one that does not fails
the suite, known gap or not.

    run.py [-j N] [-v] [FILTER...]     FILTER: substrings (or globs) of case names

It prints one line per case and, last, "adversarial: contained N/M,
recorded K/M" on standard output (details of failures go to standard
error), and exits non-zero unless every case is contained and recorded and
every case not skipped was proven real unconfined. $SANDBOXPY names the
binary (default: build/sandboxpy of this tree). Run it as root: victims,
mounts and the sandbox's own uid need it.
"""
import ast
import ctypes
import fnmatch
import json
import os
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "schema"))
import report_schema  # noqa: E402  (after the path above)

CASES_DIR = HERE / "cases"
SANDBOXPY = os.path.abspath(os.environ.get("SANDBOXPY") or str(HERE.parents[1] / "build" / "sandboxpy"))
PYTHON = "/usr/bin/python3.11"
SANDBOX_UID = 64981
CASE_TIMEOUT = 150          # one case, both runs, whatever happens
UNCONFINED_TIMEOUT = 12     # wall clock of an unconfined run

# What the exit status of sandboxpy must be for each report status
# (cli.md, confinement.md).
STATUS_RC = {"timeout": 124, "violation": 126, "output": 153, "internal": 125}


# --------------------------------------------------------------- headers

def parse_header(path):
    src = Path(path).read_text()
    tree = ast.parse(src)
    if not (tree.body and isinstance(tree.body[0], ast.Expr)
            and isinstance(tree.body[0].value, ast.Constant)
            and isinstance(tree.body[0].value.value, str)):
        raise ValueError("no module docstring")
    # The docstring's source text, not its value: JSON escapes such as \n
    # stay as written.
    doc = ast.get_source_segment(src, tree.body[0].value).lstrip("rRuU")
    doc = doc[3:-3] if doc[:3] in ('"""', "'''") else doc[1:-1]
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("{"):
            hdr = json.loads("\n".join(lines[i:]))
            break
    else:
        raise ValueError("no JSON header in the docstring")
    for key in ("policy", "oracle", "expect"):
        if key not in hdr:
            raise ValueError(f"header lacks {key!r}")
    unknown = set(hdr) - {"policy", "args", "setup", "oracle", "expect", "unconfined", "known_gap",
                          "unprivileged", "expect_unprivileged"}
    if unknown:
        raise ValueError(f"unknown header keys {sorted(unknown)}")
    hdr["title"] = lines[0].strip()
    return hdr


PLACEHOLDERS = ("SANDBOXPY_BIN", "SANDBOX_UID", "ALLOWPORT", "UDPPORT", "ABSTRACT", "OUTSIDE", "PIDFILE",
                "VICTIM", "TOKEN", "PORT", "SOCK", "BASE", "CWD")
PH_RE = re.compile(r"\b(" + "|".join(PLACEHOLDERS) + r")\b")


def fill(obj, values):
    if isinstance(obj, str):
        return PH_RE.sub(lambda m: str(values[m.group(1)]), obj)
    if isinstance(obj, list):
        return [fill(x, values) for x in obj]
    if isinstance(obj, dict):
        return {fill(k, values): fill(v, values) for k, v in obj.items()}
    return obj


def as_list(x):
    return x if isinstance(x, list) else [x]


# --------------------------------------------------------------- processes

def token_pids(token):
    """Processes whose command line contains the token."""
    found = []
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if token.encode() in cmd:
            found.append(int(name))
    return found


def kill_token(token):
    for _ in range(20):
        pids = token_pids(token)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


def libc():
    return ctypes.CDLL(None, use_errno=True)


def unmount_under(base):
    """Detach whatever an unconfined attack mounted under base."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    points = []
    for line in lines:
        mp = line.split()[4].replace("\\040", " ")
        if mp == str(base) or mp.startswith(str(base) + "/"):
            points.append(mp)
    for mp in sorted(points, key=len, reverse=True):
        libc().umount2(mp.encode(), 2)   # MNT_DETACH


def mounted_at(path):
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return False
    return any(line.split()[4] == str(path) for line in lines)


# --------------------------------------------------------------- one run's world

class World:
    """The fresh directories, listeners and victims of one run."""

    def __init__(self, hdr):
        self.hdr = hdr
        self.token = "sbxadv-" + uuid.uuid4().hex[:16]
        self.base = Path(tempfile.mkdtemp(prefix="sbxadv-"))    # root, 0700
        self.cwd = self.base / "work"
        self.outside = self.base / "outside"
        self.victims = {}
        self.pidfile = self.cwd / "supervisor.pid"

    # Listeners are made once per world; drain() empties them between runs.
    def open_listeners(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.tcp.setblocking(False)
        self.allow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.allow.bind(("127.0.0.1", 0))
        self.allow.listen(64)
        self.allow.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)
        self.abstract_name = self.token + "-abstract"
        self.abs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abs.bind("\0" + self.abstract_name)
        self.abs.listen(64)
        self.abs.setblocking(False)
        self.unix = None

    def values(self):
        return {
            "CWD": str(self.cwd), "OUTSIDE": str(self.outside), "BASE": str(self.base),
            "PORT": self.tcp.getsockname()[1], "ALLOWPORT": self.allow.getsockname()[1],
            "UDPPORT": self.udp.getsockname()[1], "SOCK": str(self.outside / "listener.sock"),
            "ABSTRACT": self.abstract_name, "TOKEN": self.token, "PIDFILE": str(self.pidfile),
            "VICTIM": self.victims.get("VICTIM", 0) and self.victims["VICTIM"].pid,
            "SANDBOX_UID": SANDBOX_UID, "SANDBOXPY_BIN": os.path.realpath(SANDBOXPY),
        }

    def prepare(self):
        """Fresh directories and everything the header's setup asks for."""
        for d in (self.cwd, self.outside):
            if d.exists():
                unmount_under(d)
                shutil.rmtree(d)
            d.mkdir()
        if self.unix is not None:
            self.unix.close()
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(self.outside / "listener.sock"))
        os.chmod(self.outside / "listener.sock", 0o777)
        self.unix.listen(64)
        self.unix.setblocking(False)
        setup = self.hdr.get("setup", {})
        if "victim" in setup:       # a fresh one for every run
            old = self.victims.pop("VICTIM", None)
            if old is not None:
                if old.poll() is None:
                    old.kill()
                old.wait()
            self.victims["VICTIM"] = self.start_sleeper(setup["victim"])
        v = self.values()
        setup = fill(setup, v)
        for d in setup.get("dirs", []):
            Path(d).mkdir(parents=True, exist_ok=True)
            # The sandbox's uid writes a write tree as itself, so the
            # directories made for it are its own (as a grader would chown
            # them); root_owned keeps some root's, for the refusal's case.
            if d not in setup.get("root_owned", []):
                os.chown(d, SANDBOX_UID, SANDBOX_UID)
        for p, text in setup.get("files", {}).items():
            Path(p).parent.mkdir(parents=True, exist_ok=True)
            Path(p).write_text(text)
        for p, src in setup.get("copies", {}).items():
            Path(p).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, p)
        for p, members in setup.get("zips", {}).items():
            with zipfile.ZipFile(p, "w") as z:
                for name, text in members.items():
                    z.writestr(name, text)
        for p, csrc in setup.get("build", {}).items():
            c = Path(p).with_suffix(".c")
            c.write_text(csrc)
            kind = ["-shared", "-fPIC"] if p.endswith(".so") else []
            subprocess.run(["cc", *kind, "-O1", "-o", p, str(c)], check=True,
                           capture_output=True)
            c.unlink()
        # Likewise a write tree the policy names that the runner made.
        writes = (fill(self.hdr.get("policy", {}), v).get("filesystem") or {}).get("write") or []
        for w in writes if isinstance(writes, list) else []:
            p = Path(w) if os.path.isabs(str(w)) else self.cwd / str(w)
            if (p.is_dir() and not p.is_symlink() and str(p) not in setup.get("root_owned", [])
                    and str(p.resolve()).startswith(str(self.base) + "/")):
                os.chown(p, SANDBOX_UID, SANDBOX_UID)
        for link, target in setup.get("symlinks", {}).items():
            os.symlink(target, link)
        for p, mode in setup.get("modes", {}).items():
            os.chmod(p, mode)
        if UNPRIV:
            self.give_to_nobody()
        self.snap = {}
        for p in as_list(fill(self.hdr["oracle"].get("unchanged", []), v)):
            self.snap[p] = self.snapshot(p)
        self.drain()
        return v

    def give_to_nobody(self):
        """Unprivileged runs: the whole world is the caller's own, so what
        holds is sandboxpy and not file permissions against another uid."""
        os.chmod(self.base, 0o755)
        for top, dirs, files in os.walk(self.base):
            for name in [top] + [os.path.join(top, n) for n in dirs + files]:
                st = os.lstat(name)
                os.lchown(name, NOBODY, NOBODY)
                if not stat.S_ISLNK(st.st_mode):
                    os.chmod(name, stat.S_IMODE(st.st_mode))    # chown cleared set-id bits

    def start_sleeper(self, who):
        def demote():
            if who == "sandbox":
                os.setgroups([])
                os.setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
                os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
        return subprocess.Popen(["/bin/sleep", "600"], start_new_session=True, preexec_fn=demote,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    @staticmethod
    def snapshot(p):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            return None
        try:
            xattrs = sorted((a, os.getxattr(p, a, follow_symlinks=False))
                            for a in os.listxattr(p, follow_symlinks=False))
        except OSError:
            xattrs = []
        content = Path(p).read_bytes() if stat.S_ISREG(st.st_mode) else None
        return (st.st_ino, st.st_mode, st.st_uid, st.st_mtime_ns, content, xattrs)

    def drain(self):
        """Empty every listener; returns what each received."""
        got = []
        for name, s in (("tcp PORT", self.tcp), ("unix SOCK", self.unix), ("abstract", self.abs)):
            if s is None:
                continue
            while True:
                try:
                    conn, _ = s.accept()
                except (BlockingIOError, OSError):
                    break
                conn.setblocking(False)
                try:
                    data = conn.recv(200)
                except OSError:
                    data = b""
                conn.close()
                got.append(f"{name} accepted a connection {data[:40]!r}")
        while True:
            try:
                data, addr = self.udp.recvfrom(2000)
            except (BlockingIOError, OSError):
                break
            got.append(f"udp UDPPORT received {data[:40]!r} from {addr}")
        return got

    def close(self):
        kill_token(self.token)
        for p in self.victims.values():
            if p.poll() is None:
                p.kill()
            p.wait()
        for s in (self.tcp, self.allow, self.udp, self.abs, self.unix):
            if s is not None:
                s.close()
        unmount_under(self.base)
        shutil.rmtree(self.base, ignore_errors=True)


# --------------------------------------------------------------- runs

def unconfined_limits():
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
    resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
    resource.setrlimit(resource.RLIMIT_FSIZE, (128 << 20, 128 << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Run:
    pass


def token_cpu(token, seen):
    """Samples the CPU seconds of every process whose command line holds
    the token (the case's own processes, inside the sandbox or not) into
    seen, pid -> the most seen: the kernel attributes nothing to a parent
    that never reaps, so wait4 alone misses what a killed sandbox used."""
    tick = os.sysconf("SC_CLK_TCK")
    for pid in token_pids(token):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = max(seen.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / tick)


def wait_measured(proc, timeout, token=None):
    """Waits for proc (killing its group past timeout): its exit status as
    Popen gives it, and the CPU seconds used: the larger of what it and
    every descendant it reaped used (wait4's rusage) and what the case's
    own processes were seen to use (token_cpu, every 50 ms). CPU time, not
    wall time, says whether a CPU limit held: a busy machine stretches the
    one and not the other."""
    deadline = time.monotonic() + timeout
    seen, next_sample = {}, 0.0
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if token and time.monotonic() >= next_sample:
            token_cpu(token, seen)
            next_sample = time.monotonic() + 0.05
        if time.monotonic() > deadline:
            # Raw kills: Popen.kill() polls first, and its waitpid could
            # reap the process before the wait4 below gets its rusage.
            for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL),
                         lambda: os.kill(proc.pid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
            pid, status, ru = os.wait4(proc.pid, 0)
            proc.timed_out_by_runner = True
            break
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, max(ru.ru_utime + ru.ru_stime, sum(seen.values()))

def run_program(world, v, confined):
    hdr = world.hdr
    args = [str(a) for a in fill(hdr.get("args", []), v)]
    script = world.cwd / "attack.py"
    shutil.copyfile(hdr["path"], script)
    out = open(world.base / "stdout.txt", "wb")
    err = open(world.base / "stderr.txt", "wb")
    report = world.base / "report.json"
    if report.exists():
        report.unlink()
    run = Run()
    run.confined = confined
    decoy = None
    if confined:
        policy = fill(hdr["policy"], v)
        (world.base / "policy.json").write_text(json.dumps(policy))
        wall = (policy.get("limits") or {}).get("wall_seconds") or 30
        cmd = [SANDBOXPY, "-C", str(world.cwd), "-p", str(world.base / "policy.json"),
               "-r", str(report)] + (["--audit-only"] if AUDIT_ONLY else []) + [
               "--", str(script)] + args
        if UNPRIV:
            os.lchown(script, NOBODY, NOBODY)
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   "--"] + cmd
        timeout = wall + 30
        preexec = None
    else:
        cmd = [PYTHON, "-I", str(script)] + args
        timeout = UNCONFINED_TIMEOUT
        preexec = unconfined_limits
        decoy = world.start_sleeper("root")
    inherited = []
    for n, p in fill(hdr.get("setup", {}).get("inherit", {}), v).items():
        fd = os.open(p, os.O_RDWR)
        os.dup2(fd, int(n))
        os.close(fd)
        inherited.append(int(n))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(world.cwd), "SBXADV_SECRET": f"SECRET-{world.token}"}
    # The suite runs whole with the warm pool on and off (Makefile): the
    # sandboxed runs follow the runner's own SANDBOXPY_POOL.
    if confined and os.environ.get("SANDBOXPY_POOL"):
        env["SANDBOXPY_POOL"] = os.environ["SANDBOXPY_POOL"]
    env.update({k: str(x) for k, x in fill(hdr.get("setup", {}).get("env", {}), v).items()})
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=world.cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                            env=env, preexec_fn=preexec, pass_fds=inherited)
    for n in inherited:
        os.close(n)
    # The program may want the supervisor's pid (signal cases): the real
    # one under sandboxpy, a decoy that stands in for it unconfined.
    world.pidfile.write_text(f"{(proc if confined else decoy).pid}\n")
    run.timed_out = False
    run.rc, run.cpu = wait_measured(proc, timeout, world.token if "max_cpu_seconds" in hdr.get("oracle", {}) else None)
    run.timed_out = getattr(proc, "timed_out_by_runner", False)
    run.elapsed = time.monotonic() - t0
    out.close()
    err.close()
    time.sleep(0.3)     # let a daemon that would survive show itself
    run.leftovers = token_pids(world.token)
    run.decoy_alive = decoy is not None and decoy.poll() is None
    if decoy is not None:
        if decoy.poll() is None:
            decoy.kill()
        decoy.wait()
    # By name and by pid (the oracle's placeholders are filled in).
    run.victims_alive = {k: p.poll() is None for k, p in world.victims.items()}
    run.victims_alive.update({str(p.pid): p.poll() is None for p in world.victims.values()})
    run.contacts = world.drain()
    run.stdout = (world.base / "stdout.txt").read_bytes()
    run.stderr = (world.base / "stderr.txt").read_bytes()
    run.report = None
    run.report_error = None
    run.schema_problems = []
    if confined:
        try:
            run.report = json.loads(report.read_text())
        except (OSError, ValueError) as e:
            run.report_error = f"no readable report: {e}"
        else:
            run.schema_problems = [f"schema: {p}" for p in report_schema.problems(run.report)]
    return run


# --------------------------------------------------------------- oracle

def walk_lstat(top):
    """(path, lstat) of top and everything below it that a path can name;
    deeper parts (beyond PATH_MAX) are the clean-up's and empty's concern."""
    out = []
    for d, dirs, files in os.walk(top, onerror=lambda e: None):
        for n in [d] + [os.path.join(d, x) for x in dirs + files]:
            try:
                out.append((n, os.lstat(n)))
            except OSError:
                pass
    return out


def check_oracle(world, v, run):
    """Returns the list of oracle checks that failed (empty: contained)."""
    oracle = fill(world.hdr["oracle"], v)
    fails = []
    for p in as_list(oracle.get("absent", [])):
        if os.path.lexists(p):
            fails.append(f"{p} exists")
    for p in as_list(oracle.get("unchanged", [])):
        now = world.snapshot(p)
        if now != world.snap.get(p):
            fails.append(f"{p} changed")
    if oracle.get("no_connection"):
        fails += run.contacts
    if oracle.get("no_leftover") and run.leftovers:
        fails.append(f"processes survived the run: {run.leftovers}")
    if "max_seconds" in oracle and (run.timed_out or run.elapsed > oracle["max_seconds"]):
        fails.append(f"ran {run.elapsed:.1f} s (> {oracle['max_seconds']} s)")
    if "max_cpu_seconds" in oracle and (run.timed_out or run.cpu > oracle["max_cpu_seconds"]):
        fails.append(f"used {run.cpu:.1f} s of CPU (> {oracle['max_cpu_seconds']} s)")
    if "stdout_lacks" in oracle and oracle["stdout_lacks"].encode() in run.stdout:
        fails.append(f"the program printed {oracle['stdout_lacks']!r}")
    if "max_size" in oracle:
        p, n = oracle["max_size"]
        size = os.path.getsize(p) if os.path.exists(p) else 0
        if size > n:
            fails.append(f"{p} is {size} bytes (> {n})")
    if "max_stdout_bytes" in oracle and len(run.stdout) > oracle["max_stdout_bytes"]:
        fails.append(f"stdout is {len(run.stdout)} bytes (> {oracle['max_stdout_bytes']})")
    if "not_mounted" in oracle and mounted_at(oracle["not_mounted"]):
        fails.append(f"something is mounted on {oracle['not_mounted']}")
    for p in as_list(oracle.get("empty", [])):
        if not os.path.isdir(p) or os.listdir(p):
            fails.append(f"{p} is not an empty directory: {sorted(os.listdir(p))[:5] if os.path.isdir(p) else 'missing'}")
    for p in as_list(oracle.get("no_setid", [])):
        fails += [f"{f} is set-id" for f, st in walk_lstat(p)
                  if not stat.S_ISDIR(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID)]
    for p in as_list(oracle.get("not_root_owned", [])):
        fails += [f"{f} is root's" for f, st in walk_lstat(p) if f != p and st.st_uid == 0]
    for who in as_list(oracle.get("alive", [])):
        who = str(who)
        if who == "SUPERVISOR":
            if run.confined and (run.rc is None or run.rc < 0):
                fails.append(f"sandboxpy was killed by signal {-run.rc}")
            if not run.confined and not run.decoy_alive:
                fails.append("the process standing for the supervisor was killed")
        elif not run.victims_alive.get(who, False):
            fails.append(f"{who} was killed")
    if not any(k in oracle for k in ("absent", "unchanged", "no_connection", "no_leftover",
                                     "max_seconds", "stdout_lacks", "max_size",
                                     "max_stdout_bytes", "not_mounted", "alive", "empty",
                                     "no_setid", "not_root_owned")):
        fails.append("the oracle checks nothing")
    return fails


# --------------------------------------------------------------- report

def value_matches(want, got):
    """Equality, except {"min": a, "max": b} for numbers and, for any other
    dict, a subset match (every key wanted is there and matches)."""
    if isinstance(want, dict) and want and set(want) <= {"min", "max"}:
        return (isinstance(got, (int, float)) and not isinstance(got, bool)
                and got >= want.get("min", got) and got <= want.get("max", got))
    if isinstance(want, dict) and want:
        return isinstance(got, dict) and all(k in got and value_matches(v, got[k])
                                             for k, v in want.items())
    return want == got


def event_matches(m, ev):
    for k, want in m.items():
        if k.endswith("_contains"):
            key = k[: -len("_contains")]
            if key not in ev or str(want) not in str(ev[key]):
                return False
        elif k not in ev or not value_matches(want, ev[k]):
            return False
    return True


def check_report(world, v, run):
    """Returns the list of problems with the report (empty: recorded)."""
    expect = fill(world.hdr["expect_unprivileged" if UNPRIV and "expect_unprivileged" in world.hdr
                            else "expect"], v)
    r = run.report
    if r is None:
        return [run.report_error or "no report"]
    probs = list(run.schema_problems)
    # Invariants every report must satisfy (report.md, cli.md).
    if r.get("report_version") != 1:
        probs.append("report_version is not 1")
    status = r.get("status")
    rc = run.rc
    if status == "ok" and (rc != 0 or r.get("exit_code") != 0):
        probs.append(f"status ok but rc {rc}, exit_code {r.get('exit_code')}")
    if status == "error" and (r.get("exit_code") in (None, 0) or rc != r.get("exit_code")):
        probs.append(f"status error but rc {rc}, exit_code {r.get('exit_code')}")
    if status in STATUS_RC and rc != STATUS_RC[status]:
        probs.append(f"status {status} but sandboxpy exited {rc}")
    if status == "signal" and (r.get("signal") is None or rc != 128 + r["signal"]):
        probs.append(f"status signal, signal {r.get('signal')}, but sandboxpy exited {rc}")
    if status == "memory" and rc not in (137,) and r.get("exit_code") is None:
        probs.append(f"status memory but sandboxpy exited {rc}")
    events = r.get("events", [])
    summary = r.get("summary", {})
    seqs = [e.get("seq") for e in events]
    if seqs != list(range(1, len(seqs) + 1)):
        probs.append("events are not numbered 1..n in order")
    dropped = summary.get("events_dropped_by_action") or {}
    if not dropped.get("deny") and not dropped.get("kill"):
        # Every refusal is kept (only logs are dropped): they add up.
        denied = sum(1 for e in events if e.get("action") in ("deny", "kill"))
        if summary.get("denied") != denied:
            probs.append(f"summary.denied {summary.get('denied')} but {denied} denials listed")
        bypass = sum(1 for e in events if e.get("bypass") is True)
        if summary.get("bypass") != bypass:
            probs.append(f"summary.bypass {summary.get('bypass')} but {bypass} bypass events listed")
    if (status == "violation") != (summary.get("killed_by") is not None):
        probs.append(f"status {status} with killed_by {summary.get('killed_by')}")
    # What the case expects.
    for key in ("status", "exit_code", "signal"):
        if key in expect and r.get(key) != expect[key]:
            probs.append(f"{key} is {r.get(key)!r}, expected {expect[key]!r}"
                         + (f" ({r.get('message')})" if key == "status" else ""))
    if "message_contains" in expect and expect["message_contains"] not in (r.get("message") or ""):
        probs.append(f"message {r.get('message')!r} lacks {expect['message_contains']!r}")
    for m in expect.get("events", []):
        if not any(event_matches(m, e) for e in events):
            probs.append(f"no event matches {json.dumps(m)}")
    for m in expect.get("no_events", []):
        bad = [e for e in events if event_matches(m, e)]
        if bad:
            probs.append(f"event(s) match forbidden {json.dumps(m)}: seq {[e.get('seq') for e in bad][:5]}")
    for k, want in expect.get("summary", {}).items():
        if not value_matches(want, summary.get(k)):
            probs.append(f"summary.{k} is {summary.get(k)!r}, expected {want!r}")
    if expect.get("recorded") is False:
        if not expect.get("why"):
            probs.append("recorded: false without a why")
    elif (not expect.get("events") and not expect.get("summary")
          and expect.get("status") not in ("timeout", "memory", "output", "violation", "signal")):
        # A limit or a kill is recorded by the report's status and message.
        probs.append("the case expects no record and does not say why")
    return probs


def describe_events(r):
    if not r:
        return "no report"
    out = [f"status={r.get('status')} ({r.get('message')}) summary={json.dumps(r.get('summary'))}"]
    for e in r.get("events", [])[:12]:
        keys = ("layer", "event", "syscall", "rule", "action", "errno", "bypass", "detail")
        out.append("  " + json.dumps({k: e[k] for k in keys if k in e}))
    if len(r.get("events", [])) > 12:
        out.append(f"  ... {len(r['events']) - 12} more")
    return "\n".join(out)


# --------------------------------------------------------------- audit-only

AUDIT_ONLY = False      # --audit-only: every case again, refusing nothing
UNPRIV = False          # --unprivileged: sandboxpy run as NOBODY, its files NOBODY's
NOBODY = 65534


def check_audit_only(world, v, run):
    """An --audit-only run of the case: nothing refused, nothing killed,
    the report unmistakably audit-only, and every denial the case expects
    of the enforced run recorded as a would-be one, with its rule id."""
    r = run.report
    if not r:
        return [run.report_error or "no report"]
    probs = list(run.schema_problems)
    events = r.get("events", [])
    summary = r.get("summary", {})
    if r.get("mode") != "audit-only" or r.get("layers", {}).get("enforced") is not False:
        probs.append(f"report does not say audit-only: mode={r.get('mode')!r}")
    if summary.get("denied") != 0 or summary.get("killed_by") is not None:
        probs.append(f"refused in audit-only: summary {json.dumps(summary)}")
    refused = [e for e in events if e.get("action") in ("deny", "kill")]
    if refused:
        probs.append(f"{len(refused)} events refused, e.g. {json.dumps(refused[0])}")
    if r.get("status") == "violation":
        probs.append("status violation in audit-only")
    dropped = summary.get("events_dropped_by_action") or {}
    if (not dropped.get("would_deny") and not dropped.get("would_kill")
            and summary.get("would_deny") != sum(1 for e in events if e.get("would"))):
        probs.append(f"summary.would_deny {summary.get('would_deny')} does not count the events")
    for m in fill(world.hdr.get("expect", {}), v).get("events", []):
        want = {k: val for k, val in m.items() if k not in ("bypass", "errno")}
        if want.get("action") in ("deny", "kill"):
            want["would"] = want["action"]
            want["action"] = "log"
        if not any(event_matches(want, e) for e in events):
            probs.append(f"no would-be record matches {json.dumps(want)}")
    return probs


def run_case_audit_only(path, verbose=False):
    res = {"name": Path(path).stem, "unconfined": "skipped", "contained": True, "recorded": False,
           "details": []}
    hdr = parse_header(path)
    hdr["path"] = str(path)
    res["known_gap"] = hdr.get("known_gap")
    world = World(hdr)
    try:
        world.open_listeners()
        v = world.prepare()
        run = run_program(world, v, confined=True)
        res["schema"] = run.schema_problems
        probs = check_audit_only(world, v, run)
        res["recorded"] = not probs
        if probs or verbose:
            res["details"].append("AUDIT-ONLY: " + "; ".join(probs))
            res["details"].append(f"sandboxpy rc={run.rc}\n" + describe_events(run.report))
            res["details"].append("stderr=" + repr(run.stderr[-800:]))
    except Exception as e:      # a broken test, not a product failure
        import traceback
        res["unconfined"] = f"BROKEN: runner error {e!r}"
        res["details"].append(traceback.format_exc())
    finally:
        kill_token(world.token)
        world.close()
    return res


# --------------------------------------------------------------- one case

def run_case(path, verbose=False):
    res = {"name": Path(path).stem, "unconfined": None, "contained": False, "recorded": False,
           "details": []}
    try:
        hdr = parse_header(path)
        res["known_gap"] = hdr.get("known_gap")
    except (ValueError, SyntaxError) as e:
        res["unconfined"] = f"BROKEN: bad header: {e}"
        return res
    hdr["path"] = str(path)
    res["title"] = hdr["title"]
    world = World(hdr)
    try:
        world.open_listeners()
        skip = hdr.get("unconfined", "")
        if UNPRIV and hdr.get("unprivileged", "").startswith("skip: "):
            res.update(not_run=hdr["unprivileged"][6:], unconfined="skipped")
            return res
        if UNPRIV:      # proven by the run as root; here only containment
            skip = skip or "skip: proven by the run as root"
        if skip:
            if not skip.startswith("skip: "):
                res["unconfined"] = "BROKEN: 'unconfined' must be 'skip: <reason>'"
            else:
                res["unconfined"] = "skipped"
        else:
            v = world.prepare()
            run = run_program(world, v, confined=False)
            fails = check_oracle(world, v, run)
            if fails and fails != ["the oracle checks nothing"]:
                res["unconfined"] = "proven"
                res["details"].append("unconfined: " + "; ".join(fails))
            else:
                res["unconfined"] = "BROKEN: the attack does not work unconfined"
                res["details"].append(f"unconfined rc={run.rc} stdout={run.stdout[-300:]!r} "
                                      f"stderr={run.stderr[-600:]!r}")
            kill_token(world.token)
        v = world.prepare()
        run = run_program(world, v, confined=True)
        res["schema"] = run.schema_problems
        fails = check_oracle(world, v, run)
        res["contained"] = not fails
        if fails:
            res["details"].append("ESCAPE: " + "; ".join(fails))
        probs = check_report(world, v, run)
        res["recorded"] = not probs
        if probs:
            res["details"].append("REPORT: " + "; ".join(probs))
        if fails or probs or verbose:
            res["details"].append(f"sandboxpy rc={run.rc} in {run.elapsed:.1f} s, {run.cpu:.2f} s of CPU\n"
                                  + describe_events(run.report))
            res["details"].append(f"stdout={run.stdout[-300:]!r}")
            res["details"].append("stderr=" + repr(run.stderr[-800:]))
    except Exception as e:      # a broken test, not a product failure
        import traceback
        res["unconfined"] = f"BROKEN: runner error {e!r}"
        res["details"].append(traceback.format_exc())
    finally:
        world.close()
    return res


# --------------------------------------------------------------- main

def main(argv):
    global AUDIT_ONLY, UNPRIV
    AUDIT_ONLY = "--audit-only" in argv
    UNPRIV = "--unprivileged" in argv
    argv = [a for a in argv if a not in ("--audit-only", "--unprivileged")]
    if len(argv) >= 2 and argv[0] == "--one":
        verbose = "-v" in argv
        print(json.dumps((run_case_audit_only if AUDIT_ONLY else run_case)(argv[1], verbose)))
        return 0
    jobs = 2
    verbose = False
    filters = []
    it = iter(argv)
    for a in it:
        if a == "-j":
            jobs = int(next(it))
        elif a == "-v":
            verbose = True
        else:
            filters.append(a)
    if os.geteuid() != 0:
        print("adversarial: must run as root (victims, mounts and the sandbox's uid)", file=sys.stderr)
    if not os.access(SANDBOXPY, os.X_OK):
        print(f"adversarial: no sandboxpy binary at {SANDBOXPY}", file=sys.stderr)
        print("adversarial: contained 0/0, recorded 0/0")
        return 1
    cases = sorted(p for p in CASES_DIR.glob("*.py")
                   if not filters or any(fnmatch.fnmatch(p.stem, f"*{f}*") for f in filters))
    t0 = time.monotonic()
    pending = list(cases)
    running = {}
    results = []
    schema_bad = []
    while pending or running:
        while pending and len(running) < jobs:
            p = pending.pop(0)
            cmd = ([sys.executable, __file__, "--one", str(p)] + (["-v"] if verbose else [])
                   + (["--audit-only"] if AUDIT_ONLY else [])
                   + (["--unprivileged"] if UNPRIV else []))
            running[p] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           start_new_session=True), time.monotonic())
        time.sleep(0.05)
        for p, (proc, started) in list(running.items()):
            if proc.poll() is None and time.monotonic() - started < CASE_TIMEOUT:
                continue
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            del running[p]
            try:
                res = json.loads(out.decode().strip().splitlines()[-1])
            except (ValueError, IndexError):
                res = {"name": p.stem, "unconfined": "BROKEN: the case runner died",
                       "contained": False, "recorded": False,
                       "details": [err.decode(errors="replace")[-2000:]]}
            results.append(res)
            if res.get("not_run"):
                print(f"skip {res['name']}: {res['not_run']}", flush=True)
                continue
            ok = (res["contained"] and res["recorded"]
                  and res["unconfined"] in ("proven", "skipped"))
            if res.get("schema"):
                # Not excused by a known gap: the report itself is wrong.
                schema_bad.append(res["name"])
            elif not ok and res.get("known_gap") and res["unconfined"] in ("proven", "skipped"):
                print(f"GAP  {res['name']}: {'contained' if res['contained'] else 'NOT CONTAINED'}, "
                      f"{'recorded' if res['recorded'] else 'NOT RECORDED'} "
                      f"(known gap: {res['known_gap']})", flush=True)
                continue
            flags = [f"unconfined {res['unconfined']}",
                     "contained" if res["contained"] else "NOT CONTAINED",
                     "recorded" if res["recorded"] else "NOT RECORDED"]
            # One line per case on stdout; what went wrong, on stderr.
            print(f"{'ok  ' if ok else 'FAIL'} {res['name']}: {', '.join(flags)}", flush=True)
            if not ok or verbose:
                for d in res["details"]:
                    for line in str(d).splitlines():
                        print(f"       {line}", file=sys.stderr)
                sys.stderr.flush()
    results = [r for r in results if not r.get("not_run")]
    gaps = [r for r in results if r.get("known_gap")]
    results = [r for r in results if not r.get("known_gap")]
    m = len(results)
    contained = sum(r["contained"] for r in results)
    recorded = sum(r["recorded"] for r in results)
    proven = sum(r["unconfined"] == "proven" for r in results)
    skipped = sum(r["unconfined"] == "skipped" for r in results)
    broken = [r["name"] for r in results if r["unconfined"] not in ("proven", "skipped")]
    print(f"adversarial: unconfined {proven} proven, {skipped} skipped, {len(broken)} broken"
          + (f" ({', '.join(sorted(broken))})" if broken else "")
          + f"; {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    print(f"adversarial: contained {contained}/{m}, recorded {recorded}/{m}"
          + (f"; {len(gaps)} known gaps apart (docs/threat-model.md)" if gaps else "")
          + (f"; {len(schema_bad)} reports not matching docs/report.schema.json "
             f"({', '.join(sorted(schema_bad))})" if schema_bad else ""))
    return 0 if m and contained == m and recorded == m and not broken and not schema_bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
