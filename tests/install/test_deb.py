"""install.deb: the three .debs CPack builds (make deb) as Debian splits a
library: libsandboxpy0 (the runtime library), libsandboxpy-dev (header,
pkg-config file, .so link, static library) and sandboxpy (the command, its
data, man pages and guides). Their control fields and contents are read
with dpkg-deb; then `dpkg -i` installs them into a scratch root whose
package database is a copy of this machine's (so the libraries they depend
on count as installed and dpkg resolves every dependency, ours included),
and each package is used from there: the command runs a program, and a
small C host is compiled and linked with pkg-config against the -dev
package and run against the runtime library.

Maintainer scripts run outside the scratch root (--force-script-chrootless:
it holds no shell), and triggers are left pending (--no-triggers: the
ldconfig trigger belongs to the real root).

Environment (tests/CMakeLists.txt): SBX_BUILD_DIR, SBX_SOURCE_DIR, CPACK,
SBX_TEST_CFLAGS."""
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

BUILD = Path(os.environ["SBX_BUILD_DIR"])
SOURCE = Path(os.environ["SBX_SOURCE_DIR"])
CPACK = os.environ.get("CPACK", "cpack")
CFLAGS = shlex.split(os.environ.get("SBX_TEST_CFLAGS", ""))

LIB, DEV, CLI = "libsandboxpy0", "libsandboxpy-dev", "sandboxpy"
# The libraries the ELF files link (dpkg-shlibdeps finds them), and what
# runs the programs (stated): Debian's python3.11, whose C API the runtime
# binds to, and its standard library. No libpython: nothing embeds it. The
# CLI needs the library package for the runtime; the -dev package needs
# exactly its runtime library.
DEPENDS = {
    LIB: ["libc6", "libseccomp2", "libjansson4", "libnettle8", "python3.11-minimal",
          "libpython3.11-stdlib"],
    CLI: ["libc6", "libseccomp2", "libjansson4", "libnettle8", "python3.11-minimal",
          "libpython3.11-stdlib", LIB],
    DEV: [LIB],
}
FILES = {
    LIB: ["usr/lib/libsandboxpy.so.0.1.0", "usr/lib/libsandboxpy.so.0", "usr/lib/sandboxpy/sandboxpy-rt.so",
          "usr/share/doc/libsandboxpy0/copyright"],
    DEV: ["usr/lib/libsandboxpy.so", "usr/lib/libsandboxpy.a", "usr/include/sandboxpy.h",
          "usr/lib/pkgconfig/sandboxpy.pc", "usr/share/doc/libsandboxpy-dev/copyright"],
    CLI: ["usr/bin/sandboxpy", "usr/share/man/man1/sandboxpy.1",
          "usr/share/man/man5/sandboxpy-policy.5",
          "usr/share/sandboxpy/policies/default.json", "usr/share/sandboxpy/report.schema.json",
          "usr/share/doc/sandboxpy/copyright", "usr/share/doc/sandboxpy/README.md",
          "usr/share/doc/sandboxpy/getting-started-cli.md",
          "usr/share/doc/sandboxpy/authoring.md", "usr/share/doc/sandboxpy/policy.md"],
}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def ok(cmd, **kw):
    r = run(cmd, **kw)
    assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    out = tmp_path_factory.mktemp("deb")
    ok([CPACK, "-G", "DEB", "--config", str(BUILD / "CPackConfig.cmake"), "-B", str(out)])
    found = {ok(["dpkg-deb", "-f", str(d), "Package"]).strip(): d for d in out.glob("*.deb")}
    assert sorted(found) == sorted([LIB, DEV, CLI]), found
    return found


def scratch_root(path):
    """A root whose dpkg database is a copy of this machine's."""
    (path / "var/lib").mkdir(parents=True)
    shutil.copytree("/var/lib/dpkg", path / "var/lib/dpkg", symlinks=True,
                    ignore=shutil.ignore_patterns("lock", "lock-frontend"))
    return path


def dpkg_i(root, *debs):
    return run(["dpkg", f"--root={root}", "--force-script-chrootless", "--no-triggers",
                "-i", *map(str, debs)])


def status(root, pkg):
    return ok(["dpkg-query", f"--root={root}", "-W", "-f=${Status}", pkg]).strip()


@pytest.fixture(scope="module")
def root(debs, tmp_path_factory):
    r = scratch_root(tmp_path_factory.mktemp("root"))
    done = dpkg_i(r, *debs.values())
    assert done.returncode == 0, done.stdout + done.stderr
    return r


@pytest.mark.parametrize("pkg", [LIB, DEV, CLI])
def test_control(debs, pkg):
    deb = debs[pkg]
    assert deb.name == f"{pkg}_0.1.0_amd64.deb"
    depends = ok(["dpkg-deb", "-f", str(deb), "Depends"])
    names = {d.split()[0] for alt in depends.split(",") for d in alt.split("|")}
    missing = [d for d in DEPENDS[pkg] if d not in names]
    assert not missing, f"{pkg} Depends: {depends} lacks {missing}"
    section = {LIB: "libs", DEV: "libdevel", CLI: "utils"}[pkg]
    assert ok(["dpkg-deb", "-f", str(deb), "Section"]).strip() == section


def test_dev_depends_on_this_very_runtime(debs):
    assert ok(["dpkg-deb", "-f", str(debs[DEV]), "Depends"]).strip() == f"{LIB} (= 0.1.0)"


def test_runtime_library_shlibs_and_ldconfig_trigger(debs):
    # Other packages' programs linked against libsandboxpy.so.0 get a
    # dependency on the runtime package, and dpkg runs ldconfig by trigger.
    shlibs = ok(["dpkg-deb", "-I", str(debs[LIB]), "shlibs"])
    assert re.match(rf"libsandboxpy 0 {LIB} \(>= 0\.1\.0\)", shlibs), shlibs
    assert ok(["dpkg-deb", "-I", str(debs[LIB]), "triggers"]).split() == \
        ["activate-noawait", "ldconfig"]


@pytest.mark.parametrize("pkg", [LIB, DEV, CLI])
def test_contents(debs, pkg):
    # "MODE OWNER SIZE DATE TIME ./NAME[ -> TARGET]"
    listed = {line.split(None, 5)[5].split(" -> ")[0].removeprefix("./").rstrip("/")
              for line in ok(["dpkg-deb", "-c", str(debs[pkg])]).splitlines()}
    missing = [f for f in FILES[pkg] if f not in listed]
    assert not missing, missing
    # Each file in exactly one package.
    others = [f for other in FILES if other != pkg for f in FILES[other] if f in listed]
    assert not others, others


def test_dependencies_resolve_only_together(debs, tmp_path):
    # The -dev package alone stays unconfigured: it needs its runtime.
    alone = scratch_root(tmp_path / "alone")
    done = dpkg_i(alone, debs[DEV])
    assert done.returncode != 0
    assert f"{DEV} depends on {LIB}" in done.stderr, done.stderr
    assert status(alone, DEV) != "install ok installed"
    # With its runtime both are configured.
    done = dpkg_i(alone, debs[LIB], debs[DEV])
    assert done.returncode == 0, done.stdout + done.stderr
    assert status(alone, DEV) == status(alone, LIB) == "install ok installed"


def test_all_three_installed(root):
    for pkg in (LIB, DEV, CLI):
        assert status(root, pkg) == "install ok installed", pkg
        for f in FILES[pkg]:
            assert (root / f).exists() or (root / f).is_symlink(), f
    assert os.readlink(root / "usr/lib/libsandboxpy.so") == "libsandboxpy.so.0"
    assert (root / "usr/lib/libsandboxpy.so").resolve().is_file()


def test_copyright_files(root):
    for pkg in (LIB, DEV, CLI):
        text = (root / f"usr/share/doc/{pkg}/copyright").read_text()
        # DEP-5: the format line, then stanzas with Files/Copyright/License.
        assert text.startswith("Format: https://www.debian.org/doc/packaging-manuals/"
                               "copyright-format/1.0/\n"), pkg
        assert re.search(r"^Files: \*\nCopyright: .+\nLicense: \S+", text, re.M), pkg
        assert text == (SOURCE / "debian/copyright").read_text()


def test_cli_runs_a_program(root, tmp_path):
    sandboxpy = root / "usr/bin/sandboxpy"
    assert ok([str(sandboxpy), "--version"]).startswith("sandboxpy 0.1.0")
    (tmp_path / "count.py").write_text("import sys\nprint(len(sys.stdin.read().split()), 'words')\n")
    assert ok([str(sandboxpy), "-q", "count.py"], cwd=tmp_path, input="one two three") == \
        "3 words\n"
    shown = ok([str(sandboxpy), "--show-policy", "builtin:default"], cwd=tmp_path)
    assert '"name": "default"' in shown and f'"{tmp_path}"' in shown


def test_dev_package_builds_a_host_against_the_runtime(root, tmp_path):
    # pkg-config sees only the scratch root's .pc (PKG_CONFIG_LIBDIR), which
    # finds its prefix from its own place.
    env = dict(os.environ, PKG_CONFIG_LIBDIR=str(root / "usr/lib/pkgconfig"))
    env.pop("PKG_CONFIG_PATH", None)
    flags = shlex.split(ok(["pkg-config", "--cflags", "--libs", "sandboxpy"], env=env))
    assert f"-I{root}/usr/include" in [os.path.normpath(f) if f.startswith("-I") else f
                                       for f in flags], flags
    exe = tmp_path / "hello"
    ok(["cc", *CFLAGS, "-o", str(exe), str(SOURCE / "tests/install/hello.c"), *flags])
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", ok(["readelf", "-d", str(exe)]))
    assert "libsandboxpy.so.0" in needed
    run_env = dict(os.environ, LD_LIBRARY_PATH=str(root / "usr/lib"))
    lib = ok(["ldd", str(exe)], env=run_env)
    assert re.search(rf"libsandboxpy\.so\.0 => {re.escape(str(root))}/usr/lib/", lib), lib
    done = run([str(exe), str(tmp_path)], env=run_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out.txt").read_text() == "42\n"


def test_packaged_schema_matches_its_reports(root, tmp_path):
    # The report's JSON Schema ships with the package, and what the
    # packaged binary writes matches it (Debian's python3-jsonschema).
    import jsonschema
    schema = json.loads((root / "usr/share/sandboxpy/report.schema.json").read_text())
    subprocess.run([str(root / "usr/bin/sandboxpy"), "-q", "-r", "r.json", "-c", "import os; os.fork()"],
                   cwd=tmp_path, capture_output=True, timeout=60)
    jsonschema.Draft202012Validator(schema).validate(json.loads((tmp_path / "r.json").read_text()))


def test_man_pages_name_only_what_is_installed(root):
    """Every file a man page names is in the packages: an absolute
    /usr/... path as it is, a docs/NAME.md guide under
    /usr/share/doc/sandboxpy."""
    for rel in ["usr/share/man/man1/sandboxpy.1", "usr/share/man/man5/sandboxpy-policy.5"]:
        page = (root / rel).read_text()
        assert page.startswith('.\\" Generated by scdoc'), rel
        text = re.sub(r"\\f[BIRP]|\\&", "", page)
        text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\_", "_")
        for path in set(re.findall(r"(/usr/[\w./-]*\w)", text)):
            if "NAME" in path:        # a pattern: policies/NAME.json
                assert list((root / path.lstrip("/")).parent.glob("*.json")), path
                continue
            assert (root / path.lstrip("/")).exists(), f"{rel} names {path}, not installed"
        for guide in set(re.findall(r"\bdocs/([\w-]+\.md)", text)) - {"NAME.md"}:
            assert (root / "usr/share/doc/sandboxpy" / guide).is_file(), \
                f"{rel} names docs/{guide}, not installed"
