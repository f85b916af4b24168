"""docs.guides: every getting-started guide run as written.

The commands of docs/getting-started-*.md run, in the order of the page, in
a scratch directory laid out like a checkout (examples/ and python/ are
links to the sources'), as an unprivileged user (uid 64900, when the test runs
as root: a reader follows a guide as themselves), with `sandboxpy` on PATH
(the build's) and PREFIX naming a `cmake --install` of the build. What they
print is compared with what the page shows.

The convention in the markdown:

- A ```console block is run. Each line starting with "$ " is a command
  (a line ending in "\\" continues on the next one); the lines after it, up
  to the next "$ ", are what it prints, standard output and standard error
  together, as on a terminal. Commands run one after another in one shell
  state: `export` and `cd` carry over. Exit statuses are not checked, the
  output is.
- In the output, a line "..." stands for any number of lines, and "..."
  inside a line for any text; use them where the output varies (times,
  sequence numbers, a machine's layers). A command followed by no lines
  must print nothing.
- A fenced block whose info string has file=NAME (```python file=count.py)
  is written to NAME in the scratch directory when the page reaches it.
- ```sh and other blocks are not run: they are for illustration (installing,
  alternatives, a file's shape).
- `<!-- guide-test: scratch=/home/me -->` in a page: its output shows the
  scratch directory as /home/me.
- `<!-- guide-test: skip -->` on the line before a ```console block: not
  run (it needs something the test cannot give, which the comment says).
- `<!-- guide-test: any-order -->` on the line before a ```console block:
  its output lines match in any order (a sandboxed program's output and
  its host's, written at the same time, interleave as they come).

Environment (tests/CMakeLists.txt): SANDBOXPY, SBX_BUILD_DIR, SBX_SOURCE_DIR,
CMAKE; SBX_GUIDE_SHOW=1 (with pytest -s) prints what each command printed,
for writing a page. By hand: SANDBOXPY=build/sandboxpy SBX_BUILD_DIR=build SBX_SOURCE_DIR=.
/usr/bin/python3 -m pytest tests/docs/test_guides.py
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("SBX_SOURCE_DIR", Path(__file__).resolve().parents[2])).resolve()
BUILD = Path(os.environ.get("SBX_BUILD_DIR", SOURCE / "build")).resolve()
SANDBOXPY = Path(os.environ.get("SANDBOXPY", BUILD / "sandboxpy")).resolve()
CMAKE = os.environ.get("CMAKE", "cmake")
GUIDES = sorted((SOURCE / "docs").glob("getting-started-*.md"))
FENCE = re.compile(r"^(\s*)```(\S*)(.*)$")
# The reader: an unprivileged uid of its own (not nobody, whose processes
# other tests run at the same time: RLIMIT_NPROC counts them all).
READER = 64900


def parse(text):
    """The page's steps in order: ("file", name, content) and
    ("run", command, expected_lines, line_number)."""
    lines = text.splitlines()
    steps, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, info = m.group(1), m.group(2), m.group(3)
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        i += 1
        before = next((l.strip() for l in reversed(lines[:start]) if l.strip()), "")
        name = re.search(r"\bfile=(\S+)", info)
        if name:
            steps.append(("file", name.group(1), "\n".join(body) + "\n"))
        if lang == "console" and before != "<!-- guide-test: skip -->":
            any_order = before == "<!-- guide-test: any-order -->"
            steps.extend(s + (any_order,) for s in console_steps(body, start + 2))
    return steps


def console_steps(body, first_line):
    steps, j = [], 0
    while j < len(body):
        if not body[j].startswith("$ "):
            raise AssertionError(f"line {first_line + j}: console output before any command")
        cmd, line = [body[j][2:]], first_line + j
        while cmd[-1].endswith("\\") and j + 1 < len(body):
            j += 1
            cmd.append(body[j])
        j += 1
        out = []
        while j < len(body) and not body[j].startswith("$ "):
            out.append(body[j])
            j += 1
        while out and not out[-1].strip():
            out.pop()
        steps.append(("run", "\n".join(cmd), out, line))
    return steps


def line_matches(pattern, line):
    rx = ".*".join(re.escape(part) for part in pattern.rstrip().split("..."))
    return re.fullmatch(rx, line.rstrip()) is not None


def matches_any_order(expected, actual):
    """Each expected line matches its own actual line, in any order; without
    a "..." line, nothing else may be printed."""
    left = list(actual)
    for pattern in (e for e in expected if e.strip() != "..."):
        hit = next((i for i, a in enumerate(left) if line_matches(pattern, a)), None)
        if hit is None:
            return False
        del left[hit]
    return not left or any(e.strip() == "..." for e in expected)


def matches(expected, actual):
    """expected lines against actual lines; a "..." line is any lines."""
    memo = {}

    def go(e, a):
        if (e, a) in memo:
            return memo[(e, a)]
        if e == len(expected):
            r = a == len(actual)
        elif expected[e].strip() == "...":
            r = any(go(e + 1, k) for k in range(a, len(actual) + 1))
        else:
            r = a < len(actual) and line_matches(expected[e], actual[a]) and go(e + 1, a + 1)
        memo[(e, a)] = r
        return r
    return go(0, 0)


def open_dir():
    """A scratch directory the reader can reach (pytest's tmp_path lies
    under a directory only root may enter)."""
    d = Path(tempfile.mkdtemp(prefix="sbx-guide-"))
    d.chmod(0o755)
    return d


@pytest.fixture(scope="module")
def prefix():
    p = open_dir()
    subprocess.run([CMAKE, "--install", str(BUILD), "--prefix", str(p)], check=True,
                   capture_output=True, timeout=300)
    yield p
    shutil.rmtree(p, ignore_errors=True)


@pytest.fixture
def scratch_base():
    d = open_dir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


def as_reader():
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(READER)
        os.setuid(READER)


class Shell:
    """Commands in one shell state, saved between them (exports, cwd)."""

    def __init__(self, scratch, env):
        self.scratch, self.env = scratch, env
        self.state = scratch.parent / "state.sh"
        self.state.write_text(f"cd {shlex.quote(str(scratch))}\n")
        give(self.state)

    def run(self, cmd):
        script = (f". {shlex.quote(str(self.state))}\n{cmd}\n"
                  f"__rc=$?; {{ export -p; echo \"cd $(printf %q \"$PWD\")\"; }} "
                  f"> {shlex.quote(str(self.state))}; exit $__rc\n")
        p = subprocess.run(["bash", "-c", script], env=self.env, cwd=self.scratch,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           preexec_fn=as_reader, timeout=300)
        return p.stdout.decode(errors="replace")


def give(path):
    if os.getuid() == 0:
        for p in [path, *path.rglob("*")]:
            os.lchown(p, READER, READER)


@pytest.mark.parametrize("guide", GUIDES, ids=[g.stem for g in GUIDES])
def test_guide_runs_as_written(guide, scratch_base, prefix):
    text = guide.read_text()
    alias = re.search(r"<!-- guide-test: scratch=(\S+) -->", text)
    home = scratch_base / "home"
    scratch = home / "me"
    scratch.mkdir(parents=True)
    bindir = home / "bin"
    bindir.mkdir()
    os.symlink(SANDBOXPY, bindir / "sandboxpy")
    cflags = os.environ.get("SBX_TEST_CFLAGS", "").strip()
    if cflags:
        # The sanitizer build: the installed library is instrumented, so
        # the machine's cc brings the sanitizer runtime, the command stays
        # as the guide writes it.
        (bindir / "cc").write_text(f"#!/bin/sh\nexec /usr/bin/cc {cflags} \"$@\"\n")
        (bindir / "cc").chmod(0o755)
    for d in ("examples", "python"):
        os.symlink(SOURCE / d, scratch / d)
    (scratch / "tmp").mkdir()
    give(home)
    env = {"PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(scratch),
           "LANG": "C.UTF-8", "TMPDIR": str(scratch / "tmp"), "PREFIX": str(prefix),
           "PYTHONDONTWRITEBYTECODE": "1"}
    shell = Shell(scratch, env)
    steps = parse(text)
    assert any(s[0] == "run" for s in steps), f"{guide.name}: no console block"
    failures = []
    for step in steps:
        if step[0] == "file":
            path = scratch / step[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step[2])
            give(path)
            continue
        _, cmd, expected, line, any_order = step
        out = shell.run(cmd)
        if alias:
            out = out.replace(str(scratch), alias.group(1))
        actual = out.rstrip("\n").split("\n") if out.strip() else []
        actual = [l.rstrip() for l in actual]
        if os.environ.get("SBX_GUIDE_SHOW"):
            print(f"{guide.name}:{line}: $ {cmd}\n" + "\n".join(actual))
        if not (matches_any_order if any_order else matches)(expected, actual):
            failures.append(f"{guide.name}:{line}: $ {cmd}\n--- shown\n" + "\n".join(expected)
                            + "\n--- printed\n" + "\n".join(actual))
    assert not failures, "\n\n".join(failures)


def test_convention_matching():
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(["a", "...", "z"], ["a", "z"])
    assert not matches(["a"], ["a", "b"])
    assert matches(['x {"seq":1,...,"e":2}'], ['x {"seq":1,"t":0.5,"e":2}'])
    assert not matches([], ["noise"])
    assert matches_any_order(["b", "a..."], ["ab", "b"])
    assert not matches_any_order(["b"], ["a", "b"])
    steps = console_steps(["$ echo a \\", "  b", "a b", "$ true"], 1)
    assert steps == [("run", "echo a \\\n  b", ["a b"], 1), ("run", "true", [], 4)]
