"""End-to-end tests of `sandboxpy --batch` (docs/batch.md) and of the two
examples built on it and on the library (examples/grading/grade,
examples/plugin-host).

Everything is checked from outside: the result lines, files a job must
not have written, what several running jobs saw of each other through a
shared directory (the --jobs bound, without timing), /proc after an
interrupt (no worker and no sandbox left), the batch's private directory
gone. ctest runs three entries from this file: e2e.batch, examples.grading
and examples.plugin_host (-k).
"""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SANDBOXPY, on_a_pty, procs_with, report_schema

pytestmark = pytest.mark.skipif(not Path(SANDBOXPY).exists(),
                                reason=f"no sandboxpy binary at {SANDBOXPY}")

SOURCE = Path(__file__).resolve().parents[2]
PLUGIN_HOST = os.environ.get("PLUGIN_HOST", str(Path(SANDBOXPY).parent / "examples" / "plugin-host"))

SUM = "import sys\nprint(sum(int(t) for t in sys.stdin.read().split()))\n"


def give_to_sandbox(*dirs):
    """Started as root the program runs as uid 64981, which writes a write
    tree only if it may (docs/confinement.md)."""
    if os.geteuid() == 0:
        for d in dirs:
            os.chown(d, 64981, 64981)


def result_line(text):
    """One result line, parsed and checked against docs/report.schema.json."""
    return report_schema.check_batch_result(json.loads(text), f"result line {text[:80]!r}...")


def write_jobs(path, jobs):
    path.write_text("".join((j if isinstance(j, str) else json.dumps(j)) + "\n" for j in jobs))
    return path


def batch(tmp_path, jobs, *opts, env=None, input=None, timeout=60):
    """Runs sandboxpy --batch over jobs (dicts, or raw lines as str);
    returns (process, results by id, results in file order)."""
    jobs_path = write_jobs(tmp_path / "jobs.jsonl", jobs)
    results_path = tmp_path / "results.jsonl"
    env = dict(os.environ if env is None else env)
    env["TMPDIR"] = str(tmp_path)
    proc = subprocess.run([SANDBOXPY, "--batch", str(jobs_path), "--results", str(results_path),
                           *opts], capture_output=True, text=True, timeout=timeout, env=env,
                          input=input, cwd=tmp_path)
    lines = [result_line(l) for l in results_path.read_text().splitlines()] \
        if results_path.exists() else []
    return proc, {r["id"]: r for r in lines if r["id"] is not None}, lines


def without_pool_warning(lines):
    """stderr lines less the one warning a batch gives when its slots could
    not open a warm pool (at most one, and about the pool)."""
    warn = [l for l in lines if l.startswith(("sandboxpy: batch warning: ", '{"warning": '))]
    assert len(warn) <= 1 and all("warm pool" in l for l in warn), lines
    return [l for l in lines if l not in warn]


def no_private_dirs(tmp_path):
    return [p.name for p in tmp_path.iterdir() if p.name.startswith("sandboxpy-")]


# ---------------------------------------------------------------------------
# outcomes


def test_outcomes_and_stdout_matching(tmp_path):
    (tmp_path / "in.txt").write_text("1 2\n3\n")
    (tmp_path / "six.txt").write_text("6\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "sum.py").write_text(SUM)
    jobs = [
        {"id": "correct", "file": str(work / "sum.py"), "cwd": str(work),
         "stdin": str(tmp_path / "in.txt"), "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "spaces", "code": "print('  6', end=' \\n\\n')",
         "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "wrong", "code": "print(7)", "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "glued", "code": "print('6 1')", "expected_stdout": str(tmp_path / "six.txt")},
        {"id": "timeout", "code": "import time\ntime.sleep(30)", "timeout": 0.5},
        {"id": "cpu", "code": "while True: pass", "policy": "builtin:grading",
         "set": ["limits.cpu_seconds=0.5"]},
        {"id": "violation", "code": "open('written.txt', 'w').write('x')",
         "cwd": str(work), "policy": "builtin:grading"},
        {"id": "error", "code": "import sys\nsys.stderr.write('boom\\n')\nsys.exit(3)",
         "args": ["a", "b"]},
        {"id": "args", "module": "json.tool", "args": ["--compact", str(tmp_path / "six.txt")]},
    ]
    proc, res, _ = batch(tmp_path, jobs, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert set(res) == {j["id"] for j in jobs}
    for i, j in enumerate(jobs):
        assert res[j["id"]]["line"] == i + 1

    def rep(i):
        return res[i]["report"]

    assert rep("correct")["status"] == "ok" and rep("correct")["report_version"] == 1
    assert "layers" in rep("correct") and rep("correct")["exit_code"] == 0
    assert res["correct"]["stdout"] == {"bytes": 2, "head": "6\n", "truncated": False}
    assert res["correct"]["stdout_match"] == {"exact": True, "normalized": True}
    assert res["spaces"]["stdout_match"] == {"exact": False, "normalized": True}
    assert res["wrong"]["stdout_match"] == {"exact": False, "normalized": False}
    assert res["glued"]["stdout_match"] == {"exact": False, "normalized": False}
    assert "stdout_match" not in res["timeout"]
    assert rep("timeout")["status"] == "timeout" and "wall-clock" in rep("timeout")["message"]
    assert rep("cpu")["status"] == "timeout" and "CPU" in rep("cpu")["message"]
    v = rep("violation")
    assert v["status"] == "violation" and v["summary"]["killed_by"]["rule"] == "filesystem.write"
    assert not (work / "written.txt").exists()
    assert rep("error")["status"] == "error" and rep("error")["exit_code"] == 3
    assert res["error"]["stderr"]["tail"] == "boom\n"
    assert rep("error")["argv"] == ["-c", jobs[7]["code"], "a", "b"]
    assert rep("args")["status"] == "ok" and res["args"]["stdout"]["head"] == "6\n"
    assert no_private_dirs(tmp_path) == []


def test_stdout_kept_when_asked_and_invalid_utf8_replaced(tmp_path):
    keep = tmp_path / "kept.out"
    jobs = [{"id": "big", "code": "import sys\nsys.stdout.write('x' * 10000)\n"
             "sys.stdout.flush()\nsys.stdout.buffer.write(b'\\xff\\n')",
             "stdout": str(keep)},
            {"id": "bytes", "code": "import sys\nsys.stdout.buffer.write(b'a\\xffb\\xc3')"}]
    proc, res, _ = batch(tmp_path, jobs)
    assert proc.returncode == 0, proc.stderr
    out = res["big"]["stdout"]
    assert out["bytes"] == 10002 and out["truncated"] and out["path"] == str(keep)
    assert out["head"] == "x" * 4096
    assert keep.read_bytes() == b"x" * 10000 + b"\xff\n"
    assert res["bytes"]["stdout"]["head"] == "a\ufffdb\ufffd"


def test_malformed_lines_get_their_own_error_and_the_batch_goes_on(tmp_path):
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text('{\n  "version": 1,\n  "limits": {"tasks": "many"}\n}\n')
    lines = [
        "this is not json",
        {"code": "print(1)"},
        {"id": "unknown", "code": "print(1)", "color": "red"},
        {"id": "twoprogs", "code": "print(1)", "file": "x.py"},
        {"id": "noprog"},
        {"id": "badargs", "code": "print(1)", "args": ["a", 2]},
        {"id": "nopolicy", "code": "print(1)", "policy": str(tmp_path / "missing.json")},
        {"id": "badpolicy", "code": "print(1)", "policy": str(bad_policy)},
        {"id": "badset", "code": "print(1)", "set": ["limits.nosuch=1"]},
        "",
        "[1, 2]",
        {"id": "good", "code": "print('still here')"},
    ]
    proc, res, all_lines = batch(tmp_path, lines)
    assert proc.returncode == 0, proc.stderr
    assert len(all_lines) == 11          # the blank line is not a job
    by_line = {r["line"]: r for r in all_lines}
    jobs = str(tmp_path / "jobs.jsonl")
    expect = {1: "not a JSON job", 2: "$.id: missing", 3: "$.color: unknown key",
              4: "exactly one of file, code, module", 5: "exactly one of file, code, module",
              6: "$.args[1]: expected a string", 7: "$.policy: cannot load the policy",
              8: "$.policy: cannot load the policy", 9: "$.set[0]: bad override limits.nosuch=1",
              11: "a job is a JSON object"}
    for n, words in expect.items():
        r = by_line[n]["report"]
        assert r["status"] == "internal", (n, r)
        assert r["message"].startswith(f"{jobs}:{n}:"), (n, r["message"])
        assert words in r["message"], (n, r["message"])
    # the policy's own diagnostics follow, with their position in the policy
    assert any(e.startswith(f"{bad_policy}:3:") and "limits.tasks" in e
               for e in by_line[8]["report"]["errors"]), by_line[8]["report"]["errors"]
    assert by_line[3]["id"] == "unknown" and by_line[2]["id"] is None
    assert res["good"]["report"]["status"] == "ok"
    assert res["good"]["stdout"]["head"] == "still here\n"


def test_batch_failures_exit_125(tmp_path):
    p = subprocess.run([SANDBOXPY, "--batch", str(tmp_path / "none.jsonl")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 125 and "cannot read the jobs file" in p.stderr
    write_jobs(tmp_path / "j.jsonl", [{"id": "a", "code": "1"}])
    for bad in (["--jobs", "0"], ["--jobs", "x"], ["-c", "1"], ["script.py"]):
        p = subprocess.run([SANDBOXPY, "--batch", str(tmp_path / "j.jsonl"), *bad],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 125, (bad, p.stderr)
    p = subprocess.run([SANDBOXPY, "--batch", str(tmp_path / "j.jsonl"), "--results",
                        str(tmp_path / "no" / "such" / "dir.jsonl")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 125 and "cannot write the results" in p.stderr, p.stderr


# ---------------------------------------------------------------------------
# parallelism


BARRIER = """
import os, sys, time
shared, me, n, total = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
open(os.path.join(shared, "started", me), "w").close()
open(os.path.join(shared, "run", me), "w").close()
seen, deadline = 0, time.monotonic() + 20
while True:
    running = len(os.listdir(os.path.join(shared, "run")))
    seen = max(seen, running)
    # wait for company until n run at once, or nobody else will come
    if running >= n or len(os.listdir(os.path.join(shared, "started"))) >= total:
        break
    if time.monotonic() > deadline:
        break
    time.sleep(0.01)
time.sleep(0.05)
seen = max(seen, len(os.listdir(os.path.join(shared, "run"))))
os.unlink(os.path.join(shared, "run", me))
print(seen)
"""


@pytest.mark.parametrize("n", [1, 3])
def test_jobs_bounds_the_runs_at_once(tmp_path, n):
    """Each job marks itself running in a shared directory, waits until n
    jobs run at once (or no more will start), and prints the most it saw.
    More than n means the bound was broken; fewer than n that the batch
    did not run n at a time."""
    shared = tmp_path / "shared"
    (shared / "run").mkdir(parents=True)
    (shared / "started").mkdir()
    give_to_sandbox(shared, shared / "run", shared / "started")
    total = 2 * n + 1
    jobs = [{"id": f"j{i}", "code": BARRIER, "args": [str(shared), f"j{i}", str(n), str(total)],
             "set": [f'filesystem.write=["{shared}"]']} for i in range(total)]
    proc, res, _ = batch(tmp_path, jobs, "--jobs", str(n))
    assert proc.returncode == 0, proc.stderr
    assert all(r["report"]["status"] == "ok" for r in res.values()), res
    seen = [int(r["stdout"]["head"]) for r in res.values()]
    assert len(seen) == total
    assert max(seen) == n, seen


def test_many_tiny_jobs_stream_from_standard_input(tmp_path):
    jobs = "".join(json.dumps({"id": f"t{i}", "code": f"print({i} * {i})"}) + "\n"
                   for i in range(120))
    results = tmp_path / "results.jsonl"
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.run([SANDBOXPY, "--batch", "-", "--jobs", "2"], input=jobs,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    results.write_text(proc.stdout)
    lines = [result_line(l) for l in proc.stdout.splitlines()]
    assert len(lines) == 120
    assert {r["id"] for r in lines} == {f"t{i}" for i in range(120)}
    for r in lines:
        i = int(r["id"][1:])
        assert r["line"] == i + 1
        assert r["report"]["status"] == "ok"
        assert r["stdout"]["head"] == f"{i * i}\n"
    # stderr is not a terminal: plain progress lines and the summary (issue 19)
    assert all(l.startswith("sandboxpy: batch ") for l in proc.stderr.splitlines()), proc.stderr
    assert proc.stderr.splitlines()[-1] == "sandboxpy: batch done: 120 jobs in " \
        + proc.stderr.splitlines()[-1].split(" in ")[1], proc.stderr
    assert proc.stderr.splitlines()[-1].endswith(": 120 ok; 0 failed"), proc.stderr
    assert no_private_dirs(tmp_path) == []


def test_progress_only_on_a_terminal(tmp_path):
    jobs = write_jobs(tmp_path / "jobs.jsonl", [{"id": "a", "code": "print(1)"},
                                                {"id": "b", "code": "raise SystemExit(2)"},
                                                {"id": "c", "code": "print(3)"}])
    proc, seen = on_a_pty(lambda slave, master: subprocess.run(
        [SANDBOXPY, "--batch", str(jobs), "--results", str(tmp_path / "r.jsonl")],
        stderr=slave, timeout=60))
    assert proc.returncode == 0
    assert b"[3/3] 1 failed" in seen, seen
    # issue 19: elapsed time and ETA, then the summary by status
    assert re.search(rb"\[1/3\] \d failed, 0:0\d elapsed, ETA 0:\d\d", seen), seen
    assert b"sandboxpy: batch done: 3 jobs in 0:" in seen and b": 2 ok, 1 error; 1 failed" in seen, seen


SLOW = "import time; time.sleep(2.2); print('x')"


@pytest.mark.parametrize("mode", ["plain", "json"])
def test_progress_lines_in_a_log(tmp_path, mode):
    """Not a terminal (a log, a CI runner): a line at the first result and
    then at most every 5 s, done/total, failures, elapsed and ETA; a summary
    by status at the end. JSON lines with --progress json."""
    jobs = [{"id": f"s{i}", "code": SLOW} for i in range(4)] + \
        [{"id": "bad", "code": "raise SystemExit(1)"}, {"id": "nofile", "file": "nope.py"}]
    opts = ("--jobs", "1") if mode == "plain" else ("--jobs", "1", "--progress", "json")
    proc, res, _ = batch(tmp_path, jobs, *opts)
    assert proc.returncode == 0, proc.stderr
    # the one warning of a batch whose slots have no warm pool (docs/batch.md)
    lines = without_pool_warning(proc.stderr.splitlines())
    assert len(lines) >= 3, lines          # first, at least one periodic, summary
    if mode == "json":
        recs = [json.loads(l) for l in lines]
        prog, summary = recs[:-1], recs[-1]
        assert all(set(r) == {"done", "total", "failed", "elapsed_s", "eta_s"} for r in prog), prog
        assert all(r["total"] == 6 for r in prog)
        assert [r["done"] for r in prog] == sorted(r["done"] for r in prog)
        assert summary["summary"] == {"ok": 4, "error": 1, "internal": 1}, summary
        assert summary["done"] == 6 and summary["failed"] == 2
        assert len(prog) >= 2 and prog[1]["elapsed_s"] - prog[0]["elapsed_s"] >= 5
    else:
        prog, summary = lines[:-1], lines[-1]
        assert all(re.fullmatch(r"sandboxpy: batch \[\d/6\] \d failed, 0:\d\d elapsed, ETA 0:\d\d", l)
                   for l in prog), prog
        assert re.fullmatch(r"sandboxpy: batch done: 6 jobs in 0:\d\d: 4 ok, 1 error, 1 internal; "
                            r"2 failed", summary), summary
    assert batch(tmp_path, jobs[-2:], "--progress", "none")[0].stderr == ""


def test_job_mistakes_are_the_graders(tmp_path):
    """A missing file or cwd, a bad override or timeout: status internal
    naming the job key, never a run counted against the program."""
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "ok.py").write_text("print('ok')\n")
    give_to_sandbox(tmp_path / "here")
    jobs = [{"id": "nofile", "file": "missing.py"},
            {"id": "nofile_cwd", "file": "missing.py", "cwd": str(tmp_path / "here")},
            {"id": "dirfile", "file": str(tmp_path / "here")},
            {"id": "nocwd", "code": "print(1)", "cwd": str(tmp_path / "nowhere")},
            {"id": "cwdfile", "code": "print(1)", "cwd": str(tmp_path / "here" / "ok.py")},
            {"id": "badset", "code": "print(1)",
             "set": ["limits.cpu_seconds=1", "limits.tasks=\"x\"", "limits.nosuch=1"]},
            {"id": "badset1", "code": "print(1)", "set": ["limits.cpu_seconds=1", "nokey"]},
            {"id": "good", "file": "ok.py", "cwd": str(tmp_path / "here")}]
    proc, res, _ = batch(tmp_path, jobs)
    assert proc.returncode == 0, proc.stderr
    expect = {"nofile": "$.file: cannot read missing.py",
              "nofile_cwd": f"$.file: cannot read {tmp_path}/here/missing.py",
              "dirfile": "$.file: ", "nocwd": "$.cwd: cannot use", "cwdfile": "$.cwd: cannot use",
              "badset1": "$.set[1]: bad override nokey"}
    for jid, words in expect.items():
        r = res[jid]["report"]
        assert r["status"] == "internal" and words in r["message"], (jid, r["message"])
    assert re.search(r"\$\.set\[[12]\]: bad override", res["badset"]["report"]["message"])
    assert res["good"]["report"]["status"] == "ok" and res["good"]["stdout"]["head"] == "ok\n"


def test_stderr_to_stdout_job_key(tmp_path):
    code = ("import sys\nprint('a', flush=True)\nprint('b', file=sys.stderr, flush=True)\n"
            "print('c')\n")
    proc, res, _ = batch(tmp_path, [{"id": "m", "code": code, "stderr_to_stdout": True},
                                    {"id": "both", "code": code, "stderr_to_stdout": True,
                                     "stderr": str(tmp_path / "e.txt")},
                                    {"id": "notbool", "code": code, "stderr_to_stdout": 1}])
    assert proc.returncode == 0, proc.stderr
    assert res["m"]["stdout"]["head"] == "a\nb\nc\n" and res["m"]["stderr"]["bytes"] == 0
    assert "$.stderr_to_stdout" in res["both"]["report"]["message"]
    assert "$.stderr_to_stdout: expected true or false" in res["notbool"]["report"]["message"]


# ---------------------------------------------------------------------------
# interrupts


SLEEPER = ("import os, sys, time\n"
           "open(os.path.join(sys.argv[1], sys.argv[2]), 'w').close()\n"
           "time.sleep(60)\n")


@pytest.mark.parametrize("opts", [(), ("--no-pool",)], ids=["slots", "no-pool"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_ends_every_sandbox_and_keeps_finished_results(tmp_path, sig, opts):
    shared = tmp_path / "shared"
    shared.mkdir()
    give_to_sandbox(shared)
    jobs = [{"id": "quick1", "code": "print('q1')"}, {"id": "quick2", "code": "print('q2')"}]
    jobs += [{"id": f"sleep{i}", "code": SLEEPER, "args": [str(shared), f"sleep{i}"],
              "set": [f'filesystem.write=["{shared}"]']} for i in range(3)]
    jobs_path = write_jobs(tmp_path / "jobs.jsonl", jobs)
    results = tmp_path / "results.jsonl"
    env = dict(os.environ, TMPDIR=str(tmp_path))
    # A session of its own, signalled as a group: what Ctrl-C does.
    p = subprocess.Popen([SANDBOXPY, "--batch", str(jobs_path), "--jobs", "2", "--results",
                          str(results), *opts], env=env, start_new_session=True,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while len(list(shared.iterdir())) < 2 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.02)
        assert len(list(shared.iterdir())) == 2, "two sleepers should be running"
        assert len(procs_with(str(jobs_path))) > 2, "workers should be running"
        os.killpg(p.pid, sig)
        rc = p.wait(30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert rc == 128 + sig, p.stderr.read()
    time.sleep(0.1)
    assert procs_with(str(jobs_path)) == [], "a worker or a sandbox was left behind"
    lines = [result_line(l) for l in results.read_text().splitlines()]
    res = {r["id"]: r for r in lines}
    assert res["quick1"]["report"]["status"] == "ok" and res["quick2"]["report"]["status"] == "ok"
    ended = sorted(i for i in res if i.startswith("sleep"))
    assert ended == sorted(f.name for f in shared.iterdir())   # the two that ran
    for i in ended:
        r = res[i]
        assert r["report"]["status"] == "signal" and r.get("interrupted") is True, r
        assert r["report"]["signal"] == signal.SIGTERM
    assert len(lines) == 4               # the job that never started has no line
    assert no_private_dirs(tmp_path) == []


# ---------------------------------------------------------------------------
# the examples


def test_example_grading(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, SANDBOXPY=SANDBOXPY, TMPDIR=str(tmp_path))
    p = subprocess.run([str(SOURCE / "examples" / "grading" / "grade"), "--out", str(out)],
                       capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "scoreboard.csv"))}
    tests = ["1", "2", "3"]
    assert set(rows) == {"correct", "wrong", "infinite_loop", "fork_bomb", "reads_tests",
                         "network"}
    assert rows["correct"]["passed"] == "3/3"
    assert [rows["wrong"][t] for t in tests] == ["PASS", "WRONG", "ERROR"]
    assert [rows["infinite_loop"][t] for t in tests] == ["TIMEOUT"] * 3
    for name in ("fork_bomb", "reads_tests", "network"):
        assert rows[name]["passed"] == "0/3"
        assert [rows[name][t] for t in tests] == ["VIOLATION"] * 3
    # right for the right reason: the results say which rule
    results = [result_line(l) for l in (out / "results.jsonl").read_text().splitlines()]
    rule = {r["id"]: (r["report"]["summary"]["killed_by"] or {}).get("rule") for r in results}
    for t in tests:
        assert rule[f"fork_bomb/{t}"] == "process.spawn"
        assert rule[f"reads_tests/{t}"] == "filesystem.read"
        assert rule[f"network/{t}"].startswith("network.")
    timeouts = [r["report"]["message"] for r in results if r["id"].startswith("infinite_loop/")]
    assert all("CPU limit" in m for m in timeouts), timeouts
    assert "correct" in p.stdout and "3/3" in p.stdout
    assert not list((out / "work" / "reads_tests").glob("*.out"))


def test_example_plugin_host(tmp_path):
    assert Path(PLUGIN_HOST).exists(), f"no plugin-host at {PLUGIN_HOST} (build the examples)"
    app = tmp_path / "app"
    shutil.copytree(SOURCE / "examples" / "plugin-host" / "app", app)
    give_to_sandbox(app / "data")
    p = subprocess.run([PLUGIN_HOST, str(app)], capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    outcome = {}
    for line in p.stdout.splitlines():
        name, _, rest = line.partition(": ")
        if not line.startswith(" ") and rest != "running":
            outcome[name] = rest
    assert outcome["hello"] == "ok"
    assert outcome["stats"] == "ok"
    assert outcome["sneaky"].startswith("denied by rule events[0] (app.plugin.load"), outcome
    assert "keylogger" in outcome["sneaky"]
    assert outcome["spy"].startswith("denied by rule filesystem.read"), outcome
    assert outcome["crash"].startswith("error"), outcome
    assert outcome["careful"].startswith("ok (after 1 refusal"), outcome
    # the events as they happened, from the callback
    assert '  [sneaky] deny app.plugin.load ["keylogger"] (rule events[0]' in p.stdout
    assert '  [hello] log app.plugin.load ["greeting"]' in p.stdout
    assert (app / "data" / "stats.txt").read_text() == "mean 5.0\n"
    # with keylogger trusted, sneaky loads it
    p = subprocess.run([PLUGIN_HOST, "--trust", "keylogger", "--trust", "greeting", str(app)],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert "sneaky: ok" in p.stdout.splitlines(), p.stdout
    assert "stats: denied by rule events[0] (app.plugin.load [\"mathx\"])" in p.stdout, p.stdout
