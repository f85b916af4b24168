"""The warm pool (issue 20, docs/performance.md "The warm pool"): a run whose
interpreter is forked from the pool's zygote is the run a fresh start would
have been; nothing of one run reaches the next; the zygote holds no run's
data and nothing of the host's; a lost zygote means fresh starts, never a
failed run. Checked from outside: the reports, what the program printed,
and the zygote's own /proc entries.

SANDBOXPY_POOL=on makes the CLI run its one program through a pool of its
own; pool-host ($SBX_POOL_HOST, tests/e2e/pool_host.c) is a library host
holding one pool over several runs.
"""
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import SANDBOXPY

POOL_HOST = os.environ.get("SBX_POOL_HOST", str(Path(SANDBOXPY).parent / "tests" / "pool-host"))

# What the program sees of its interpreter and process, as JSON. The same
# program, fresh and warm, must print the same (pids are the namespace's
# own: 2 for the program in both).
PROBE = r'''
import json, os, sys, signal, resource, warnings, __main__, builtins
def stream(s):
    return [s.encoding, s.errors, s.line_buffering, getattr(s, "write_through", None),
            s.buffer.__class__.__name__, s.fileno(), s.isatty()]
state = {
    "argv": sys.argv, "orig_argv": sys.orig_argv, "path": sys.path,
    "flags": list(sys.flags), "executable": sys.executable,
    "prefix": [sys.prefix, sys.base_prefix, sys.exec_prefix],
    "modules": sorted(m for m in sys.modules if m != "resource"),
    "builtin_names": sorted(sys.builtin_module_names),
    "environ": dict(os.environ),
    "posix_environ": sorted(k.decode() for k in __import__("posix").environ),
    "streams": [stream(sys.stdin), stream(sys.stdout), stream(sys.stderr)],
    "dunder_streams": [sys.__stdout__ is sys.stdout, sys.__stderr__ is sys.stderr,
                       sys.__stdin__ is sys.stdin],
    "main": sorted(vars(__main__)),
    "builtins": sorted(vars(builtins)),
    "warnings": [str(f) for f in warnings.filters],
    "warnoptions": sys.warnoptions, "xoptions": sys._xoptions,
    "recursion": sys.getrecursionlimit(), "switch": sys.getswitchinterval(),
    "encodings": [sys.getdefaultencoding(), sys.getfilesystemencoding(),
                  sys.getfilesystemencodeerrors()],
    "pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(),
    "ids": [os.getuid(), os.getgid(), os.geteuid(), os.getegid(), os.getgroups()],
    "umask": os.umask(0o22),
    "signals": [str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ,
                                                     signal.SIGTERM, signal.SIGCHLD)],
    "sigmask": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
    "rlimits": {n: resource.getrlimit(getattr(resource, n)) for n in dir(resource)
                if n.startswith("RLIMIT_")},
    "fds": sorted(os.listdir("/proc/self/fd")),
    # Dumpable, as after a fresh start's exec: /proc/self is the program's.
    "proc_self_owner": os.stat("/proc/self/fd").st_uid,
    # The block the kernel shows keeps its size: NULs after the arguments.
    "cmdline": open("/proc/self/cmdline", "rb").read().rstrip(b"\0").decode().split("\0"),
    "comm": open("/proc/self/comm").read(),
    "caps_empty": open("/proc/self/status").read().count("CapEff:\t0000000000000000"),
    "utf8": sys.flags.utf8_mode,
}
print(json.dumps(state, sort_keys=True))
'''

PROBE_POLICY = {"version": 1, "filesystem": {"read": [".", "/proc"]}}


def run_probe(sbx, *args, policy, warm, opts=()):
    env = dict(os.environ, SANDBOXPY_POOL="on" if warm else "off")
    res = sbx.run(*args, policy=policy, env=env, opts=opts)
    assert res.rc == 0, res
    audit = res.report["layers"]["audit"]
    assert audit["warm"] is warm, audit
    return json.loads(res.stdout.splitlines()[-1]), res


def same_as_fresh(sbx, *args, policy=PROBE_POLICY, opts=()):
    fresh, _ = run_probe(sbx, *args, policy=policy, warm=False, opts=opts)
    warm, _ = run_probe(sbx, *args, policy=policy, warm=True, opts=opts)
    diff = {k: (fresh[k], warm.get(k)) for k in fresh if fresh[k] != warm.get(k)}
    assert not diff, diff
    return warm


def test_script_with_arguments_is_what_a_fresh_start_gives(sbx):
    sbx.script(PROBE, "probe.py")
    state = same_as_fresh(sbx, "probe.py", "one", "two words", "--three")
    assert state["argv"] == ["probe.py", "one", "two words", "--three"]
    assert state["pid"] == 2


def test_command_is_what_a_fresh_start_gives(sbx):
    state = same_as_fresh(sbx, "-c", PROBE, "x", "y")
    assert state["argv"] == ["-c", "x", "y"]


def test_module_is_what_a_fresh_start_gives(sbx):
    sbx.script(PROBE, "probemod.py")
    policy = dict(PROBE_POLICY, python={"path": ["."]})
    state = same_as_fresh(sbx, "-m", "probemod", "arg", policy=policy)
    assert state["argv"][1:] == ["arg"]


def test_policy_env_path_site_and_denied_modules(sbx):
    (sbx.cwd / "lib").mkdir()
    (sbx.cwd / "lib" / "helper_mod.py").write_text("VALUE = 7\n")
    policy = {"version": 1, "filesystem": {"read": [".", "/proc"]},
              "python": {"path": ["lib"], "env": {"GREETING": "hello", "PATH": "/usr/bin"},
                         "site": True},
              "imports": {"deny": ["_json", "_csv"]}}
    sbx.script(PROBE + "import helper_mod\nprint(helper_mod.VALUE)\n", "probe.py")
    fresh = sbx.run("probe.py", policy=policy, env=dict(os.environ, SANDBOXPY_POOL="off"))
    warm = sbx.run("probe.py", policy=policy, env=dict(os.environ, SANDBOXPY_POOL="on"))
    assert fresh.rc == 0 and warm.rc == 0, (fresh, warm)
    assert warm.report["layers"]["audit"]["warm"] is True, warm.report["layers"]["audit"]
    f, w = (json.loads(r.stdout.splitlines()[-2]) for r in (fresh, warm))
    assert f == w
    assert w["environ"]["GREETING"] == "hello" and "_json" not in w["builtin_names"]
    assert warm.stdout.splitlines()[-1] == "7"


def test_unbuffered_and_no_site_options(sbx):
    sbx.script(PROBE, "probe.py")
    same_as_fresh(sbx, "probe.py", opts=("-u",))
    same_as_fresh(sbx, "probe.py", opts=("-S",))


def test_denials_and_kill_are_the_same_warm(sbx, mode):
    """A warm run's hook holds the policy from the first line: the same
    denial, recorded the same way, and the file is not written."""
    policy = {"version": 1, "on_violation": mode, "filesystem": {"read": ["."]}}
    code = "open('/etc/hostname').read()"
    out = {}
    for warm in (False, True):
        res = sbx.run("-c", code, policy=policy, env=dict(os.environ, SANDBOXPY_POOL="on" if warm else "off"))
        assert res.report["layers"]["audit"]["warm"] is warm
        out[warm] = (res.rc, res.report["status"],
                     [(e["rule"], e["action"], e["layer"]) for e in res.report["events"]])
    assert out[False] == out[True], out
    assert out[True][2], out


def test_options_the_pool_cannot_reproduce_start_fresh(sbx):
    """Each refusal is a fresh run that works, with the reason given."""
    env = dict(os.environ, SANDBOXPY_POOL="on")
    long_arg = "x" * 20000
    cases = [
        ((long_arg,), {"version": 1}, "command line"),
        ((), {"version": 1, "limits": {"stack_mb": 256}}, "stack"),
    ]
    for extra, policy, why in cases:
        res = sbx.run("-c", "import sys; print(len(sys.argv))", *extra, policy=policy, env=env)
        assert res.rc == 0, res
        audit = res.report["layers"]["audit"]
        assert audit["warm"] is False and why in audit["warm_reason"], audit
        assert res.stdout.strip() == str(1 + len(extra))


def pool_host(*args, cwd, user=None, **kw):
    cmd = [POOL_HOST, *args]
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, **kw)


def results(proc):
    return [json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")]


def test_nothing_of_one_run_reaches_the_next(sbx):
    """One pool, three runs: what the first changes in its interpreter (a
    module's global, the recursion limit, the environment, sys.path, an
    import, a codec) is not in the second, which is forked from the same
    zygote, and the third starts as the second did."""
    first = ("import sys, os, math, codecs, json\n"
             "math.leaked = 'yes'; sys.setrecursionlimit(4321); os.environ['LEAK'] = '1'\n"
             "sys.path.insert(0, '/leak'); sys.modules['leakmod'] = math\n"
             "codecs.register(lambda n: None)\n"
             "print('first', sys.getrecursionlimit())\n")
    check = ("import sys, os, math\n"
             "print('check', hasattr(math, 'leaked'), sys.getrecursionlimit(), 'LEAK' in os.environ,"
             " '/leak' in sys.path, 'leakmod' in sys.modules, 'json' in sys.modules)\n")
    sbx.write_policy({"version": 1})
    proc = pool_host(str(sbx.policy_path), first, check, check, cwd=sbx.cwd)
    assert proc.returncode == 0, proc.stderr
    rs = results(proc)
    assert [r["warm"] for r in rs] == [True, True, True], rs
    lines = [l for l in proc.stdout.splitlines() if not l.startswith("RESULT ")]
    assert lines[0] == "first 4321"
    assert lines[1] == lines[2] == "check False 1000 False False False False", lines


SCAN = r'''
import os, re
pat = re.compile(rb"QX[Z][0-9a-f]{32}")
found = 0
# Read by the kernel (/proc/self/mem), not by a copy in the process: the
# sanitizer build's memcpy refuses to read its redzones and shadow.
mem = os.open("/proc/self/mem", os.O_RDONLY)
for line in open("/proc/self/maps"):
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    # Unreadable, or the sanitizer's shadow (the interpreter's own heap and
    # data are far smaller).
    if not f[1].startswith("r") or hi - lo >= 1 << 26:
        continue
    try:
        found += len(pat.findall(os.pread(mem, hi - lo, lo)))
    except OSError:
        pass
print("found", found)
'''


def test_the_zygote_holds_no_run_s_data(sbx):
    """The first run's program text (its plan) carries a secret; the second
    run reads every byte of its own memory for it and finds nothing: the
    plan went to the first run's worker alone, never through the zygote.
    The first run finds its own, which shows the scan sees such bytes."""
    secret = "QXZ" + secrets.token_hex(16)
    first = f"SECRET = {secret!r}\n" + SCAN
    sbx.write_policy({"version": 1, "filesystem": {"read": ["/proc"]}})
    proc = pool_host(str(sbx.policy_path), first, SCAN, cwd=sbx.cwd)
    assert proc.returncode == 0, proc.stderr
    rs = results(proc)
    assert [r["warm"] for r in rs] == [True, True] and all(r["status"] == "ok" for r in rs), rs
    found = [l for l in proc.stdout.splitlines() if l.startswith("found ")]
    assert int(found[0].split()[1]) >= 1, found
    assert found[1] == "found 0", found


def test_zygote_lost_means_fresh_runs(sbx):
    sbx.write_policy({"version": 1})
    proc = pool_host("--kill-zygote-after", "1", str(sbx.policy_path), "print('a')", "print('b')",
                     "print('c')", cwd=sbx.cwd)
    assert proc.returncode == 0, proc.stderr
    rs = results(proc)
    assert [r["status"] for r in rs] == ["ok"] * 3, rs
    assert [r["warm"] for r in rs] == [True, False, False], rs
    assert "failed" in rs[1]["warm_reason"], rs


def zygote_facts(pid):
    st = os.stat(f"/proc/{pid}/mem")
    return {
        "fds": sorted(int(x) for x in os.listdir(f"/proc/{pid}/fd")),
        "environ": Path(f"/proc/{pid}/environ").read_bytes(),
        "mem_uid": st.st_uid,
        "threads": len(os.listdir(f"/proc/{pid}/task")),
        "parent": int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]),
    }


@pytest.mark.parametrize("user", [None, "nobody"])
def test_the_zygote_from_outside(sbx, user):
    """Between runs the zygote holds its socket and nothing else of ours, no
    environment, one thread; its memory is not readable by its own uid
    (not dumpable: /proc/PID/mem belongs to root); runs as that user work."""
    # A directory the user may enter (the test's own tmp is root's alone).
    cwd = Path(tempfile.mkdtemp(prefix="sbx-pool-")) if user else sbx.cwd
    os.chmod(cwd, 0o755)
    policy = cwd / "pool-policy.json"
    policy.write_text(json.dumps({"version": 1}))
    os.chmod(policy, 0o644)
    cmd = [POOL_HOST, "--hold", str(policy), "print('one')", "print('two')"]
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().split()
        assert first[0] == "ZYGOTE", first
        zpid = int(first[1])
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            if line.strip() == "DONE":
                break
            lines.append(line.strip())
        facts = zygote_facts(zpid)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        if user:
            shutil.rmtree(cwd, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr.read()
    assert [l for l in lines if not l.startswith("RESULT")] == ["one", "two"]
    assert all(json.loads(l[7:])["warm"] for l in lines if l.startswith("RESULT")), lines
    assert facts["fds"] == [0, 1, 2, 3], facts
    assert facts["environ"] == b"", facts
    assert facts["threads"] == 1, facts
    assert facts["mem_uid"] == 0, facts
    # Gone with the pool.
    assert not Path(f"/proc/{zpid}").exists()


def test_verbose_says_where_the_interpreter_came_from(sbx):
    env = dict(os.environ, SANDBOXPY_POOL="on")
    res = sbx.run("-c", "pass", policy={"version": 1}, env=env, opts=("-v",))
    assert "sandboxpy: interpreter: from the warm pool" in res.stderr.splitlines(), res.stderr
    res = sbx.run("-c", "pass", policy={"version": 1}, env=env, opts=("-v", "-X", "dev"))
    assert "sandboxpy: interpreter: started fresh: -X options" in res.stderr.splitlines(), res.stderr
    res = sbx.run("-c", "pass", policy={"version": 1}, env=dict(os.environ, SANDBOXPY_POOL="off"),
                  opts=("-v",))
    assert not [l for l in res.stderr.splitlines() if "interpreter:" in l], res.stderr
