"""install.lib: `cmake --install` into a scratch prefix, then use what was
installed as a user would: a program built against the library with
pkg-config only (shared and static), the header alone in C and C++, the
exported names, the builtin policies' JSON and the man pages.

Environment (tests/CMakeLists.txt): SBX_BUILD_DIR, SBX_SOURCE_DIR, CMAKE,
SANDBOXPY (the built CLI), SBX_TEST_CFLAGS (the sanitizer build adds its
flags: an instrumented library needs its runtime in the program)."""
import json
import os
import shutil
import re
import shlex
import subprocess
from pathlib import Path

import pytest

BUILD = Path(os.environ["SBX_BUILD_DIR"])
SOURCE = Path(os.environ["SBX_SOURCE_DIR"])
CMAKE = os.environ.get("CMAKE", "cmake")
CFLAGS = shlex.split(os.environ.get("SBX_TEST_CFLAGS", ""))
HEADER = SOURCE / "include" / "sandboxpy.h"
SPEC_BUILTINS = {"default", "strict", "grading", "plugin"}  # policy.md: at least these


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, **kw)


def ok(cmd, **kw):
    r = run(cmd, **kw)
    assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def header_api():
    """The functions and data the header declares, parsed here on its own
    (not from the build's generated list), so a wrong list fails the test."""
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    names = set(re.findall(r"[\s*](sbx_\w+)\s*\(", text))
    names |= set(re.findall(r"extern[^;(]*?\b(sbx_\w+)\s*(?:\[[^;]*\])?\s*;", text))
    assert names, "no declarations found in sandboxpy.h"
    return names


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    ok([CMAKE, "--install", str(BUILD), "--prefix", str(p)])
    return p


def pkg_config(prefix, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    return shlex.split(ok(["pkg-config", *args, "sandboxpy"], env=env))


def needed(binary):
    out = ok(["readelf", "-d", str(binary)])
    return re.findall(r"\(NEEDED\).*\[(.+)\]", out)


def test_installed_tree(prefix):
    for rel in ["bin/sandboxpy", "lib/libsandboxpy.so.0.1.0", "lib/libsandboxpy.a",
                "lib/pkgconfig/sandboxpy.pc", "share/man/man1/sandboxpy.1",
                "share/man/man5/sandboxpy-policy.5"]:
        assert (prefix / rel).is_file(), rel
    assert os.access(prefix / "bin/sandboxpy", os.X_OK)
    assert os.readlink(prefix / "lib/libsandboxpy.so.0") == "libsandboxpy.so.0.1.0"
    assert os.readlink(prefix / "lib/libsandboxpy.so") == "libsandboxpy.so.0"
    # Only the public header: the internal ones are not an API.
    assert sorted(os.listdir(prefix / "include")) == ["sandboxpy.h"]
    assert (prefix / "include/sandboxpy.h").read_bytes() == HEADER.read_bytes()


def test_shared_library_exports_only_the_api(prefix):
    so = prefix / "lib/libsandboxpy.so.0.1.0"
    assert re.search(r"\(SONAME\).*\[libsandboxpy\.so\.0\]", ok(["readelf", "-d", str(so)]))
    out = ok(["nm", "-D", "--defined-only", str(so)])
    exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert exported == header_api()


def test_static_library_exports_only_the_api(prefix):
    out = ok(["nm", "-g", "--defined-only", str(prefix / "lib/libsandboxpy.a")])
    exported = {line.split()[-1] for line in out.splitlines() if re.match(r"^[0-9a-f]+ ", line)}
    assert exported == header_api()


@pytest.mark.parametrize("compiler,lang,std", [("cc", "c", "-std=c11"),
                                               ("c++", "c++", "-std=c++11")])
def test_header_compiles_alone(prefix, tmp_path, compiler, lang, std):
    src = tmp_path / "use.txt"
    src.write_text("#include <sandboxpy.h>\n"
                   "int main(void) { struct sbx_error e; sbx_error_clear(&e);\n"
                   "  return sbx_status_name(SBX_ST_OK) == 0; }\n")
    ok([compiler, "-x", lang, std, "-Wall", "-Wextra", "-Werror", "-pedantic",
        "-fsyntax-only", *pkg_config(prefix, "--cflags"), str(src)])


def check_hello(binary, workdir, env=None):
    # The second run loads extension modules from lib-dynload: they find
    # the interpreter's symbols in python3.11, which the program runs in.
    for code in [[], ["import _json, _decimal; print(6*7)"]]:
        (workdir / "out.txt").unlink(missing_ok=True)
        r = run([str(binary), str(workdir), *code], env=env)
        assert r.returncode == 0, f"{code}: {r.stdout}\n{r.stderr}"
        assert "status=ok exit=0 signal=0 policy=default" in r.stdout
        # From outside too: what the sandboxed program wrote.
        assert (workdir / "out.txt").read_text() == "42\n"


def test_link_shared_with_pkg_config(prefix, tmp_path):
    exe = tmp_path / "hello"
    ok(["cc", *CFLAGS, "-o", str(exe), str(SOURCE / "tests/install/hello.c"),
        *pkg_config(prefix, "--cflags", "--libs")])
    assert "libsandboxpy.so.0" in needed(exe)
    env = dict(os.environ, LD_LIBRARY_PATH=str(prefix / "lib"))
    check_hello(exe, tmp_path, env)
    # Without the library on the search path it cannot start: the one
    # above is the installed one.
    assert run([str(exe), str(tmp_path)]).returncode != 0


def test_link_static_with_pkg_config(prefix, tmp_path):
    """--static gives the private libraries; -l:libsandboxpy.a picks the
    archive over the .so next to it (docs/build.md). No libpython: the
    program runs in python3.11. A program linked statically finds the
    runtime beside itself, or where the build was configured to install
    it (this prefix is a scratch one): it is copied beside the program."""
    flags = pkg_config(prefix, "--static", "--cflags", "--libs")
    assert "-lsandboxpy" in flags and "-lseccomp" in flags
    assert not any("python" in f for f in flags), flags
    flags = ["-l:libsandboxpy.a" if f == "-lsandboxpy" else f for f in flags]
    exe = tmp_path / "hello-static"
    ok(["cc", *CFLAGS, "-o", str(exe), str(SOURCE / "tests/install/hello.c"), *flags])
    assert not any(n.startswith("libsandboxpy") for n in needed(exe))
    assert run([str(exe), str(tmp_path)]).returncode != 0     # no runtime found
    shutil.copy(prefix / "lib/sandboxpy/sandboxpy-rt.so", tmp_path / "sandboxpy-rt.so")
    check_hello(exe, tmp_path)


def test_builtin_policies_installed_as_json(prefix, tmp_path):
    sandboxpy = prefix / "bin/sandboxpy"
    files = {p.stem: p for p in (prefix / "share/sandboxpy/policies").glob("*.json")}
    assert SPEC_BUILTINS <= set(files)
    for name, path in files.items():
        # The file is the builtin: both read the same in the same directory.
        from_file = ok([str(sandboxpy), "--show-policy", str(path)], cwd=tmp_path)
        builtin = ok([str(sandboxpy), "--show-policy", f"builtin:{name}"], cwd=tmp_path)
        assert from_file == builtin, name


def test_report_schema_installed(prefix, tmp_path):
    # docs/report.schema.json as it is, and what the installed binary
    # writes matches it (Debian's python3-jsonschema).
    import jsonschema
    installed = prefix / "share/sandboxpy/report.schema.json"
    assert installed.read_bytes() == (SOURCE / "docs/report.schema.json").read_bytes()
    schema = json.loads(installed.read_text())
    run([str(prefix / "bin/sandboxpy"), "-q", "-r", "r.json", "-c", "open('/etc/x', 'w')"],
        cwd=tmp_path)
    jsonschema.Draft202012Validator(schema).validate(json.loads((tmp_path / "r.json").read_text()))
    # The man page's REPORT section is the one generated from it.
    page = (prefix / "share/man/man1/sandboxpy.1").read_text()
    assert ".SH REPORT" in page and r"report.\&schema.\&json" in page   # scdoc's roff


def test_man_pages_are_scdoc_roff(prefix):
    for rel, title in [("share/man/man1/sandboxpy.1", '.TH "sandboxpy" "1"'),
                       ("share/man/man5/sandboxpy-policy.5", '.TH "sandboxpy-policy" "5"')]:
        text = (prefix / rel).read_text()
        assert text.startswith('.\\" Generated by scdoc'), rel
        assert title in text, rel
        r = run(["man", "-l", "--warnings", str(prefix / rel)],
                env=dict(os.environ, MANWIDTH="80"))
        plain = re.sub(".\b", "", r.stdout)  # overstrike bold
        assert r.returncode == 0 and "\nNAME\n" in plain, f"{rel}: {r.stderr}"
        assert "warning" not in r.stderr, f"{rel}: {r.stderr}"


def test_man_page_lists_every_help_option(prefix):
    help_text = ok([str(prefix / "bin/sandboxpy"), "--help"])
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text))
    assert "--policy" in options
    page = (prefix / "share/man/man1/sandboxpy.1").read_text()
    missing = sorted(o for o in options if f"\\fB{o}\\fR" not in page)
    assert not missing, f"in --help but not in sandboxpy(1): {missing}"
