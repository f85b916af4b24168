"""The files of examples/scaling (docs/scaling.md) on this one machine:
split-jobs.sh, the Slurm array script with the variables Slurm would set,
GNU parallel with the local ":" login instead of ssh, the Kubernetes Job's
container command with its volume moved to a scratch directory, and
merge-results.py finding the jobs that have no result.

ctest sets SANDBOXPY; by hand:
SANDBOXPY=build/sandboxpy /usr/bin/python3 -m pytest tests/python/test_scaling.py
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Every result line left under a test's tmp_path is checked against
# docs/report.schema.json.
sys.path.insert(0, str(REPO / "tests" / "schema"))
from report_fixtures import reports_match_the_schema  # noqa: E402,F401  (autouse)
SCALING = REPO / "examples" / "scaling"
SANDBOXPY = os.path.abspath(os.environ.get("SANDBOXPY", str(REPO / "build" / "sandboxpy")))
N_JOBS = 7


def make_jobs(base):
    """N_JOBS small jobs with absolute paths: most print their number, one
    breaks the grading policy, one line is malformed."""
    work = base / "work"
    work.mkdir()
    lines = []
    for i in range(N_JOBS - 2):
        lines.append({"id": f"j{i}", "code": f"print({i} * 2)", "cwd": str(work),
                      "policy": "builtin:grading"})
    lines.append({"id": "spawn", "code": "import os; os.system('true')", "cwd": str(work),
                  "policy": "builtin:grading"})
    lines.append({"id": "bad", "colour": "red", "code": "1"})
    jobs = base / "jobs.jsonl"
    jobs.write_text("".join(json.dumps(j) + "\n" for j in lines))
    return jobs


def sandboxpy_on_path(base):
    """A PATH directory whose `sandboxpy` is the binary under test."""
    bindir = base / "bin"
    bindir.mkdir(exist_ok=True)
    link = bindir / "sandboxpy"
    if not link.exists():
        os.symlink(SANDBOXPY, link)
    return {**os.environ, "PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "TMPDIR": str(base)}


def read_results(*paths):
    out = {}
    for p in paths:
        for line in Path(p).read_text().splitlines():
            r = json.loads(line)
            out[r["id"]] = r
    return out


def check_outcomes(results):
    """What the jobs of make_jobs() must give, wherever they ran."""
    assert set(results) == {f"j{i}" for i in range(N_JOBS - 2)} | {"spawn", "bad"}, results.keys()
    for i in range(N_JOBS - 2):
        r = results[f"j{i}"]
        assert r["report"]["status"] == "ok", r
        assert r["stdout"]["head"] == f"{i * 2}\n"
    assert results["spawn"]["report"]["status"] == "violation"
    assert results["bad"]["report"]["status"] == "internal"
    assert "colour" in results["bad"]["report"]["message"]


def merge(base, jobs, *result_files):
    return subprocess.run([str(SCALING / "merge-results.py"), str(jobs), *map(str, result_files)],
                          cwd=base, capture_output=True, text=True, timeout=60)


def test_split_then_slurm_array_then_merge(tmp_path):
    jobs = make_jobs(tmp_path)
    env = sandboxpy_on_path(tmp_path)
    subprocess.run([str(SCALING / "split-jobs.sh"), str(jobs), "3", "shards"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=60)
    shards = sorted((tmp_path / "shards").glob("jobs.*.jsonl"))
    assert [s.name for s in shards] == ["jobs.000.jsonl", "jobs.001.jsonl", "jobs.002.jsonl"]
    assert "".join(s.read_text() for s in shards) == jobs.read_text()

    for task in range(3):
        done = subprocess.run(["bash", str(SCALING / "slurm-array.sbatch")], cwd=tmp_path,
                              env={**env, "SLURM_ARRAY_TASK_ID": str(task),
                                   "SLURM_CPUS_PER_TASK": "2"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    parts = sorted((tmp_path / "results").glob("*.jsonl"))
    assert len(parts) == 3
    check_outcomes(read_results(*parts))

    merged = merge(tmp_path, jobs, *parts)
    assert merged.returncode == 0, merged.stderr
    check_outcomes(read_results_text(merged.stdout))
    assert (tmp_path / "missing.jsonl").read_text() == ""

    # One shard lost: its jobs are listed, as a jobs file to run again.
    merged = merge(tmp_path, jobs, parts[0], parts[2])
    assert merged.returncode == 1
    lost = {json.loads(line)["id"] for line in shards[1].read_text().splitlines()}
    missing = {json.loads(l)["id"] for l in (tmp_path / "missing.jsonl").read_text().splitlines()}
    assert missing == lost and missing


def read_results_text(text):
    return {json.loads(l)["id"]: json.loads(l) for l in text.splitlines()}


def test_gnu_parallel_with_the_local_login(tmp_path):
    if shutil.which("parallel") is None:
        pytest.skip("GNU parallel is not installed (scripts/install-deps installs it)")
    jobs = make_jobs(tmp_path)
    (tmp_path / "hosts.txt").write_text("1/:\n")
    done = subprocess.run([str(SCALING / "parallel-ssh.sh"), "hosts.txt", str(jobs),
                           "results.jsonl", "2"], cwd=tmp_path,
                          env={**sandboxpy_on_path(tmp_path), "SANDBOXPY": SANDBOXPY},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == N_JOBS          # every chunk's lines, none cut or doubled
    check_outcomes(read_results_text("\n".join(lines)))


def test_kubernetes_job_command(tmp_path):
    yaml = pytest.importorskip("yaml", reason="python3-yaml is needed to read job.yaml")
    doc = yaml.safe_load((SCALING / "kubernetes" / "job.yaml").read_text())
    assert doc["kind"] == "Job" and doc["spec"]["completionMode"] == "Indexed"
    pod = doc["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"/data", "/tmp"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    # The container's command, with the volume at a scratch directory.
    data = tmp_path / "data"
    data.mkdir()
    jobs = make_jobs(data)
    subprocess.run([str(SCALING / "split-jobs.sh"), str(jobs), "2", str(data / "shards")],
                   check=True, capture_output=True, timeout=60)
    script = container["args"][0].replace("/data", str(data))
    for index in range(2):
        done = subprocess.run(container["command"] + [script], capture_output=True, text=True,
                              env={**sandboxpy_on_path(tmp_path),
                                   "JOB_COMPLETION_INDEX": str(index)}, timeout=120)
        assert done.returncode == 0, done.stderr
    check_outcomes(read_results(*sorted((data / "results").glob("*.jsonl"))))
