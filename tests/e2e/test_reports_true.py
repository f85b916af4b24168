"""Reports that are true and never lost (issue 18, points 2 and 3), seen
from outside: where sandboxpy writes (a destination that cannot be written
is exit 125 with nothing run; a device, a FIFO or a symlink to one is
written in place, never replaced; "-" is standard output; another user's
file in a shared directory is left alone), and the figures a grader reads
(peak memory however the run was ended, the CPU figure of a CPU timeout,
the limit object, whose exit status it is).
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import SANDBOXPY, SANDBOX_UID, report_schema

HELD_MB = 200

# Holds about 200 MB (every page touched), says so, then waits to be ended.
HOLD = f"""
import sys, time
b = bytearray({HELD_MB} << 20)
for i in range(0, len(b), 4096):
    b[i] = 1
print("held", flush=True)
if sys.argv[1:] == ["violate"]:
    import subprocess
    subprocess.run(["/bin/true"])
time.sleep(60)
"""


def cmd(sbx, *args, policy_sets=()):
    out = [SANDBOXPY, "-q", "-C", str(sbx.cwd)]
    for s in policy_sets:
        out += ["--set", s]
    return out + list(args)


def side_effect_program(sbx):
    """A program whose one effect is a file in a tree it may write: a run
    that started leaves it, a run refused beforehand does not."""
    w = sbx.base / "w"
    w.mkdir()
    if os.geteuid() == 0:
        os.chown(w, SANDBOX_UID, SANDBOX_UID)
    return w, ["--set", f'filesystem.write=["{w}"]', "-c", f'open("{w}/ran", "w").close()']


# ---- destinations (point 2) ----

BAD = {
    "missing directory": lambda b: b / "nodir" / "x.json",
    "a directory": lambda b: b,
    "under a file": lambda b: b / "work" / "prog.py" / "x.json",
    "in /proc": lambda b: "/proc/self/x.json",
}


@pytest.mark.parametrize("where", sorted(BAD))
@pytest.mark.parametrize("opt", ["-r", "--log", "--stdout"])
def test_unusable_destination_runs_nothing(sbx, opt, where):
    (sbx.cwd / "prog.py").write_text("")
    w, prog = side_effect_program(sbx)
    p = subprocess.run(cmd(sbx, opt, str(BAD[where](sbx.base)), *prog), capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 125, p.stderr
    assert not (w / "ran").exists(), "the program ran"
    assert "cannot write" in p.stderr


@pytest.mark.parametrize("where", sorted(BAD))
def test_unusable_results_run_no_job(sbx, where):
    (sbx.cwd / "prog.py").write_text("")
    w, prog = side_effect_program(sbx)
    jobs = sbx.base / "jobs.jsonl"
    jobs.write_text(json.dumps({"code": prog[-1], "cwd": str(sbx.cwd),
                                "set": [prog[1]]}) + "\n")
    p = subprocess.run([SANDBOXPY, "--batch", str(jobs), "--results", str(BAD[where](sbx.base))],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 125, p.stderr
    assert not (w / "ran").exists()


def test_a_run_that_can_write_its_report_runs(sbx):
    w, prog = side_effect_program(sbx)
    rep = sbx.base / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep), *prog), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (w / "ran").exists()
    assert report_schema.load_report(rep)["status"] == "ok"


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
@pytest.mark.parametrize("opt", ["-r", "--log", "--stdout"])
def test_char_device_written_in_place(sbx, opt):
    dev = sbx.base / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    p = subprocess.run(cmd(sbx, opt, str(dev), "-c", "print(1)"), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert not [f for f in os.listdir(sbx.base) if ".tmp." in f]


def test_symlink_to_char_device_written_through(sbx):
    link = sbx.base / "null-link"
    link.symlink_to("/dev/null")
    p = subprocess.run(cmd(sbx, "-r", str(link), "-c", "pass"), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.path.islink(link) and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("opt", ["-r", "--log"])
def test_fifo_with_a_reader_gets_it(sbx, opt):
    fifo = sbx.base / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()), daemon=True)
    reader.start()
    p = subprocess.run(cmd(sbx, opt, str(fifo), "-c", "open('/etc/shadow')"), capture_output=True,
                       text=True, timeout=60)
    reader.join(30)
    assert p.returncode == 1, p.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if opt == "-r":
        rep = json.loads(got[0])
        report_schema.check_report(rep, "fifo")
        assert rep["status"] == "error"
    else:
        assert json.loads(got[0].splitlines()[0])["rule"] == "filesystem.read"


@pytest.mark.parametrize("dest", ["-", "/dev/stdout", "link"])
def test_report_to_standard_output_in_a_pipe(sbx, dest):
    """/dev/stdout itself, and a link of our own like it (the machine's
    /dev/stdout is shared: a run that replaced it would break others)."""
    if dest == "link":
        dest = str(sbx.base / "stdout")
        os.symlink("/proc/self/fd/1", dest)
    elif dest == "/dev/stdout" and not os.path.islink(dest):
        pytest.skip("/dev/stdout is not a symlink on this machine")
    p = subprocess.run(cmd(sbx, "-r", dest, "-c", "pass"), capture_output=True, text=True,
                       timeout=60, cwd=sbx.base)
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    report_schema.check_report(rep, dest)
    assert rep["status"] == "ok"
    assert not (sbx.base / "-").exists()
    assert dest == "-" or os.readlink(dest) == "/proc/self/fd/1"


def test_report_to_a_link_to_stdout_redirected_to_a_file(sbx):
    """stdout is a regular file: the report goes into it, after what the
    program printed, and the link stays."""
    link, out = sbx.base / "stdout", sbx.base / "out.txt"
    link.symlink_to("/proc/self/fd/1")
    with open(out, "w") as f:
        p = subprocess.run(cmd(sbx, "-r", str(link), "-c", "print('PROGRAM', flush=True)"),
                           stdout=f, stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.readlink(link) == "/proc/self/fd/1"
    text = out.read_text()
    assert text.startswith("PROGRAM\n")
    report_schema.check_report(json.loads(text[len("PROGRAM\n"):]), "stdout file")


def test_trusted_link_to_a_regular_file_replaces_the_file(sbx):
    real, link = sbx.base / "real.json", sbx.base / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    p = subprocess.run(cmd(sbx, "-r", str(link), "-c", "pass"), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.readlink(link) == str(real)
    assert report_schema.load_report(real)["status"] == "ok"


def test_failure_report_to_standard_output(sbx):
    p = subprocess.run([SANDBOXPY, "-q", "-r", "-", "-p", str(sbx.base / "nopolicy.json"), "-c", "pass"],
                       capture_output=True, text=True, timeout=60, cwd=sbx.base)
    assert p.returncode == 125
    rep = json.loads(p.stdout)
    report_schema.check_report(rep, "-")
    assert rep["status"] == "internal" and rep["exit"] == {"status": 125, "meaning": "internal"}
    assert not (sbx.base / "-").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="another user's file needs root to make")
@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_another_users_file_in_a_shared_directory_is_left_alone(sbx, kind):
    shared = sbx.base / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    theirs = shared / "r.json"
    if kind == "file":
        theirs.write_text("theirs\n")
    else:
        theirs.symlink_to("/dev/null")
    os.lchown(theirs, 1234, 1234)
    w, prog = side_effect_program(sbx)
    p = subprocess.run(cmd(sbx, "-r", str(theirs), *prog), capture_output=True, text=True, timeout=60)
    assert p.returncode == 125, p.stderr
    assert not (w / "ran").exists()
    assert os.lstat(theirs).st_uid == 1234
    if kind == "file":
        assert theirs.read_text() == "theirs\n"


def test_link_the_sandbox_plants_at_the_report_is_replaced_not_followed(sbx):
    """The program makes the report's name a link to a file outside: the
    report replaces the link, the file it named is untouched."""
    w, _ = side_effect_program(sbx)
    victim = sbx.base / "victim"
    victim.write_text("keep\n")
    rep = w / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep), "--set", f'filesystem.write=["{w}"]', "-c",
                           f"import os; os.symlink({str(victim)!r}, {str(rep)!r})"),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert victim.read_text() == "keep\n"
    assert not os.path.islink(rep)
    assert report_schema.load_report(rep)["status"] == "ok"


def test_directory_the_sandbox_swaps_for_a_link_is_not_followed(sbx):
    w, _ = side_effect_program(sbx)
    sub = w / "sub"
    sub.mkdir()
    if os.geteuid() == 0:
        os.chown(sub, SANDBOX_UID, SANDBOX_UID)
    elsewhere = sbx.base / "elsewhere"
    elsewhere.mkdir()
    code = (f"import os; os.rename({str(sub)!r}, {str(w / 'old')!r}); "
            f"os.symlink({str(elsewhere)!r}, {str(sub)!r})")
    p = subprocess.run(cmd(sbx, "-r", str(sub / "r.json"), "--set", f'filesystem.write=["{w}"]',
                           "-c", code), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.listdir(elsewhere) == []
    assert report_schema.load_report(w / "old" / "r.json")["status"] == "ok"


def unprivileged(argv):
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv


@pytest.fixture
def nobody_dir():
    """A directory nobody reaches and writes (pytest's own are root's, 0700)."""
    d = tempfile.mkdtemp(prefix="sbx-reports-")
    os.chmod(d, 0o777)
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="setpriv to nobody needs root")
def test_unprivileged_unusable_report_runs_nothing(nobody_dir):
    tmp_path = nobody_dir
    w = tmp_path / "w"
    w.mkdir()
    os.chown(w, 65534, 65534)
    p = subprocess.run(unprivileged([SANDBOXPY, "-q", "-r", str(tmp_path / "nodir" / "r.json"),
                                     "--set", f'filesystem.write=["{w}"]', "-c",
                                     f'open("{w}/ran", "w").close()']),
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 125, p.stderr
    assert not (w / "ran").exists()
    # The same run with a report it can write does run.
    p = subprocess.run(unprivileged([SANDBOXPY, "-q", "-r", str(tmp_path / "r.json"),
                                     "--set", f'filesystem.write=["{w}"]', "-c",
                                     f'open("{w}/ran", "w").close()']),
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (w / "ran").exists()
    os.unlink(w / "ran")
    # A directory nobody may not write is refused as well.
    ro = tmp_path / "ro"
    ro.mkdir()
    p = subprocess.run(unprivileged([SANDBOXPY, "-q", "-r", str(ro / "r.json"), "--set",
                                     f'filesystem.write=["{w}"]', "-c",
                                     f'open("{w}/ran", "w").close()']),
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 125, p.stderr
    assert not (w / "ran").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="setpriv to nobody needs root")
def test_unprivileged_report_to_standard_output_and_dev_null(tmp_path):
    for dest in ("-", "/dev/null"):
        p = subprocess.run(unprivileged([SANDBOXPY, "-q", "-r", dest, "-c", "pass"]),
                           capture_output=True, text=True, timeout=60, cwd="/")
        assert p.returncode == 0, p.stderr
        if dest == "-":
            report_schema.check_report(json.loads(p.stdout), dest)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# ---- figures (point 3) ----

def within(kb, held_mb=HELD_MB, tol=0.10):
    return abs(kb - held_mb * 1024) <= tol * held_mb * 1024


def run_hold(sbx, *extra, end=None, sets=()):
    rep = sbx.base / "r.json"
    argv = cmd(sbx, "-r", str(rep), "--set", "limits.memory_mb=1024", *extra,
               policy_sets=sets) + ["-c", HOLD]
    if end == "violate":
        argv += ["violate"]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if end == "SIGTERM":
        assert p.stdout.readline().strip() == "held"
        p.send_signal(signal.SIGTERM)
    p.communicate(timeout=120)
    return p.returncode, report_schema.load_report(rep)


@pytest.mark.parametrize("end", ["wall", "violate", "SIGTERM"])
def test_killed_run_reports_the_memory_it_held(sbx, end):
    extra = ["--timeout", "4"] if end == "wall" else []
    if end == "violate":
        extra += ["--set", "on_violation=kill"]
    rc, rep = run_hold(sbx, *extra, end=end)
    want = {"wall": ("timeout", 124), "violate": ("violation", 126), "SIGTERM": ("signal", 143)}[end]
    assert (rep["status"], rc) == want, rep["message"]
    assert within(rep["max_rss_kb"]), rep["max_rss_kb"]
    if end == "wall":
        assert rep["limit"]["kind"] == "wall" and rep["limit"]["used"] >= rep["limit"]["value"] == 4
    else:
        assert rep["limit"] is None


def test_cpu_timeout_reports_at_least_the_limit(sbx):
    rep_path = sbx.base / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "--set", "limits.cpu_seconds=1",
                           "-c", "while True: pass"), capture_output=True, text=True, timeout=120)
    rep = report_schema.load_report(rep_path)
    assert p.returncode == 124 and rep["status"] == "timeout"
    assert rep["limit"]["kind"] == "cpu" and rep["limit"]["value"] == 1
    assert rep["limit"]["used"] >= 1 and rep["time"]["cpu_s"] >= 1
    assert rep["exit"] == {"status": 124, "meaning": "limit"}


def test_cpu_timeout_of_many_processes(sbx):
    """Two processes each under the limit, together over it: the
    supervisor's whole-sandbox figure decides, and is what it reports."""
    rep_path = sbx.base / "r.json"
    code = ("import os\nos.fork()\nwhile True: pass\n")
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "--set", "limits.cpu_seconds=2",
                           "--set", "process.spawn=true", "-c", code),
                       capture_output=True, text=True, timeout=120)
    rep = report_schema.load_report(rep_path)
    assert rep["status"] == "timeout", (p.stderr, rep["message"])
    assert rep["limit"]["kind"] == "cpu" and rep["limit"]["used"] >= 2 and rep["time"]["cpu_s"] >= 2


def test_memory_limit_names_memory(sbx):
    rep_path = sbx.base / "r.json"
    code = "b = []\nwhile True:\n    b.append(bytearray(8 << 20))\n    b[-1][::4096] = b'x' * (2048)\n"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "--set", "limits.memory_mb=64", "-c", code),
                       capture_output=True, text=True, timeout=120)
    rep = report_schema.load_report(rep_path)
    assert rep["status"] == "memory", (p.returncode, rep["message"])
    assert rep["limit"]["kind"] == "memory" and rep["limit"]["value"] == 64


def test_output_limit_names_output(sbx):
    rep_path = sbx.base / "r.json"
    out = sbx.base / "out.txt"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "--stdout", str(out), "--set",
                           "limits.file_size_mb=1", "-c",
                           "import sys\nfor _ in range(64): sys.stdout.write('x' * 65536)\n"),
                       capture_output=True, text=True, timeout=120)
    rep = report_schema.load_report(rep_path)
    assert rep["status"] == "output", (p.returncode, rep["message"])
    assert rep["limit"] == {"kind": "output", "value": 1, "used": 1}


@pytest.mark.parametrize("code", [124, 125, 126, 137])
def test_programs_own_exit_status_is_told_apart(sbx, code):
    rep_path = sbx.base / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "-c", f"import sys; sys.exit({code})"),
                       capture_output=True, text=True, timeout=60)
    rep = report_schema.load_report(rep_path)
    assert p.returncode == code
    assert rep["status"] == "error" and rep["exit_code"] == code and rep["limit"] is None
    assert rep["exit"] == {"status": code, "meaning": "program"}


def test_sandboxpys_own_125_says_so(sbx):
    rep_path = sbx.base / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "--set", "limits.nosuch=1", "-c", "pass"),
                       capture_output=True, text=True, timeout=60)
    rep = report_schema.load_report(rep_path)
    assert p.returncode == 125
    assert rep["exit"] == {"status": 125, "meaning": "internal"} and rep["exit_code"] is None


def test_ok_run_has_no_limit(sbx):
    rep_path = sbx.base / "r.json"
    p = subprocess.run(cmd(sbx, "-r", str(rep_path), "-c", "pass"), capture_output=True, text=True,
                       timeout=60)
    rep = report_schema.load_report(rep_path)
    assert p.returncode == 0 and rep["limit"] is None
    assert rep["exit"] == {"status": 0, "meaning": "program"}


@pytest.mark.skipif(os.geteuid() != 0, reason="setpriv to nobody needs root")
def test_unprivileged_killed_run_reports_the_memory_it_held(nobody_dir):
    """No cgroup for nobody: the tree's peaks, sampled while it lives."""
    tmp_path = nobody_dir
    rep = tmp_path / "r.json"
    p = subprocess.run(unprivileged([SANDBOXPY, "-q", "-r", str(rep), "--set", "limits.memory_mb=1024",
                                     "--timeout", "4", "-c", HOLD]),
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    r = report_schema.load_report(rep)
    assert p.returncode == 124 and r["limit"]["kind"] == "wall"
    assert within(r["max_rss_kb"]), r["max_rss_kb"]
