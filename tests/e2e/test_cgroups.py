"""The run's cgroups seen from outside while it runs (issue 20): the
sandbox's processes (the PID namespace's init and the program) are in the
run's groups, in every hierarchy that holds a limit. Under builtin:default
on a cgroup v1 machine the child joined its v1 groups itself; with a CPU
limit only, where a writable cgroup v2 hierarchy is mounted (beside v1
here), it was cloned into its v2 group. Which one a run used is read from
its report (layers.limits_enforced_by)."""
import json
import os
import subprocess
import time

import pytest

from conftest import SANDBOXPY

V1 = ("memory", "pids", "cpuacct")


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def sandbox_procs(top):
    """Descendants of top in another PID namespace than ours."""
    mine = os.readlink("/proc/self/ns/pid")
    found, todo = [], [top]
    while todo:
        for c in children(todo.pop()):
            todo.append(c)
            try:
                if os.readlink(f"/proc/{c}/ns/pid") != mine:
                    found.append(c)
            except OSError:
                pass
    return found


def groups_of(pid):
    """{controller or "": path} from /proc/PID/cgroup."""
    out = {}
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            for c in ctrls.split(",") if ctrls else [""]:
                out[c] = path
    return out


def watch(tmp_path, *sets):
    """Starts a sleeping program, returns the groups of its sandbox's
    processes once both are there, and the finished run's report."""
    report = tmp_path / "report.json"
    p = subprocess.Popen([SANDBOXPY, "-q", "-r", str(report), *sets, "-c", "import time; time.sleep(2)"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = []
    try:
        for _ in range(300):
            procs = sandbox_procs(p.pid)
            if len(procs) >= 2:
                time.sleep(0.05)
                seen = [groups_of(pid) for pid in sandbox_procs(p.pid)]
                break
            time.sleep(0.01)
    finally:
        _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    return seen, json.loads(report.read_text())


def test_v1_groups_hold_the_init_and_the_program(tmp_path):
    seen, rep = watch(tmp_path)
    by = rep["layers"]["limits_enforced_by"]
    if "cgroup v1" not in by["memory_mb"]:
        pytest.skip(f"no cgroup v1 memory limit here: {by['memory_mb']}")
    assert len(seen) == 2, seen
    for ctrl in V1:
        paths = {g.get(ctrl) for g in seen}
        assert len(paths) == 1, (ctrl, seen)
        assert os.path.basename(paths.pop()).startswith("sandboxpy-"), (ctrl, seen)


def v2_mounted():
    with open("/proc/self/mountinfo") as f:
        return any(" - cgroup2 " in line for line in f)


@pytest.mark.skipif(os.geteuid() != 0 or not v2_mounted(),
                    reason="needs root and a mounted cgroup v2 hierarchy (writable for root)")
def test_v2_clone_into_the_group_for_a_cpu_limit(tmp_path):
    seen, rep = watch(tmp_path, "--set", "limits.memory_mb=null", "--set", "limits.tasks=null")
    assert "cgroup v2" in rep["layers"]["limits_enforced_by"]["cpu_seconds"]
    assert len(seen) == 2, seen
    paths = {g[""] for g in seen}
    assert len(paths) == 1, seen
    assert os.path.basename(paths.pop()).startswith("sandboxpy-"), seen
    assert rep["time"]["cpu_s"] >= 0
