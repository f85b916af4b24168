"""Issue 19, the command line a grader and a plugin host meet: the grader
options (--stderr-to-stdout, limits.stack_mb, limits.extra_seconds and
--extra-time), flags that would be ignored, "did you mean", a complete
--help, --self-test's rows, exit()/quit() without site, the message nits
(--timeout, open errors once, --check-policy in line order, no repeated
setting in a denial line) and --learn (optional imports, failed runs,
narrowing, the python.site hint). Checked from outside: exit status,
standard streams, reports, the learnt files."""
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import SANDBOXPY, on_a_pty, report_schema

pytestmark = pytest.mark.skipif(not Path(SANDBOXPY).exists(),
                                reason=f"no sandboxpy binary at {SANDBOXPY}")


def sbx(*args, cwd=None, input=None, timeout=60):
    return subprocess.run([SANDBOXPY, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, input=input, timeout=timeout)


# --------------------------------------------------------------- grader options

MIXED = ("import sys\n"
         "for i in range(3):\n"
         "    print('out', i, flush=True)\n"
         "    print('err', i, file=sys.stderr, flush=True)\n")


def test_stderr_to_stdout_keeps_the_order_in_one_file(tmp_path):
    out = tmp_path / "o.txt"
    p = sbx("-q", "--stderr-to-stdout", "--stdout", out, "-c", MIXED, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert out.read_text() == "".join(f"out {i}\nerr {i}\n" for i in range(3))
    assert p.stderr == ""
    # inherited standard output (a pipe here): the same
    p = sbx("-q", "--stderr-to-stdout", "-c", MIXED, cwd=tmp_path)
    assert p.stdout == "".join(f"out {i}\nerr {i}\n" for i in range(3)) and p.stderr == ""


def test_stderr_to_stdout_and_stderr_is_a_usage_error(tmp_path):
    p = sbx("--stderr-to-stdout", "--stderr", tmp_path / "e", "-c", "1")
    assert p.returncode == 125 and "--stderr-to-stdout and --stderr" in p.stderr, p.stderr
    assert not (tmp_path / "e").exists()


def test_stack_mb_is_the_programs_rlimit_stack(tmp_path):
    code = "import resource; print(resource.getrlimit(resource.RLIMIT_STACK)[0])"
    p = sbx("-q", "--set", "limits.stack_mb=64", "-c", code)
    assert p.returncode == 0 and int(p.stdout) == 64 << 20, p
    p = sbx("-q", "-c", code)
    assert int(p.stdout) == 8 << 20, p           # the default
    p = sbx("-q", "--set", "limits.stack_mb=null", "-c", code)
    assert int(p.stdout) == -1 or int(p.stdout) >= 1 << 62, p    # RLIM_INFINITY


def test_stack_mb_and_extra_seconds_in_the_policy_and_its_errors():
    shown = json.loads(sbx("--set", "limits.stack_mb=32", "--set", "limits.extra_seconds=0.5",
                           "--show-policy", "builtin:default").stdout)
    assert shown["limits"]["stack_mb"] == 32 and shown["limits"]["extra_seconds"] == 0.5
    assert json.loads(sbx("--show-policy", "builtin:grading").stdout)["limits"]["extra_seconds"] == 0
    for bad, words in (("limits.stack_mb=0", "$.limits.stack_mb: expected a value greater than 0"),
                       ("limits.stack_mb=\"big\"", "$.limits.stack_mb: expected a positive number"),
                       ("limits.extra_seconds=-1", "$.limits.extra_seconds: expected a number of seconds from 0 to 3600"),
                       ("limits.extra_seconds=null", "$.limits.extra_seconds: expected a number of seconds"),
                       ("limits.extra_seconds=4000", "from 0 to 3600")):
        p = sbx("--set", bad, "--check-policy", "builtin:default")
        assert p.returncode == 125 and words in p.stderr, (bad, p.stderr)
    for bad in ("abc", "-1", "4000", ""):
        p = sbx("--extra-time", bad, "-c", "1")
        assert p.returncode == 125 and p.stderr.startswith(
            "sandboxpy: --extra-time takes a number of seconds from 0 to 3600 (it sets "
            f"limits.extra_seconds); got '{bad}'"), p.stderr


BURN = ("import time\n"
        "t = time.process_time()\n"
        "while time.process_time() - t < {s}: pass\n"
        "print('finished', flush=True)\n")


def test_extra_time_lets_the_run_finish_and_still_reports_the_timeout(tmp_path):
    rep = tmp_path / "r.json"
    # 1.5 s of CPU under a 1 s limit and a 2 s grace: it finishes, yet it
    # is a timeout, with the CPU time it used.
    p = sbx("-q", "--set", "limits.cpu_seconds=1", "--extra-time", "2", "-r", rep,
            "-c", BURN.format(s=1.5), timeout=60)
    r = report_schema.load_report(rep)
    assert p.returncode == 124 and "finished" in p.stdout, p
    assert r["status"] == "timeout" and "CPU limit of 1 s" in r["message"], r["message"]
    assert r["time"]["cpu_s"] > 1.0
    # the same without the grace: ended at the limit, never finished
    p = sbx("-q", "--set", "limits.cpu_seconds=1", "-r", rep, "-c", BURN.format(s=1.5), timeout=60)
    assert p.returncode == 124 and "finished" not in p.stdout, p
    # a run within its limit is not touched by the grace
    p = sbx("-q", "--set", "limits.cpu_seconds=2", "--extra-time", "1", "-c", BURN.format(s=0.2))
    assert p.returncode == 0 and "finished" in p.stdout, p


def test_extra_time_on_the_wall_clock(tmp_path):
    rep = tmp_path / "r.json"
    p = sbx("-q", "--timeout", "1", "--extra-time", "3", "-r", rep,
            "-c", "import time; time.sleep(1.6); print('woke')", timeout=60)
    r = report_schema.load_report(rep)
    assert p.returncode == 124 and "woke" in p.stdout, p
    assert r["status"] == "timeout" and "wall-clock limit of 1 s" in r["message"]
    assert 1.5 < r["time"]["wall_s"] < 4


# --------------------------------------------------------- flags and messages

def test_flags_that_would_be_ignored_are_errors(tmp_path):
    for args, words in ((["--jobs", "2", "-c", "1"], "--jobs goes with --batch"),
                        (["--results", "r.jsonl", "-c", "1"], "--results goes with --batch"),
                        (["--progress", "json", "-c", "1"], "--progress goes with --batch"),
                        (["--explain", "-c", "1"], "--explain takes no program"),
                        (["--explain", "prog.py"], "--explain takes no program")):
        p = sbx(*args, cwd=tmp_path)
        assert p.returncode == 125 and words in p.stderr, (args, p.stderr)
    assert not (tmp_path / "r.jsonl").exists()


def test_unknown_options_get_a_suggestion():
    for arg, best in (("--polcy", "--policy"), ("--stder-to-stdout", "--stderr-to-stdout"),
                      ("--timout=3", "--timeout"), ("--self-tset", "--self-test")):
        p = sbx(arg, "-c", "1")
        assert p.returncode == 125 and f"(did you mean '{best}'?)" in p.stderr, (arg, p.stderr)
    p = sbx("--zzzzzzzz", "-c", "1")
    assert p.returncode == 125 and "did you mean" not in p.stderr


def test_help_names_every_option():
    text = sbx("--help").stdout
    source = (Path(__file__).resolve().parents[2] / "supervisor" / "main.c").read_text()
    longs = re.findall(r'\{ "([a-z-]+)", (?:no|required)_argument', source)
    assert len(longs) > 20
    for name in longs:
        assert f"--{name}" in text, name
    assert "sandboxpy --batch JOBS.jsonl" in text and "sandboxpy --learn OUT.json" in text


def test_timeout_is_checked_as_seconds():
    p = sbx("--timeout", "abc", "-c", "1")
    assert p.returncode == 125
    assert p.stderr.startswith("sandboxpy: --timeout takes a number of seconds above 0 (it sets "
                               "limits.wall_seconds); got 'abc'")
    assert "--set" not in p.stderr


def test_an_open_error_is_said_once(tmp_path):
    """One line names the file that cannot be opened, with or without -q."""
    bad = str(tmp_path / "no" / "such")
    for opt in ("--stdin", "--stdout"):
        p = sbx(opt, bad, "-c", "1")
        assert p.returncode == 125
        assert p.stderr.count(bad) == 1 and "No such file" in p.stderr, p.stderr
        p = sbx("-q", opt, bad, "-c", "1")
        assert p.returncode == 125 and p.stderr.count(bad) == 1, p.stderr


def test_check_policy_diagnostics_in_line_order(tmp_path):
    pol = tmp_path / "p.json"
    pol.write_text('{"version": 1,\n "python": {"site": 4},\n "filesystem": {"read": 3},\n'
                   ' "limits": {"tasks": "x"},\n "network": {"dns": 1}}\n')
    p = sbx("--check-policy", pol)
    lines = [int(l.split(":")[1]) for l in p.stderr.splitlines() if l.startswith(str(pol))]
    assert p.returncode == 125 and len(lines) == 4 and lines == sorted(lines), p.stderr


def test_a_denial_line_says_the_setting_once():
    p = sbx("-c", "try:\n    import ctypes\nexcept ImportError:\n    pass\n")
    lines = [l for l in p.stderr.splitlines() if l.startswith("sandboxpy: denied import ctypes")]
    assert lines and all(l.count("native.ctypes = false") == 1 for l in lines), p.stderr


def test_exit_and_quit_without_site():
    assert sbx("-q", "-c", "exit(3)").returncode == 3
    assert sbx("-q", "-c", "quit(4)").returncode == 4
    p = sbx("-q", input="print('a')\nexit(5)\nprint('b')\n")
    assert p.returncode == 5 and p.stdout == "a\n", p
    # python3 -S has neither; so has sandboxpy -S
    assert "NameError" in sbx("-q", "-S", "-c", "exit(3)").stderr


def test_exit_in_the_interactive_repl():
    def start(slave, master):
        p = subprocess.Popen([SANDBOXPY, "-q"], stdin=slave, stdout=slave, stderr=slave)
        os.write(master, b"print(6 * 7)\nexit()\n")
        p.wait(timeout=30)
        return p

    proc, seen = on_a_pty(start)
    assert proc.returncode == 0 and b"42" in seen and b"NameError" not in seen, seen


def test_self_test_fills_every_row():
    p = sbx("--self-test", timeout=120)
    rows = {l.split()[0]: l for l in p.stdout.splitlines()[1:] if l and not l.startswith("self-test")}
    for layer in ("audit", "seccomp", "landlock", "netns", "identity", "caps", "tasks", "cpu", "memory"):
        assert layer in rows, (layer, p.stdout)
        state = rows[layer][11:24].strip()
        assert state, f"blank state for {layer}: {rows[layer]!r}"


# ------------------------------------------------------------------ --learn

@pytest.fixture
def open_dir():
    """A directory the sandbox's uid can read (pytest's own are root's, 0700)."""
    d = Path(tempfile.mkdtemp(prefix="sbx-i19-", dir="/tmp"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


OPTIONAL = ("try:\n"
            "    import ctypes\n"
            "except ImportError:\n"
            "    ctypes = None\n"
            "print('fine', ctypes is None)\n")


def test_learn_does_not_grant_an_optional_import_the_program_caught(open_dir):
    tmp_path = open_dir
    (tmp_path / "prog.py").write_text(OPTIONAL)
    out = tmp_path / "p.json"
    p = sbx("-q", "-C", tmp_path, "--learn", out, "prog.py", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["native"]["ctypes"] is False
    notes = (tmp_path / "p.json.notes").read_text()
    assert "not granted" in notes and "import ctypes" in notes, notes
    assert "optional imports the program caught not granted" in p.stderr
    # enforced, the learnt policy runs the program as it ran
    p = sbx("-q", "-C", tmp_path, "-p", out, "prog.py", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "fine True\n", p


def test_learn_grants_an_import_the_program_needs(open_dir):
    tmp_path = open_dir
    (tmp_path / "prog.py").write_text("import ctypes\nprint(ctypes.sizeof(ctypes.c_int))\n")
    out = tmp_path / "p.json"
    p = sbx("-q", "-C", tmp_path, "--learn", out, "prog.py", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text())["native"]["ctypes"] is True


def test_learn_says_narrowed_when_it_lowers_limits(tmp_path):
    out = tmp_path / "p.json"
    p = sbx("-q", "--learn", out, "-c", "print(1)", cwd=tmp_path)
    m = re.search(r"(\d+) entr(?:y|ies) widened, (\d+) narrowed", p.stderr)
    assert p.returncode == 0 and m, p.stderr
    assert int(m.group(1)) == 0 and int(m.group(2)) >= 2, p.stderr
    assert json.loads(out.read_text())["limits"]["cpu_seconds"] < 10


def test_learn_from_a_failed_run_writes_nothing_and_points_to_site(tmp_path):
    site = next((d for d in ("/usr/lib/python3/dist-packages",) if Path(d, "numpy").is_dir()), None)
    out = tmp_path / "p.json"
    code = "import numpy\nprint(numpy.arange(3))\n" if site else "raise SystemExit('no')\n"
    p = sbx("-q", "--learn", out, "-c", code, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert "NOTHING LEARNT" in p.stderr and "widened" not in p.stderr, p.stderr
    assert not out.exists() and not Path(f"{out}.notes").exists()
    if site:
        assert "numpy" in p.stderr and "python.site=true" in p.stderr, p.stderr


def test_learn_from_a_failed_run_with_refusals_warns_and_keeps_limits(tmp_path):
    out = tmp_path / "p.json"
    code = "import subprocess\nsubprocess.run(['/bin/true'])\nraise SystemExit(3)\n"
    p = sbx("-q", "--learn", out, "-c", code, cwd=tmp_path)
    assert p.returncode == 3
    assert "WARNING: the run failed" in p.stderr, p.stderr
    doc = json.loads(out.read_text())
    assert doc["process"]["spawn"] is True and doc["limits"]["cpu_seconds"] == 10
