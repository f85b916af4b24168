"""The sandbox's own filesystem view (issue 17, docs/confinement.md "The
view"), checked from outside: under every built-in policy, as root and as
an unprivileged caller (nobody, through its user namespace), nothing
outside the view can be read, listed or stat-ed, from Python or native
code; the identity files are the run's own; the implicit list is exactly
what --explain prints and the report lists; a site package's extension is
refused under extensions "stdlib" with a hint naming the package."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import SANDBOXPY

BUILTINS = ["default", "strict", "grading", "plugin"]

PROBE = r"""
import getpass, json, os, pwd, sys
libc = None
if "ctypes" in sys.argv:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
out = {"user": getpass.getuser(), "pw_dir": pwd.getpwuid(os.getuid()).pw_dir,
       "home": os.path.expanduser("~"), "passwd": open("/etc/passwd").read()}
for p in sys.argv[1:]:
    if p == "ctypes":
        continue
    try:
        os.stat(p)
        out[p] = "stat ok"
    except OSError as e:
        out[p] = e.errno
    out[p + " exists"] = os.path.exists(p)
    if libc:
        buf = ctypes.create_string_buffer(256)
        out[p + " native"] = 0 if libc.stat(p.encode(), buf) == 0 else ctypes.get_errno()
print(json.dumps(out))
"""


def copy_sandboxpy(base):
    """sandboxpy and its runtime (the interpreter's preload), side by side,
    where an unprivileged uid can reach them."""
    shutil.copy(SANDBOXPY, os.path.join(base, "sandboxpy"))
    shutil.copy(os.path.join(os.path.dirname(SANDBOXPY), "sandboxpy-rt.so"),
                os.path.join(base, "sandboxpy-rt.so"))


class World:
    """A grader's tree every uid can pass: tests/1.out beside the
    submission, another student's solution.py, the submission's dir."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="sbxview-")
        os.chmod(self.base, 0o755)
        self.work = os.path.join(self.base, "alice")
        self.other = os.path.join(self.base, "bob", "solution.py")
        self.expected = os.path.join(self.base, "tests", "1.out")
        for d in (self.work, os.path.dirname(self.other), os.path.dirname(self.expected)):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        for f, text in ((self.other, "print(42)\n"), (self.expected, "42\n")):
            with open(f, "w") as fh:
                fh.write(text)
            os.chmod(f, 0o644)
        with open(os.path.join(self.work, "probe.py"), "w") as fh:
            fh.write(PROBE)
        os.makedirs(os.path.join(self.work, "data"), exist_ok=True)
        shutil.chown(os.path.join(self.work, "data"), 64981, 64981)
        os.chmod(os.path.join(self.work, "data"), 0o777)

    def run(self, policy, *args, unprivileged=False, extra=()):
        cmd = [SANDBOXPY, "-C", self.work, "-p", policy, "-r", os.path.join(self.work, "r.json"),
               *extra, "probe.py", *args]
        if unprivileged:
            copy_sandboxpy(self.base)
            os.chmod(self.base, 0o777)
            os.chmod(self.work, 0o777)
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                   os.path.join(self.base, "sandboxpy")] + cmd[1:]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=self.work)
        with open(os.path.join(self.work, "r.json")) as fh:
            return p, json.load(fh)


@pytest.fixture
def world():
    w = World()
    yield w
    shutil.rmtree(w.base, ignore_errors=True)


@pytest.mark.parametrize("unprivileged", [False, True], ids=["root", "nobody"])
@pytest.mark.parametrize("builtin", BUILTINS)
def test_outside_the_view_nothing_exists(world, builtin, unprivileged):
    """Under every built-in policy: the sibling files do not exist for
    Python or for native code (ENOENT), the host's passwd is not the one
    the program reads, and pwd, getpass and expanduser name the sandbox's
    user with the working directory as home."""
    p, rep = world.run(f"builtin:{builtin}", world.expected, world.other, "/etc/os-release",
                       "/root", "ctypes", unprivileged=unprivileged,
                       extra=["--set", "native.ctypes=true"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    out = json.loads(p.stdout)
    assert rep["layers"]["view"]["active"] is True, rep["layers"]["view"]
    for path in (world.expected, world.other, "/etc/os-release", "/root"):
        assert out[path] == 2 and out[path + " exists"] is False, (path, out)
        assert out[path + " native"] == 2, (path, out)
    names = {l.split(":")[0] for l in out["passwd"].splitlines()}
    assert not names & {"daemon", "bin", "sys"}, out["passwd"]
    assert out["pw_dir"] == world.work and out["home"] == world.work, out
    assert out["user"] == ("nobody" if unprivileged else "sandbox"), out


def test_root_of_the_view_seen_from_outside(world):
    """listdir of the program's / (read from the host through
    /proc/PID/root while it runs): only the view's entries."""
    with open(os.path.join(world.work, "wait.py"), "w") as fh:
        fh.write("import time\nprint('UP', flush=True)\ntime.sleep(20)\n")
    proc = subprocess.Popen([SANDBOXPY, "-C", world.work, "wait.py"], stdout=subprocess.PIPE,
                            text=True, cwd=world.work)
    try:
        assert proc.stdout.readline().strip() == "UP"
        roots = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if b"wait.py" not in fh.read() or int(pid) == proc.pid:
                        continue
                roots.append(sorted(os.listdir(f"/proc/{pid}/root")))
            except OSError:
                continue
        assert roots, "the program's process was not found"
        top = roots[-1]
        # The view: its own /dev, /etc, /proc, the trees' top directories,
        # the host root's links (bin, lib, lib64, sbin); nothing else.
        assert {"etc", "dev", "proc", "usr", "tmp"} <= set(top), top
        for hidden in ("root", "home", "work", "var", "boot", "srv", "opt", "media"):
            assert hidden not in top, top
        assert sorted(os.listdir(f"/proc/{pid}/root/etc")) <= sorted(
            ["passwd", "group", "nsswitch.conf", "hosts", "python3.11", "ld.so.cache", "localtime",
             "ssl"]), os.listdir(f"/proc/{pid}/root/etc")
    finally:
        proc.kill()
        proc.wait()


def test_implicit_list_is_what_explain_prints_and_the_report_lists(world):
    """--explain prints each implicit item of the run with its paths; the
    report's layers.view.implicit is the same list; builtin:strict drops
    the time zones, locales and TLS configuration, and they are not in its
    view."""
    for builtin in BUILTINS:
        ex = subprocess.run([SANDBOXPY, "-C", world.work, "-p", f"builtin:{builtin}", "--explain"],
                            capture_output=True, text=True, check=True).stdout
        p, rep = world.run(f"builtin:{builtin}", "/usr/share/zoneinfo")
        items = rep["layers"]["view"]["implicit"]
        for it in items:
            assert (" ".join(it["paths"])) in ex, (builtin, it, ex)
        names = {it["name"] for it in items if it["name"]}
        if builtin == "strict":
            assert names == {"identity", "hosts"}, items
            assert "dropped: [timezone]" in ex and json.loads(p.stdout)["/usr/share/zoneinfo"] == 2
        else:
            assert names == {"identity", "hosts", "timezone", "locale", "ssl"}, items
            assert json.loads(p.stdout)["/usr/share/zoneinfo"] == "stat ok"


def test_implicit_identity_dropped_has_no_passwd(world):
    p, rep = world.run("builtin:default", extra=["--set", "filesystem.implicit=[]"])
    assert p.returncode != 0 and "KeyError" in p.stderr, p.stderr
    assert [it["name"] for it in rep["layers"]["view"]["implicit"] if it["name"]] == []


@pytest.mark.parametrize("extensions", ['"stdlib"', "[]"])
def test_site_extension_refused_under_stdlib_with_a_hint_naming_the_package(world, extensions):
    with open(os.path.join(world.work, "probe.py"), "w") as fh:
        fh.write("import yaml._yaml\nprint('LOADED')\n")
    p, rep = world.run("builtin:default", extra=["--set", "python.site=true",
                                                 "--set", f"native.extensions={extensions}"])
    assert "LOADED" not in p.stdout, p.stdout
    ev = [e for e in rep["events"] if e["rule"] == "native.extensions"]
    assert ev and ev[0]["module"] == "yaml._yaml", rep["events"]
    assert 'allow with "native": {"extensions": ["yaml"]}' in p.stderr, p.stderr
    p, rep = world.run("builtin:default", extra=["--set", "python.site=true",
                                                 "--set", 'native.extensions=["yaml"]'])
    assert "LOADED" in p.stdout, (p.stdout, p.stderr)


def test_extension_list_keeps_exec_on_sys_path_trees_only(world):
    """native.extensions as a list: the working directory (on sys.path)
    keeps exec for the listed modules; a filesystem.read tree stays
    noexec."""
    other = os.path.dirname(world.other)
    with open(os.path.join(world.work, "probe.py"), "w") as fh:
        fh.write("import json\nm = {l.split()[4]: l.split()[5] for l in open('/proc/self/mountinfo')}\n"
                 "print(json.dumps(m))\n")
    p, rep = world.run("builtin:default", extra=["--set", f'filesystem.read=[".", "{other}", "/proc"]',
                                                 "--set", 'native.extensions=["yaml"]'])
    assert p.returncode == 0, p.stderr
    m = json.loads(p.stdout)
    assert "noexec" not in m[world.work].split(","), m
    assert "noexec" in m[other].split(","), m


def test_stdlib_extensions_load_for_an_ordinary_uid(world):
    """An unprivileged caller whose uid is not the overflow uid owns the
    view's own directories (its user namespace made them): they are on a
    read-only mount, so the hook counts them fixed and lets lib-dynload's
    extensions load (ctypes refused its own _ctypes before)."""
    uid = 64900
    os.chmod(world.base, 0o777)
    os.chmod(world.work, 0o777)
    copy_sandboxpy(world.base)
    p = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                        os.path.join(world.base, "sandboxpy"), "-q", "-C", world.work,
                        "--set", "native.ctypes=true", "-c",
                        "import ctypes, _json, _decimal; print('LOADED', ctypes.CDLL(None).getpid())"],
                       capture_output=True, text=True, timeout=60, cwd=world.work)
    assert p.returncode == 0 and "LOADED" in p.stdout, (p.stdout, p.stderr)


@pytest.mark.parametrize("unprivileged", [False, True], ids=["root", "nobody"])
def test_view_mounts_keep_their_flags_and_a_tree_inside_an_identical_one_is_bound_once(
        world, unprivileged):
    """The view's mounts, read from inside (issue 20 made the set-up
    cheaper, not different): the root read-only and noexec, every tree
    nosuid, nodev but the devices, the working directory noexec, the
    system's libraries exec; /etc/localtime's zone file is served by the
    /usr/share/zoneinfo tree that holds it (same flags, one recursive
    clone), not bound again on top; each mount point once."""
    with open(os.path.join(world.work, "probe.py"), "w") as fh:
        fh.write("import json\nrows = [l.split() for l in open('/proc/self/mountinfo')]\n"
                 "tz = open('/etc/localtime', 'rb').read(4).decode('latin-1')\n"
                 "print(json.dumps({'rows': [[r[4], r[5]] for r in rows], 'tz': tz}))\n")
    p, rep = world.run("builtin:default", unprivileged=unprivileged,
                       extra=["--set", 'filesystem.read=[".", "/proc"]'])
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    points = [r[0] for r in out["rows"]]
    opts = {r[0]: r[1].split(",") for r in out["rows"]}
    assert len(points) == len(set(points)), points
    assert {"ro", "nosuid", "nodev", "noexec"} <= set(opts["/"]), opts["/"]
    devices = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}
    assert devices <= set(points), points
    for point, o in opts.items():
        assert "nosuid" in o, (point, o)
        assert ("nodev" in o) == (point not in devices), (point, o)
    assert "noexec" in opts[world.work], opts[world.work]
    assert "noexec" not in opts["/usr/lib/x86_64-linux-gnu"], opts
    zone = os.path.realpath("/etc/localtime")
    if zone.startswith("/usr/share/zoneinfo/"):
        assert out["tz"] == "TZif", out
        assert "/usr/share/zoneinfo" in points, points
        assert not [q for q in points if q.startswith("/usr/share/zoneinfo/")], points
