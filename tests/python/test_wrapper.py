"""The Python wrapper (python/sandboxpy) against the real binary: a run that
works, a denial whose file is really not written, a timeout, bad policies as
PolicyError, standard input, events parsed into dataclasses, the policy
helpers, and `pip install ./python` into a scratch venv with no network.

ctest sets SANDBOXPY (the binary), SANDBOXPY_FAULTS (its test-only twin)
and PYTHONPATH (python/); by hand:
SANDBOXPY=build/sandboxpy /usr/bin/python3 -m pytest tests/python
"""
import json
import os
import re
import subprocess
import sys
import signal
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PKG_SRC = REPO / "python"
if str(PKG_SRC) not in sys.path:
    sys.path.insert(0, str(PKG_SRC))    # ctest sets PYTHONPATH to it too

import sandboxpy  # noqa: E402  (after the path above)
from sandboxpy import Event, Policy, PolicyError, Result  # noqa: E402
# Every report the wrapper reads is checked against docs/report.schema.json.
sys.path.insert(0, str(REPO / "tests" / "schema"))
from report_fixtures import reports_match_the_schema  # noqa: E402,F401  (autouse)
os.environ.setdefault("SANDBOXPY", str(REPO / "build" / "sandboxpy"))


@pytest.fixture
def work(tmp_path):
    """A fresh working directory for the sandbox, and a sibling that no
    policy names."""
    (tmp_path / "work").mkdir()
    (tmp_path / "outside").mkdir()
    # Started as root the program runs as uid 64981, which writes a write
    # tree only if it may (docs/confinement.md): give it the test's trees.
    if os.geteuid() == 0:
        for d in ("work", "outside"):
            os.chown(tmp_path / d, 64981, 64981)
    return tmp_path


def script(path, text):
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_ok_run_fills_the_result(work):
    # Arguments reach the program as they are: no shell ever sees them.
    r = sandboxpy.run(code="import sys; print('sum', sum(range(10)), sys.argv[1:])",
                      args=["a", "-q", "$(id); `x` | *"], cwd=work / "work")
    assert isinstance(r, Result)
    assert (r.status, r.exit_code, r.signal, r.returncode) == ("ok", 0, None, 0), r
    assert r.ok and r.check() is r
    assert r.stdout == "sum 45 ['a', '-q', '$(id); `x` | *']\n"
    assert r.stderr == ""
    assert r.events == () and r.summary.denied == 0
    assert r.report["status"] == "ok" and r.report["report_version"] == 1
    assert r.policy_name == "default"
    assert r.wall_s > 0 and r.cpu_s >= 0 and r.max_rss_kb > 0
    assert r.layers["audit"]["active"] is True


def test_program_is_named_explicitly(work):
    with pytest.raises(TypeError):
        sandboxpy.run()
    with pytest.raises(TypeError):
        sandboxpy.run(code="1", path="x.py")
    with pytest.raises(TypeError):
        sandboxpy.run(code="1", args="not a list")


def test_path_is_relative_to_the_host_not_the_sandbox(work, monkeypatch):
    script(work / "prog.py", """
        import os, sys
        print(os.getcwd(), sys.argv[1])
    """)
    monkeypatch.chdir(work)
    # Readable because a script named on the command line always is.
    r = sandboxpy.run(path="prog.py", args=["x"], cwd=work / "work")
    assert r.status == "ok", r
    assert r.stdout == f"{work / 'work'} x\n"


def test_denied_write_leaves_no_file(work):
    target = work / "outside" / "written.txt"
    code = textwrap.dedent(f"""
        try:
            open({str(target)!r}, "w").write("x")
        except PermissionError as e:
            print("refused:", e)
    """)
    r = sandboxpy.run(code=code, cwd=work / "work")
    assert not target.exists()
    assert r.status == "ok", r
    assert r.stdout.startswith("refused:")
    (ev,) = r.denials("filesystem.write")
    assert isinstance(ev, Event)
    assert (ev.layer, ev.action, ev.name) == ("audit", "deny", "open")
    assert ev.args[0] == str(target)
    assert ev.where == "<string>:3"
    assert r.summary.denied == 1
    assert any(m.startswith("sandboxpy: denied open") for m in r.messages)

    # The same program writes the file when the policy allows it (so the
    # check above can fail), through a builder policy and through set=.
    allow = Policy.build("w").write(work / "outside").build()
    r = sandboxpy.run(code=code, cwd=work / "work", policy=allow)
    assert r.status == "ok" and r.events == (), r
    assert target.read_text() == "x"
    target.unlink()
    r = sandboxpy.run(code=code, cwd=work / "work",
                      set={"filesystem.write": [str(work / "outside")]})
    assert r.status == "ok" and r.events == (), r
    assert target.exists()


def test_kill_action_is_a_violation_result(work):
    marker = work / "work" / "spawned"
    r = sandboxpy.run(code=f"import os; os.system('touch {marker}'); print('after')",
                      policy="builtin:grading", cwd=work / "work")
    assert (r.status, r.returncode, r.exit_code) == ("violation", 126, None), r
    assert r.stdout == ""
    assert not marker.exists()
    assert r.summary.killed_by is not None
    assert r.summary.killed_by["rule"] == "process.spawn"
    with pytest.raises(sandboxpy.RunError) as ei:
        r.check()
    assert ei.value.result is r


def test_timeout_is_a_result_not_an_exception(work):
    r = sandboxpy.run(code="while True: pass", timeout=1, cwd=work / "work")
    assert (r.status, r.returncode, r.exit_code) == ("timeout", 124, None), r
    assert "limit" in r.message
    with pytest.raises(sandboxpy.RunError):
        sandboxpy.run(code="while True: pass", timeout=0.5, cwd=work / "work", check=True)


BAD = """{
  "version": 1,
  "filesystem": { "write": ["."] },
  "limits": { "cpu_seconds": "two" },
  "bogus": 1
}
"""


def test_bad_policy_raises_policy_error_and_nothing_runs(work):
    marker = work / "work" / "ran"
    code = f"open({str(marker)!r}, 'w')"
    pfile = work / "bad.json"
    pfile.write_text(BAD)
    with pytest.raises(PolicyError) as ei:
        sandboxpy.run(code=code, policy=pfile, cwd=work / "work")
    diags = {d.json_path: d for d in ei.value.diagnostics}
    assert set(diags) == {"$.limits.cpu_seconds", "$.bogus"}
    d = diags["$.limits.cpu_seconds"]
    assert (d.file, d.line) == (str(pfile), 4)
    assert "expected a positive number" in d.message
    assert str(pfile) in str(ei.value)
    assert not marker.exists()

    # A document policy: the same diagnostics, named after policy.json.
    with pytest.raises(PolicyError) as ei:
        sandboxpy.run(code=code, policy=json.loads(BAD), cwd=work / "work")
    assert {d.json_path for d in ei.value.diagnostics} == {"$.limits.cpu_seconds", "$.bogus"}
    assert all(d.file == "policy.json" for d in ei.value.diagnostics)
    # A bad override and an unknown builtin.
    with pytest.raises(PolicyError) as ei:
        sandboxpy.run(code=code, set={"limits.memory_mb": "lots"}, cwd=work / "work")
    assert ei.value.diagnostics[0].json_path == "$.limits.memory_mb"
    with pytest.raises(PolicyError, match="no such builtin"):
        sandboxpy.run(code=code, policy="builtin:nope", cwd=work / "work")
    assert not marker.exists()


def test_policy_helpers(work):
    pfile = work / "bad.json"
    pfile.write_text(BAD)
    with pytest.raises(PolicyError) as ei:
        Policy.from_file(pfile).check(cwd=work / "work")
    assert len(ei.value.diagnostics) == 2
    with pytest.raises(PolicyError):
        Policy.from_dict({"version": 2}).check()
    with pytest.raises(PolicyError):
        Policy.builtin("default").check(set={"limits.tasks": 1.5})

    built = (Policy.build("grader").read(".").tmp()
             .event("app.plugin.load", "deny", unless_arg=(0, ["trusted"]))
             .event_prefix("app.", "log")
             .limits(cpu_seconds=2, memory_mb=None)
             .on_violation("kill").build())
    assert built.to_dict() == {
        "version": 1, "name": "grader",
        "filesystem": {"read": ["."], "tmp": True},
        "events": [{"event": "app.plugin.load", "action": "deny",
                    "unless_arg": {"index": 0, "in": ["trusted"]}},
                   {"prefix": "app.", "action": "log"}],
        "limits": {"cpu_seconds": 2, "memory_mb": None},
        "on_violation": "kill",
    }
    assert built.check(cwd=work / "work") is None
    shown = built.show(cwd=work / "work")
    assert shown["filesystem"]["read"] == [str(work / "work")]
    assert shown["limits"]["wall_seconds"] == 30          # a default filled in
    assert json.loads(built.to_json()) == built.to_dict()
    assert "policy grader" in built.explain(cwd=work / "work")

    grading = Policy.load("builtin:grading")
    assert grading.source == "builtin:grading"
    assert grading.to_dict()["on_violation"] == "kill"
    assert Policy.load(pfile) == Policy.from_file(str(pfile))


def registry_rows():
    """The rule registry as docs/rules.md publishes it (a ctest keeps that
    file equal to policy/rules.c): (rule, key, value kind, method)."""
    rows = []
    for line in (REPO / "docs" / "rules.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[1].strip("`"), cells[2],
                         cells[5].strip("`")))
    return rows


def test_builder_sets_every_rule_of_the_registry():
    """Every rule a policy can set has a PolicyBuilder method that sets
    exactly its key: a rule added to the registry without one fails here."""
    rows = registry_rows()
    assert len(rows) >= 17, rows
    for rule, key, kind, method in rows:
        if method == "-":
            assert "." not in key, rule     # a rule with a key needs a method
            continue
        b = getattr(Policy.build(), method)
        if rule == "events":
            doc = b("app.x", "log").to_dict()
            assert doc["events"][-1] == {"event": "app.x", "action": "log"}, rule
            continue
        section, name = key.split(".")
        if kind == "true or false":
            doc = b().to_dict()
            want = True
        elif kind.startswith("allow, log"):
            doc = b(**{name: "log"}).to_dict()
            want = "log"
        elif kind.startswith('"stdlib"'):
            doc = b(["m"]).to_dict()
            want = ["m"]
        else:
            doc = b("/v" if "path" in kind else "v:1").to_dict()
            want = ["/v" if "path" in kind else "v:1"]
        assert doc[section][name] == want, (rule, doc)


def test_stdin_text_bytes_file_and_default(work):
    echo = "import sys; data = sys.stdin.buffer.read(); print(len(data), data.upper())"
    r = sandboxpy.run(code=echo, stdin="héllo\n", cwd=work / "work")
    expected = "héllo\n".encode().upper()      # bytes.upper: ASCII letters only
    assert r.stdout == f"7 {expected!r}\n", r
    r = sandboxpy.run(code=echo, stdin=b"\x00ab", cwd=work / "work")
    assert r.stdout == "3 b'\\x00AB'\n", r
    f = work / "in.txt"
    f.write_text("from a file")
    r = sandboxpy.run(code=echo, stdin_file=f, cwd=work / "work")
    assert r.stdout == "11 b'FROM A FILE'\n", r
    # No stdin given: empty, never the host's own standard input.
    r = sandboxpy.run(code=echo, cwd=work / "work")
    assert r.stdout == "0 b''\n", r
    # A standard-library module reading stdin: python3 -m json.tool.
    r = sandboxpy.run(module="json.tool", args=["--compact"], stdin='{ "a" : [1, 2] }',
                      cwd=work / "work")
    assert (r.status, r.stdout) == ("ok", '{"a":[1,2]}\n'), r


def test_events_are_parsed(work):
    script(work / "work" / "plugin.py", """
        import sys
        sys.audit("app.hello", "world", 3)
        try:
            import socket
            socket.socket()
        except PermissionError:
            pass
        print("done")
    """)
    pol = Policy.build().read(".").event_prefix("app.", "log").build()
    r = sandboxpy.run(path=work / "work" / "plugin.py", policy=pol, cwd=work / "work")
    assert r.status == "ok" and r.stdout == "done\n", r
    assert len(r.events) == len(r.report["events"]) >= 2
    assert [e.seq for e in r.events] == sorted(e.seq for e in r.events)
    logged = [e for e in r.events if e.action == "log"]
    assert len(logged) == 1
    (ev,) = logged
    assert (ev.name, ev.event, ev.syscall, ev.layer) == ("app.hello", "app.hello", None, "audit")
    assert ev.args == ("world", 3)
    assert ev.where == f"{work / 'work' / 'plugin.py'}:2"   # path= is made absolute
    assert ev.raw == r.report["events"][ev.seq - 1]
    denied = r.denials()
    assert denied and all(e.rule and e.rule.startswith("network") for e in denied), denied
    assert r.summary.logged == 1 and r.summary.denied == len(denied)


def test_event_operands_are_parsed(work):
    """What a denial judged comes as fields, not words of its detail."""
    secret = work / "outside" / "it's.txt"
    secret.write_text("x")
    script(work / "work" / "plugin.py", f"""
        import subprocess
        for f in (lambda: open({str(secret)!r}),
                  lambda: subprocess.run(["/bin/echo", "hi there"])):
            try:
                f()
            except PermissionError:
                pass
    """)
    r = sandboxpy.run(path=work / "work" / "plugin.py", policy=Policy.build().read(".").build(),
                      cwd=work / "work")
    by_rule = {e.rule: e for e in r.denials()}
    assert by_rule["filesystem.read"].path == str(secret), r.report["events"]
    spawn = by_rule["process.spawn"]
    assert (spawn.program, spawn.argv) == ("/bin/echo", ("/bin/echo", "hi there")), spawn
    assert spawn.path is None and spawn.addr is None


def test_missing_required_layer_is_a_setup_error(work, monkeypatch):
    """sandboxpy-faults (a test-only build) fails the Landlock layer on
    request: with require=["landlock"] that is exit 125 and SetupError."""
    faults = os.environ.get("SANDBOXPY_FAULTS")
    if not faults:
        pytest.skip("SANDBOXPY_FAULTS (the test-only sandboxpy-faults binary) not set")
    marker = work / "work" / "ran"
    monkeypatch.setenv("SANDBOXPY_FAULT", "landlock")
    with pytest.raises(sandboxpy.SetupError) as ei:
        sandboxpy.run(code=f"open({str(marker)!r}, 'w')", executable=faults,
                      require=["landlock"], cwd=work / "work",
                      policy=Policy.build().write(".").build())
    assert "Landlock" in str(ei.value)
    assert ei.value.returncode == 125
    assert ei.value.result is not None and ei.value.result.status == "internal"
    assert not marker.exists()
    # Without require=, the run goes on without Landlock and says so.
    r = sandboxpy.run(code="print('ran')", executable=faults, cwd=work / "work")
    assert r.status == "ok" and r.stdout == "ran\n", r
    assert r.layers["landlock"]["active"] is False


def test_executable_lookup(work, monkeypatch, tmp_path):
    exe = os.environ["SANDBOXPY"]
    with pytest.raises(sandboxpy.ExecutableNotFound):
        sandboxpy.run(code="1", executable=tmp_path / "missing")
    monkeypatch.delenv("SANDBOXPY")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", str(bindir))
    with pytest.raises(sandboxpy.ExecutableNotFound):
        sandboxpy.find_executable()
    os.symlink(exe, bindir / "sandboxpy")
    assert sandboxpy.find_executable() == str(bindir / "sandboxpy")
    r = sandboxpy.run(code="print('via PATH')", cwd=work / "work")
    assert r.stdout == "via PATH\n", r
    r = sandboxpy.run(code="print('explicit')", cwd=work / "work", executable=exe)
    assert r.stdout == "explicit\n", r


def test_version_matches_pyproject():
    text = (PKG_SRC / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == sandboxpy.__version__


def test_pip_install_offline_into_a_venv(tmp_path):
    """pip install ./python with no index (so no network) into a fresh venv,
    then import it there with the source tree out of sight."""
    venv = tmp_path / "venv"
    py = "/usr/bin/python3"
    probe = subprocess.run([py, "-c", "import venv, ensurepip"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("Debian's python3-venv is not installed (venv/ensurepip missing)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env["PIP_NO_INDEX"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_CACHE_DIR"] = "1"
    before = sorted(str(p.relative_to(PKG_SRC)) for p in PKG_SRC.rglob("*")
                    if "__pycache__" not in p.parts)
    subprocess.run([py, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True, env=env, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install",
                          "--no-index", str(PKG_SRC)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    after = sorted(str(p.relative_to(PKG_SRC)) for p in PKG_SRC.rglob("*")
                   if "__pycache__" not in p.parts)
    assert after == before, "the build left files in python/"

    env["SANDBOXPY"] = os.environ["SANDBOXPY"]
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sandboxpy, os; "
         "print(os.path.dirname(sandboxpy.__file__)); "
         "print(os.path.exists(os.path.join(os.path.dirname(sandboxpy.__file__), 'py.typed'))); "
         "print(sandboxpy.run(code='print(6*7)').stdout.strip())"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert check.returncode == 0, check.stderr
    where, typed, answer = check.stdout.split("\n")[:3]
    assert Path(where).is_relative_to(venv), where
    assert (typed, answer) == ("True", "42")


# --------------------------------------------------- issue 19: run_batch, interrupts

def _alive(marker):
    """Live (not zombie) processes whose command line holds marker: sandboxpy
    and its sandbox carry the program's code in theirs."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{d}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state != b"Z":
            found.append(int(d))
    return found


HOST = """
import sys, sandboxpy
print("started", flush=True)
sandboxpy.{call}
"""


@pytest.mark.parametrize("call", [
    'run(code="# {m}\\nwhile True: pass", timeout=120)',
    'run_batch([{{"id": "a", "code": "# {m}\\nwhile True: pass", "timeout": 120}},'
    ' {{"id": "b", "code": "# {m}\\nwhile True: pass", "timeout": 120}}], parallel=2)',
])
def test_sigint_to_the_host_leaves_no_process_and_no_temp_dir(tmp_path, call):
    """SIGINT to a Python host inside run()/run_batch() on an endless loop:
    KeyboardInterrupt reaches the host, and afterwards no sandboxpy and no
    sandbox process remain (from /proc) and no temporary directory."""
    host = tmp_path / "host.py"
    host.write_text(HOST.format(call=call.format(m="endless")))
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    # sandboxpy's command line names its files in the host's TMPDIR, and
    # every process of the run (batch workers, sandboxes) is a fork of it.
    marker = f"{tmpdir}/sandboxpy-"
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONPATH=str(PKG_SRC))
    proc = subprocess.Popen([sys.executable, str(host)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        assert proc.stdout.readline() == b"started\n"
        deadline = time.monotonic() + 30
        while len(_alive(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(marker), "the sandbox never started"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"KeyboardInterrupt" in err, err
    deadline = time.monotonic() + 5
    while _alive(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(marker) == [], "processes outlived their host"
    assert list(tmpdir.iterdir()) == [], list(tmpdir.iterdir())


def test_run_batch_results_in_job_order_with_progress(work):
    seen = []
    jobs = [{"id": "ok", "code": "print(6 * 7)"},
            {"id": "fails", "code": "raise SystemExit(3)"},
            {"id": "nofile", "file": str(work / "missing.py")},
            {"id": "doc", "code": "print('from a document')",
             "policy": sandboxpy.PolicyBuilder("doc").limits(cpu_seconds=5).build()},
            {"id": "merged", "code": "import sys; print('o', flush=True); print('e', file=sys.stderr)",
             "stderr_to_stdout": True}]
    res = sandboxpy.run_batch(jobs, parallel=2, progress=seen.append)
    assert [r["id"] for r in res] == [j["id"] for j in jobs]
    st = {r["id"]: r["report"]["status"] for r in res}
    assert st["ok"] == "ok" and st["fails"] == "error" and st["nofile"] == "internal", st
    assert res[0]["stdout"]["head"] == "42\n" and res[3]["stdout"]["head"] == "from a document\n"
    assert res[4]["stdout"]["head"] == "o\ne\n"
    assert [p.done for p in seen] == [1, 2, 3, 4, 5] and all(p.total == 5 for p in seen)
    assert seen[-1].failed == 2 or seen[-1].failed == 3
    assert {p.result["id"] for p in seen} == {j["id"] for j in jobs}


@pytest.mark.parametrize("pool", [True, False])
def test_run_batch_pool_or_not(work, pool, monkeypatch):
    """pool=False is --no-pool: every run starts its own interpreter; the
    report says which (layers.audit.warm). Same results either way."""
    jobs = [{"id": str(i), "code": f"print({i} * 2)"} for i in range(3)]
    monkeypatch.delenv("SANDBOXPY_POOL", raising=False)
    res = sandboxpy.run_batch(jobs, parallel=1, pool=pool)
    assert [r["stdout"]["head"] for r in res] == ["0\n", "2\n", "4\n"]
    assert {r["report"]["layers"]["audit"]["warm"] for r in res} == {pool}, res


def test_an_exception_in_the_progress_callback_ends_the_batch(work):
    marker = f"I19CB{os.getpid()}"

    def boom(p):
        raise RuntimeError("host gave up")

    jobs = [{"id": "quick", "code": "pass"}] + \
        [{"id": f"slow{i}", "code": f"# {marker}\nwhile True: pass", "timeout": 120} for i in range(2)]
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="host gave up"):
        sandboxpy.run_batch(jobs, parallel=3, progress=boom)
    assert time.monotonic() - t0 < 60
    assert _alive(marker) == []


def test_run_stderr_to_stdout_and_extra_time(work):
    r = sandboxpy.run(code="import sys; print('o', flush=True); print('e', file=sys.stderr)",
                      stderr_to_stdout=True, cwd=work / "work")
    assert r.stdout == "o\ne\n" and r.stderr == "", r
    r = sandboxpy.run(code="import time; time.sleep(1.5); print('late')", timeout=1,
                      extra_time=3, cwd=work / "work")
    assert r.status == "timeout" and r.stdout == "late\n", r
    b = sandboxpy.PolicyBuilder("s").limits(stack_mb=16, extra_seconds=0.5).build()
    r = sandboxpy.run(code="import resource; print(resource.getrlimit(resource.RLIMIT_STACK)[0])",
                      policy=b, cwd=work / "work")
    assert r.stdout == f"{16 << 20}\n", r
