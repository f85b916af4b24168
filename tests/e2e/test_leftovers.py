"""After hostile runs nothing of the sandbox is left on the host that carries
privilege or outlives the run (issue 15): no root-owned file made by the
program, no set-id file, no private tmp directory, no cgroup directory.
Checked from outside, as root and as an unprivileged user (runuser -u
nobody), with programs that chmod set-id bits in a write tree and in the
private tmp, build trees deeper than PATH_MAX with rename, and leave mode
000 directories."""
import glob
import json
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import SANDBOX_UID, SANDBOXPY

NOBODY = 65534

HOSTILE = r'''
import os, sys, tempfile
results = []

def setid(path):
    with open(path, "w") as f:
        f.write("#!/bin/sh\nid\n")
    for mode in (0o4755, 0o2755, 0o6777):
        try:
            os.chmod(path, mode)
            results.append("CHMOD-OK")
        except OSError:
            results.append("CHMOD-REFUSED")

def deep(top):
    # Two chains of 10 names of 250 bytes, the second renamed into the
    # bottom of the first: deeper than PATH_MAX, though no path used here
    # is; a mode 000 directory and a NAME_MAX name at the bottom.
    for part in ("a", "b"):
        path = os.path.join(top, part, *(["d" * 250] * 10))
        os.makedirs(path)
        open(os.path.join(path, "n" * 255), "w").close()
        os.mkdir(os.path.join(path, "locked"), 0)
        if part == "a":
            bottom = path
    os.rename(os.path.join(top, "b"), os.path.join(bottom, "b"))

out = sys.argv[1]
tmp = tempfile.mkdtemp()
for d in (out, tmp):
    setid(os.path.join(d, "suid"))
    os.mkdir(os.path.join(d, "sgid-dir"))
    try:
        os.chmod(os.path.join(d, "sgid-dir"), 0o2777)
    except OSError:
        pass
    os.mkdir(os.path.join(d, "zero"), 0)
    deep(d)
print(" ".join(sorted(set(results))))
'''


def walk(top):
    """(path, lstat) below top by descriptor, whatever the depth."""
    out = []
    stack = [(os.open(top, os.O_RDONLY | os.O_DIRECTORY), top)]
    while stack:
        fd, name = stack.pop()
        try:
            for e in os.scandir(fd):
                st = os.lstat(e.name, dir_fd=fd)
                out.append((name + "/" + e.name, st))
                if stat.S_ISDIR(st.st_mode):
                    try:
                        stack.append((os.open(e.name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd),
                                      name + "/" + e.name))
                    except PermissionError:
                        pass        # mode 000: its lstat is what counts here
        finally:
            os.close(fd)
    return out


def cgroup_dirs(pid):
    return glob.glob(f"/sys/fs/cgroup/**/sandboxpy-{pid}", recursive=True)


def run_hostile(base, user=None):
    work, out, tmp = base / "work", base / "work" / "out", base / "tmp"
    for d in (work, out, tmp):
        d.mkdir()
    (work / "prog.py").write_text(HOSTILE)
    (base / "policy.json").write_text(json.dumps(
        {"version": 1, "filesystem": {"write": [str(out)], "tmp": True},
         "limits": {"wall_seconds": 30}}))
    cmd = [SANDBOXPY, "-C", str(work), "-p", str(base / "policy.json"), "-r",
           str(base / "report.json"), "prog.py", str(out)]
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)}
    if user is not None:
        for p in [base] + [base / n for n in ("work", "work/out", "work/prog.py", "tmp", "policy.json")]:
            os.chown(p, NOBODY, NOBODY)
        cmd = ["/usr/sbin/runuser", "-u", user, "--"] + cmd
    elif os.geteuid() == 0:
        os.chown(out, SANDBOX_UID, SANDBOX_UID)
    p = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    stdout, stderr = p.communicate(timeout=60)
    rep = json.loads((base / "report.json").read_text())
    return p, stdout, stderr, rep, out, tmp


def check_host(p, stdout, stderr, rep, out, tmp, owner):
    assert p.returncode == 0, (stdout, stderr)
    assert rep["status"] == "ok", rep["message"]
    # The private tmp and everything in it are gone: the tmp base is empty.
    assert os.listdir(tmp) == [], os.listdir(tmp)
    assert cgroup_dirs(p.pid) == []
    files = walk(str(out))
    assert len(files) > 25, "the deep trees should be there (the program's output)"
    root_owned = [f for f, st in files if st.st_uid == 0 or st.st_gid == 0]
    assert root_owned == [], root_owned[:5]
    assert {st.st_uid for _, st in files} == {owner}
    setid = [f for f, st in files if not stat.S_ISDIR(st.st_mode)
             and st.st_mode & (stat.S_ISUID | stat.S_ISGID)]
    if "CHMOD-OK" in stdout and setid:
        # The mounts hold ownership (never root's) and nosuid; refusing the
        # bits themselves at every chmod path is seccomp's (docs/seccomp.md).
        pytest.xfail(f"set-id bits are not refused by this build's filter: {setid[:3]}")
    assert setid == [], setid[:5]


def test_hostile_run_as_root_leaves_nothing_privileged(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    base = Path(tempfile.mkdtemp(prefix="sbx-leftovers-"))
    try:
        r = run_hostile(base)
        fs = r[3]["layers"]["filesystem"]
        assert fs["active"] and fs["tmp"]["active"] and fs["proc"]["active"], fs
        assert fs["memfd_noexec"]["active"], fs
        check_host(*r, owner=SANDBOX_UID)
    finally:
        subprocess.run(["rm", "-rf", str(base)])


def test_hostile_run_as_nobody_leaves_nothing_privileged():
    if os.geteuid() != 0:
        pytest.skip("needs root to become nobody")
    base = Path(tempfile.mkdtemp(prefix="sbx-leftovers-"))
    try:
        os.chmod(base, 0o755)
        r = run_hostile(base, user="nobody")
        check_host(*r, owner=NOBODY)
    finally:
        subprocess.run(["rm", "-rf", str(base)])


def test_root_owned_write_tree_is_refused_not_idmapped(tmp_path):
    """The old idmapped write mount stored the sandbox's files as root's."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    out = tmp_path / "out"
    out.mkdir()
    p = subprocess.run([SANDBOXPY, "-C", str(tmp_path), "--set",
                        f'filesystem.write=["{out}"]', "-c",
                        f"import os; open('{out}/f', 'w'); os.chmod('{out}/f', 0o4755)"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 125, p.stderr
    assert f"chown {SANDBOX_UID} {out}" in p.stderr
    assert os.listdir(out) == []


def dead_tid():
    """A thread id no process has now (a pid just reaped)."""
    p = subprocess.Popen(["/bin/true"])
    p.wait()
    return p.pid


def test_a_killed_runs_cgroups_are_swept_by_the_next(tmp_path):
    """A harness that kills sandboxpy and its guard together (killpg) leaves
    the run's cgroup directories; the next run in the same parent removes
    every empty sandboxpy-<tid> whose thread is gone, and never adopts one."""
    parents = [d for d in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory")
               if os.access(d, os.W_OK)]
    if os.geteuid() != 0 or not parents:
        pytest.skip("needs root and a writable v1 pids or memory hierarchy")
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrl, path = line.split(":", 2)
        for c in ctrl.split(","):
            own[c] = path
    stale = []
    for d in parents:
        parent = os.path.join(d, own.get(os.path.basename(d), "/").lstrip("/"))
        g = os.path.join(parent, f"sandboxpy-{dead_tid()}")
        os.mkdir(g)
        stale.append(g)
    r = subprocess.run([SANDBOXPY, "-q", "-c", "pass"], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    left = [g for g in stale if os.path.exists(g)]
    for g in left:
        os.rmdir(g)
    assert not left, f"stale groups kept: {left}"


def test_supervisor_files_do_not_follow_planted_symlinks(tmp_path):
    """A run plants symlinks in its write tree; a later run whose --stdin,
    --stderr or --log names them must not have the supervisor (root)
    truncate, write or read the targets (red-team finding after issue 15)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: the targets are root-only files")
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, SANDBOX_UID, SANDBOX_UID)
    victim, secret = tmp_path / "victim", tmp_path / "secret"
    victim.write_text("original")
    secret.write_text("TOPSECRET")
    for p in (victim, secret):
        p.chmod(0o600)
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"version": 1, "filesystem": {"write": [str(out)]}}))
    plant = tmp_path / "plant.py"
    plant.write_text(f"import os\nos.symlink({str(victim)!r}, {str(out / 'err.txt')!r})\n"
                     f"os.symlink({str(victim)!r}, {str(out / 'log.txt')!r})\n"
                     f"os.symlink({str(secret)!r}, {str(out / 'in.txt')!r})\n")
    r = subprocess.run([SANDBOXPY, "-q", "-p", str(policy), str(plant)], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    second = tmp_path / "second.py"
    second.write_text("import sys\nprint(sys.stdin.read())\nprint('PROGRAM', file=sys.stderr)\n")
    for opt, name in (("--stderr", "err.txt"), ("--log", "log.txt"), ("--stdin", "in.txt")):
        r = subprocess.run([SANDBOXPY, "-q", "-p", str(policy), opt, str(out / name), str(second)],
                           cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode == 125, (opt, r)
        assert "will not follow" in r.stderr, (opt, r.stderr)
        assert "TOPSECRET" not in r.stdout
    assert victim.read_text() == "original"
