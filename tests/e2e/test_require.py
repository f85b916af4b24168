"""--require: a layer this version cannot set up is exit 125 before anything
runs (cli.md); the program's effect must be absent and the report say why."""
import json
import os
import subprocess

SBX = os.environ.get("SANDBOXPY", os.path.join(os.path.dirname(__file__), "../../build/sandboxpy"))


def run(tmp_path, *args):
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')"
    if os.geteuid() == 0:   # the write tree "": the sandbox uid's (docs/confinement.md)
        os.chown(tmp_path, 64981, 64981)
    return subprocess.run([SBX, "-C", str(tmp_path), "--set", "filesystem.write=[\".\"]",
                           "-r", str(tmp_path / "r.json"), *args, "-c", code],
                          capture_output=True, text=True, timeout=60), marker


def test_missing_layer_required_fails_before_running(tmp_path):
    # With a network rule naming another host the sandbox uses the host's
    # network: an isolated network namespace cannot be had.
    for layer in ("netns", "audit,netns"):
        p, marker = run(tmp_path, "--set", 'network.connect=["192.0.2.1:80"]', "--require", layer)
        assert p.returncode == 125, p.stderr
        assert not marker.exists()
        rep = json.loads((tmp_path / "r.json").read_text())
        assert rep["status"] == "internal"
        assert "not available" in rep["message"]


def test_available_layers_required_run(tmp_path):
    p, marker = run(tmp_path, "--require", "audit,seccomp,landlock,netns,caps")
    assert p.returncode == 0, p.stderr
    assert marker.exists()


def test_unknown_layer_is_usage_error(tmp_path):
    p, marker = run(tmp_path, "--require", "bogus")
    assert p.returncode == 125
    assert "--require" in p.stderr
    assert not marker.exists()


def test_view_required_and_available(tmp_path):
    p, marker = run(tmp_path, "--require", "view")
    assert p.returncode == 0, p.stderr
    assert marker.exists()
    assert json.loads((tmp_path / "r.json").read_text())["layers"]["view"]["active"] is True


def unprivileged_without_namespaces(tmp_path, *args):
    """As an ordinary uid whose user namespaces the kernel refuses (the
    test-only fault switch): no mount namespace, so no view of its own."""
    faults = os.environ.get("SANDBOXPY_FAULTS")
    if not faults or os.geteuid() != 0:
        import pytest
        pytest.skip("needs the sandboxpy-faults binary and root to drop to another uid")
    import pathlib
    import tempfile
    uid = 64900
    # pytest's own directories are 0700: another uid cannot pass them.
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="sbx-require-", dir="/tmp"))
    os.chmod(tmp_path, 0o777)
    binary = tmp_path / "sandboxpy-faults"
    binary.write_bytes(open(faults, "rb").read())
    binary.chmod(0o755)
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')"
    env = dict(os.environ, SANDBOXPY_FAULT="netns")
    p = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", str(binary),
                        "-C", str(tmp_path), "--set", "filesystem.write=[\".\"]",
                        "-r", str(tmp_path / "r.json"), *args, "-c", code],
                       capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    return p, marker, tmp_path


def test_no_view_is_said_and_required_view_is_fatal(tmp_path):
    """issue 17: the fallback says so on standard error and in the report;
    --require view makes it exit 125 before the program runs."""
    import shutil
    p, marker, d = unprivileged_without_namespaces(tmp_path)
    try:
        assert p.returncode == 0 and marker.exists(), p.stderr
        assert "the filesystem view is not in force" in p.stderr, p.stderr
        assert json.loads((d / "r.json").read_text())["layers"]["view"]["active"] is False
    finally:
        shutil.rmtree(d, ignore_errors=True)
    p, marker, d = unprivileged_without_namespaces(tmp_path, "--require", "view")
    try:
        assert p.returncode == 125, p.stderr
        assert not marker.exists()
        rep = json.loads((d / "r.json").read_text())
        assert rep["status"] == "internal" and "--require view" in rep["message"], rep["message"]
    finally:
        shutil.rmtree(d, ignore_errors=True)
