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
