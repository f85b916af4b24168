"""test_policy_cli.py: the sandboxpy command line on policies, from outside.

Every bad policy in tests/policy/bad exits 125 with exactly the diagnostics
in its .err file (run from that directory, so they start "NAME.json:");
every good policy and builtin checks, shows, round-trips through
--show-policy and explains. The binary is $SANDBOXPY, else build/sandboxpy.

After a deliberate change to a message, regenerate the expected output with
    cd tests/policy/bad && for f in *.json; do
        ../../../build/sandboxpy --check-policy "$f" 2>"${f%.json}.err"; done
and review the diff.
"""
import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SANDBOXPY = os.environ.get("SANDBOXPY", str(REPO / "build" / "sandboxpy"))
BAD = REPO / "tests" / "policy" / "bad"
GOOD = REPO / "tests" / "policy" / "good"
BUILTINS = ["builtin:default", "builtin:strict", "builtin:grading", "builtin:plugin"]
SECTIONS = ["version", "name", "python", "filesystem", "network", "process", "native",
            "imports", "code", "events", "limits", "on_violation"]

BAD_FILES = sorted(p.name for p in BAD.glob("*.json"))
GOOD_FILES = sorted(p.name for p in GOOD.glob("*.json"))


def run(*args, cwd=GOOD):
    """sandboxpy ARGS in cwd; bytes out, so the comparison is exact."""
    return subprocess.run([SANDBOXPY, *map(str, args)], cwd=cwd, capture_output=True,
                          timeout=60, check=False)


def test_binary_exists():
    assert os.access(SANDBOXPY, os.X_OK), f"no sandboxpy at {SANDBOXPY} (set SANDBOXPY)"


# ---- the corpus itself ----

def test_corpus_is_complete():
    assert len(BAD_FILES) >= 60
    assert len(GOOD_FILES) >= 10
    errs = sorted(p.name for p in BAD.glob("*.err"))
    assert [n[:-4] for n in errs] == [n[:-5] for n in BAD_FILES], \
        "every bad NAME.json needs NAME.err, and nothing else"


# ---- bad policies ----

@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_policy(name):
    r = run("--check-policy", name, cwd=BAD)
    want = (BAD / (name[:-5] + ".err")).read_bytes()
    assert r.returncode == 125, r.stderr.decode(errors="replace")
    assert r.stdout == b""
    assert r.stderr.decode(errors="replace") == want.decode(errors="replace")
    assert r.stderr == want


@pytest.mark.parametrize("name", ["version-2.json", "fs-read-missing.json",
                                  "syntax-trailing-comma.json"])
def test_bad_policy_refused_by_every_command(name, tmp_path):
    """Nothing runs and nothing is shown under a bad policy."""
    for args in (["--show-policy", name], ["--explain", "--policy", name],
                 ["--policy", name, "-c", "print('ran')"]):
        r = run(*args, cwd=BAD)
        assert r.returncode == 125, (args, r.stderr)
        assert b"ran" not in r.stdout
        assert r.stderr.startswith(name.encode() + b":"), (args, r.stderr)


# ---- good policies and builtins ----

@pytest.mark.parametrize("name", GOOD_FILES)
def test_good_policy_checks(name):
    r = run("--check-policy", name)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert r.stderr == b""
    assert r.stdout.startswith(f"{name}: ok (policy \"".encode())


@pytest.mark.parametrize("spec", BUILTINS)
def test_builtin_checks(spec):
    r = run("--check-policy", spec)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"{spec}: ok (policy \"{spec[8:]}\")\n"


@pytest.mark.parametrize("spec", GOOD_FILES + BUILTINS)
def test_show_policy_round_trip(spec, tmp_path):
    """--show-policy prints a complete policy that checks and shows the same."""
    first = run("--show-policy", spec)
    assert first.returncode == 0, first.stderr
    assert first.stderr == b""
    doc = json.loads(first.stdout)
    assert list(doc) == SECTIONS, "every section, defaults filled in, in order"
    assert doc["version"] == 1
    for path in doc["filesystem"]["read"] + doc["filesystem"]["write"] + doc["python"]["path"]:
        assert path.startswith("/"), f"not normalised: {path}"
    shown = tmp_path / "shown.json"
    shown.write_bytes(first.stdout)
    # From elsewhere: the paths are absolute now, the working directory is moot.
    check = run("--check-policy", shown, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    again = run("--show-policy", shown, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


@pytest.mark.parametrize("spec", GOOD_FILES + BUILTINS)
def test_explain(spec):
    r = run("--explain", "--policy", spec)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("policy ")
    for section in ("python", "filesystem", "network", "process", "imports", "code",
                    "events", "limits"):
        assert f"\n{section}" in out, section


def test_explain_default_policy():
    r = run("--explain")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"policy default (builtin:default)\n")


def test_show_defaults_of_empty_policy():
    doc = json.loads(run("--show-policy", "empty.json").stdout)
    assert doc == {
        "version": 1, "name": "empty.json",
        "python": {"site": False, "path": [], "env": {}},
        "filesystem": {"read": [str(GOOD)], "write": [], "tmp": False},
        "network": {"connect": [], "bind": [], "dns": False},
        "process": {"spawn": False, "exec_allow": [], "signal_others": False},
        "native": {"ctypes": False, "extensions": "stdlib"},
        "imports": {"deny": []},
        "code": {"compile": "allow", "exec": "allow", "introspection": "deny",
                 "tracing": "deny"},
        "events": [],
        "limits": {"cpu_seconds": 10, "wall_seconds": 30, "memory_mb": 512, "tasks": 64,
                   "open_files": 256, "file_size_mb": 64, "stack_mb": 8, "extra_seconds": 0},
        "on_violation": "deny",
    }


def test_relative_paths_follow_chdir(tmp_path):
    """Relative paths resolve against --chdir, else the current directory."""
    policy = GOOD / "python.json"
    r = run("--check-policy", policy, cwd=tmp_path)
    assert r.returncode == 125
    assert r.stderr == (f"{policy}:6:14: $.python.path[0]: path does not exist: lib\n"
                        f"{policy}:6:21: $.python.path[1]: path does not exist: ./lib/\n"
                        f"{policy}:6:31: $.python.path[2]: path does not exist: plugins\n").encode()
    r = run("--check-policy", policy, "--chdir", GOOD, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run("--show-policy", policy, "-C", GOOD, cwd=tmp_path).stdout)
    assert doc["python"]["path"] == [str(GOOD / "lib")] * 2 + [str(GOOD / "plugins")]
    # The policy file itself is found from the current directory, not --chdir.
    doc = json.loads(run("--show-policy", "empty.json", "-C", "lib").stdout)
    assert doc["filesystem"]["read"] == [str(GOOD / "lib")]


def test_missing_policy_file():
    r = run("--check-policy", "/nonexistent/policy.json")
    assert r.returncode == 125
    assert r.stderr == b"/nonexistent/policy.json: cannot open policy: No such file or directory\n"


def test_unknown_builtin():
    r = run("--check-policy", "builtin:nope")
    assert r.returncode == 125
    assert r.stderr == (b"builtin:nope: no such builtin policy "
                        b"(there are: default, strict, grading, plugin)\n")


# ---- --set ----

def show(*args):
    r = run("--show-policy", "builtin:default", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_set_values():
    doc = show("--set", "limits.cpu_seconds=1.5", "--set", "limits.tasks=null",
               "--set", "name=my grader", "--set", "code.exec=\"log\"",
               "--set", "filesystem.tmp=true", "--set", "filesystem.write[0]=out",
               "--set", "filesystem.write[1]=data", "--set", "events[0].prefix=app.",
               "--set", "events[0].action=log",
               "--set", "network.connect=[\"127.0.0.1:80\", \"[::1]:*\"]",
               "--set", "python.env[\"MY VAR\"]=a=b")
    assert doc["limits"]["cpu_seconds"] == 1.5
    assert doc["limits"]["tasks"] is None
    assert doc["name"] == "my grader"
    assert doc["code"]["exec"] == "log"
    assert doc["filesystem"]["tmp"] is True
    assert doc["filesystem"]["write"] == [str(GOOD / "out"), str(GOOD / "data")]
    assert doc["events"] == [{"prefix": "app.", "action": "log"}]
    assert doc["network"]["connect"] == ["127.0.0.1:80", "[::1]:*"]
    assert doc["python"]["env"] == {"MY VAR": "a=b"}


def test_set_later_wins_and_timeout():
    doc = show("--set", "limits.cpu_seconds=1", "--set", "limits.cpu_seconds=2",
               "--timeout", "7")
    assert doc["limits"]["cpu_seconds"] == 2
    assert doc["limits"]["wall_seconds"] == 7


def test_set_on_a_file_policy():
    r = run("--check-policy", "limits.json", "--set", "limits.tasks=8")
    assert r.returncode == 0, r.stderr
    r = run("--check-policy", "limits.json", "--set", "limits.tasks=0")
    assert r.returncode == 125
    assert r.stderr == (b"--set limits.tasks=0: $.limits.tasks: expected a value greater than 0 "
                        b"and at most 1000000, got 0\n")


@pytest.mark.parametrize("kv, err", [
    ("limits.cpu_seconds=abc",
     "--set limits.cpu_seconds=abc: $.limits.cpu_seconds: "
     "expected a positive number or null, got string"),
    ("limits.cpu=1",
     "--set limits.cpu=1: $.limits.cpu: unknown key 'cpu' (expected one of: cpu_seconds, "
     "wall_seconds, memory_mb, tasks, open_files, file_size_mb, stack_mb, extra_seconds)"),
    ("limit.cpu_seconds=1",
     "--set limit.cpu_seconds=1: $.limit: unknown key 'limit' (did you mean 'limits'?)"),
    ("version=2",
     "--set version=2: $.version: unsupported policy version 2 (this reader knows version 1)"),
    ("limits=5", "--set limits=5: $.limits: expected an object, got integer"),
    ("limits[0]=5", "--set limits[0]=5: $.limits: expected an object, got array"),
    ("limits.tasks.max=5",
     "--set limits.tasks.max=5: $.limits.tasks: expected a positive integer or null, got object"),
    ("filesystem.read[0]=no-such-dir",
     "--set filesystem.read[0]=no-such-dir: $.filesystem.read[0]: "
     "path does not exist: no-such-dir"),
    ("filesystem.write[3]=out",
     "--set filesystem.write[3]=out: $.filesystem.write: index 3 is past the end "
     "(the array has 0 items; [0] appends)"),
    ("name.first=x", "--set name.first=x: $.name: cannot set a key inside string"),
    ("events[0].action=log",
     "--set events[0].action=log: $.events[0]: "
     "a rule needs exactly one of \"event\" and \"prefix\""),
    ("limits.cpu_seconds", "--set limits.cpu_seconds: expected KEY=VALUE, e.g. limits.cpu_seconds=1"),
    ("=1", "--set =1: expected KEY=VALUE, e.g. limits.cpu_seconds=1"),
    ("limits..cpu=1",
     "--set limits..cpu=1: expected a JSON path such as limits.cpu_seconds or "
     "filesystem.write[0], got 'limits..cpu'"),
    ("events[x].action=log",
     "--set events[x].action=log: expected a JSON path such as limits.cpu_seconds or "
     "filesystem.write[0], got 'events[x].action'"),
])
def test_set_errors(kv, err):
    for cmd in (["--check-policy", "builtin:default"], ["--show-policy", "builtin:default"],
                ["--explain"]):
        r = run(*cmd, "--set", kv)
        assert r.returncode == 125, (cmd, r.stderr)
        assert r.stdout == b""
        assert r.stderr.decode() == err + "\n"


def test_set_bad_utf8():
    r = subprocess.run([SANDBOXPY, "--check-policy", "builtin:default", "--set", b"name=\xff"],
                       cwd=GOOD, capture_output=True, timeout=60, check=False)
    assert r.returncode == 125
    assert r.stderr == b"--set name=\xff: value is not valid UTF-8\n"


def test_timeout_error_names_the_limit():
    r = run("--check-policy", "builtin:default", "--timeout", "soon")
    assert r.returncode == 125
    assert b"limits.wall_seconds" in r.stderr


def test_too_many_sets():
    r = run("--check-policy", "builtin:default", *["--set=limits.tasks=2"] * 65)
    assert r.returncode == 125
    assert r.stderr.startswith(b"sandboxpy: too many --set overrides (at most 64)\n")


# ---- options ----

@pytest.mark.parametrize("opt", ["--bogus", "--no-such-option", "--policy-file=x"])
def test_unknown_long_option(opt):
    r = run(opt, "builtin:default")
    assert r.returncode == 125
    name = opt.split("=")[0] if opt.startswith("--policy-file") else opt
    assert r.stderr.startswith(b"sandboxpy: unknown option '")
    assert name.encode() in r.stderr
    assert r.stderr.endswith(b"\nTry 'sandboxpy --help'.\n")


def test_unknown_short_option():
    r = run("-Z", "-c", "print(1)")
    assert r.returncode == 125
    assert r.stderr == b"sandboxpy: unknown option '-Z'\nTry 'sandboxpy --help'.\n"
    assert r.stdout == b""


@pytest.mark.parametrize("opt", ["--check-policy", "--set", "--show-policy", "-p"])
def test_option_without_value(opt):
    r = run(opt)
    assert r.returncode == 125
    assert r.stdout == b""
    assert r.stderr.endswith(b"\nTry 'sandboxpy --help'.\n")


@pytest.mark.parametrize("opt", ["--set", "-p"])
def test_option_without_value_is_named(opt):
    r = run(opt)
    assert r.stderr.startswith(f"sandboxpy: option '{opt}' needs a value".encode())


def test_version():
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.startswith(b"sandboxpy 0.1.0")
    assert run("-V").stdout == r.stdout


def test_help():
    r = run("--help")
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.startswith("usage: sandboxpy")
    for opt in ("--policy", "--check-policy", "--explain", "--show-policy", "--set",
                "--chdir", "--version", "--help"):
        assert opt in out, opt
    assert run("-h").stdout == r.stdout
