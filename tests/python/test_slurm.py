"""The Slurm recipe of docs/scaling.md on a real one-node Slurm cluster.

The test starts its own cluster and stops it: munged with a generated key,
slurmctld and slurmd (Debian's slurm-wlm and munge, installed by
scripts/install-deps) with a generated slurm.conf, all on 127.0.0.1, with
free ports, sockets, state and spool directories under the test's scratch
directory, so nothing collides with a cluster already on the machine.
Clients find it through SLURM_CONF. Everything it started is ended when the
test ends, whether it passed or not. It is skipped, saying why, only when the
daemons cannot start here.

Then the recipe as the page writes it: split-jobs.sh, sbatch of
examples/scaling/slurm-array.sbatch (its own #SBATCH lines: 4 CPUs, 2G per
task), merge-results.py. One array task is lost (held, then cancelled
before it ran, as a node lost with its queue would leave it): the merge
must name exactly that shard's jobs in missing.jsonl, and the page's
re-run of missing.jsonl, again through Slurm, must bring every result.

ctest sets SANDBOXPY; by hand (as root):
SANDBOXPY=build/sandboxpy /usr/bin/python3 -m pytest tests/python/test_slurm.py
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_scaling import (SCALING, check_outcomes, make_jobs, read_results,  # noqa: E402
                          read_results_text, sandboxpy_on_path)
from test_scaling import reports_match_the_schema  # noqa: E402,F401  (autouse)

DAEMONS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo"]
NODE = "sbxnode"


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def slurm_conf(d, ctld_port, d_port):
    # The node claims 8 CPUs and 8 GB whatever the machine has
    # (config_overrides), so the script's own --cpus-per-task=4 --mem=2G
    # fit, two tasks at a time. No cgroup plugins: the daemons run in
    # whatever cgroup the test has.
    return f"""\
ClusterName=sbxtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
SlurmUser=root
SlurmdUser=root
StateSaveLocation={d}/ctld
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={d}/munge/socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName={NODE} NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=8 RealMemory=8192 State=UNKNOWN
PartitionName=sbx Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""


class Cluster:
    def __init__(self, d):
        self.dir = d
        self.procs = []
        self.env = {**os.environ, "SLURM_CONF": str(d / "slurm.conf")}

    def start(self, name, argv):
        log = open(self.dir / f"{name}.out", "w")
        # A session of its own, away from the terminal's signals; its
        # descendants carry SLURM_CONF, by which stop() finds them.
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def run(self, *argv, check=True, timeout=60, **kw):
        r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                           env=kw.pop("env", self.env), **kw)
        if check:
            assert r.returncode == 0, f"{argv}: exit {r.returncode}\n{r.stdout}{r.stderr}"
        return r

    def logs(self):
        out = []
        for f in sorted(self.dir.glob("*.out")) + sorted(self.dir.glob("*.log")):
            out.append(f"== {f.name}\n" + "\n".join(f.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(out)

    def boot(self):
        """Start munged, slurmctld and slurmd; None when up, else why not."""
        d = self.dir
        (d / "munge").mkdir(mode=0o711)
        (d / "ctld").mkdir()
        (d / "spool").mkdir()
        key = d / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        ctld_port, d_port = free_ports(2)
        (d / "slurm.conf").write_text(slurm_conf(d, ctld_port, d_port))
        self.start("munged", ["munged", "-F", "-f", f"--socket={d}/munge/socket",
                              f"--key-file={key}", f"--log-file={d}/munged.log",
                              f"--pid-file={d}/munge/munged.pid", f"--seed-file={d}/munge/seed"])
        if not self.wait(lambda: (d / "munge" / "socket").exists(), 10):
            return "munged did not start"
        self.start("slurmctld", ["slurmctld", "-D", "-i", "-f", str(d / "slurm.conf")])
        if not self.wait(lambda: self.run("scontrol", "ping", check=False).returncode == 0, 20):
            return "slurmctld did not answer scontrol ping"
        self.start("slurmd", ["slurmd", "-D", "-N", NODE, "-f", str(d / "slurm.conf")])
        if not self.wait(lambda: self.run("sinfo", "-h", "-N", "-o", "%t",
                                          check=False).stdout.strip() == "idle", 30):
            return "slurmd did not register as an idle node"
        return None

    def wait(self, ready, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if any(p.poll() is not None for p in self.procs):
                return False
            if ready():
                return True
            time.sleep(0.2)
        return False

    def wait_idle(self, seconds=180):
        """Until no job is queued or running; the queue on failure."""
        def empty():
            return self.run("squeue", "-h", check=False).stdout.strip() == ""
        assert self.wait(empty, seconds), self.run("squeue", check=False).stdout + self.logs()

    def stop(self):
        if any(p.poll() is None for p in self.procs):
            self.run("scancel", "--full", "--user=root", check=False, timeout=20)
            self.wait(lambda: self.run("squeue", "-h", check=False).stdout.strip() == "", 20)
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        # What the daemons started and left (a slurmstepd, in a session of
        # its own, and its job): every process carrying this cluster's
        # SLURM_CONF, by pid.
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def leftovers(self):
        mark = f"SLURM_CONF={self.env['SLURM_CONF']}".encode()
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if mark in environ.split(b"\0"):
                out.append(int(entry))
        return out


@pytest.fixture
def cluster(tmp_path):
    missing = [n for n in DAEMONS if shutil.which(n) is None]
    if missing:
        pytest.skip(f"Slurm cannot start here: {', '.join(missing)} not installed "
                    "(scripts/install-deps installs slurm-wlm and munge)")
    c = Cluster(tmp_path / "cluster")
    c.dir.mkdir()
    try:
        why = c.boot()
        if why:
            print(f"skipped: {why}\n{c.logs()}")
            pytest.skip(f"Slurm cannot start here: {why}")
        yield c
    finally:
        c.stop()
    end = time.monotonic() + 10
    while c.leftovers() and time.monotonic() < end:
        time.sleep(0.2)
    assert not c.leftovers(), "processes of the cluster survived its end"


def shard_ids(path):
    return {json.loads(line)["id"] for line in path.read_text().splitlines()}


def test_slurm_array_recipe_with_a_lost_shard(cluster, tmp_path):
    work = tmp_path / "grade"
    work.mkdir()
    jobs = make_jobs(work)
    # sandboxpy as installed on the nodes: on PATH (Slurm passes the
    # submitter's environment to the tasks).
    env = {**sandboxpy_on_path(work), "SLURM_CONF": cluster.env["SLURM_CONF"]}
    env.pop("SANDBOXPY", None)
    sbatch_script = str(SCALING / "slurm-array.sbatch")

    # docs/scaling.md, "A Slurm job array", step by step.
    cluster.run(str(SCALING / "split-jobs.sh"), str(jobs), "3", "shards", cwd=work, env=env)
    shards = sorted((work / "shards").glob("jobs.*.jsonl"))
    assert len(shards) == 3
    # Task 2 is lost: held, then cancelled before it ran.
    job = cluster.run("sbatch", "--parsable", "--hold", "--array=0-2", sbatch_script,
                      cwd=work, env=env).stdout.strip().split(";")[0]
    cluster.run("scontrol", "release", f"{job}_0", f"{job}_1", env=env)
    cluster.run("scancel", f"{job}_2", env=env)
    cluster.wait_idle()
    logs = sorted(work.glob(f"sandboxpy-{job}_*.out"))
    assert [l.name for l in logs] == [f"sandboxpy-{job}_0.out", f"sandboxpy-{job}_1.out"], \
        cluster.logs()

    parts = sorted((work / "results").glob("*.jsonl"))
    assert [p.name for p in parts] == ["jobs.000.jsonl", "jobs.001.jsonl"], cluster.logs()
    merged = cluster.run(str(SCALING / "merge-results.py"), str(jobs), *map(str, parts),
                         cwd=work, env=env, check=False)
    assert merged.returncode == 1, merged.stderr
    # Every result of the tasks that ran arrived; the lost shard's jobs,
    # and only those, are in missing.jsonl.
    assert set(read_results_text(merged.stdout)) == shard_ids(shards[0]) | shard_ids(shards[1])
    assert shard_ids(work / "missing.jsonl") == shard_ids(shards[2])

    # The page's re-run of missing.jsonl, through Slurm again.
    cluster.run(str(SCALING / "split-jobs.sh"), "missing.jsonl", "1", "retry/shards",
                cwd=work, env=env)
    cluster.run("sbatch", "--wait", "--array=0", sbatch_script, cwd=work / "retry", env=env,
                timeout=180)
    merged = cluster.run(str(SCALING / "merge-results.py"), str(jobs), *map(str, parts),
                         *map(str, sorted((work / "retry" / "results").glob("*.jsonl"))),
                         cwd=work, env=env)
    assert (work / "missing.jsonl").read_text() == ""
    results = read_results_text(merged.stdout)
    check_outcomes(results)
    assert read_results(*parts).keys() <= results.keys()
