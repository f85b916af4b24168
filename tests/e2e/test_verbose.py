"""-v/--verbose: sandboxpy says which layers it set up and with what (the
namespaces, the mount view, Landlock's ABI and rules, the seccomp filter's
size and notification, what holds each limit, the identity the program
runs as), one "sandboxpy: " line each on standard error, read from the
same objects as the report's layers. Without -v none of them is said."""
import os
import re

from conftest import SANDBOX_UID

POLICY = {
    "version": 1,
    "name": "verbose",
    "filesystem": {"read": ["."], "write": ["out"]},
    "limits": {"memory_mb": 256, "cpu_seconds": 5, "tasks": 32, "wall_seconds": 30},
}

# The lines -v adds, by their first words.
VERBOSE_HEADS = ("namespaces:", "mount view:", "landlock:", "seccomp:", "audit hook:",
                 "limit ", "identity:")


def verbose_lines(res):
    return [l[len("sandboxpy: "):] for l in res.own_lines()
            if l[len("sandboxpy: "):].startswith(VERBOSE_HEADS)]


def run(sbx, *opts):
    (sbx.cwd / "out").mkdir(exist_ok=True)
    sbx.script('print("HELLO")\n')
    return sbx.run("prog.py", policy=POLICY, opts=opts)


def test_verbose_says_each_layer(sbx):
    res = run(sbx, "-v")
    assert res.rc == 0, res
    assert res.stdout == "HELLO\n"
    lines = verbose_lines(res)
    by_head = {h: [l for l in lines if l.startswith(h)] for h in VERBOSE_HEADS}
    layers = res.report["layers"]

    # Namespaces: the ones the report lists, and the network.
    ns = layers["netns"]["namespaces"]
    (line,) = by_head["namespaces:"]
    assert line.startswith("namespaces: " + (", ".join(ns) if ns else "none")), line
    assert f"(network: {layers['netns']['network']})" in line

    # The mount view: each part of the report's filesystem layer, on or off.
    (line,) = by_head["mount view:"]
    for part, v in layers["filesystem"].items():
        if isinstance(v, dict):
            assert f"{part} {'on' if v['active'] else 'off'}" in line, line

    # Landlock: the ABI and how many rules, by kind.
    (line,) = by_head["landlock:"]
    ll = layers["landlock"]
    if ll["abi"]:
        m = re.match(r"landlock: ABI (\d+), (\d+) rules \((\d+) read, (\d+) write, (\d+) exec paths; "
                     r"up to (\d+) TCP ports\); (in force|not in force: .+)$", line)
        assert m, line
        assert int(m.group(1)) == ll["abi"]
        assert int(m.group(2)) == sum(int(m.group(i)) for i in (3, 4, 5, 6))
        assert int(m.group(4)) >= 1          # "out"
        assert (m.group(7) == "in force") == ll["active"]
    else:
        assert line.startswith("landlock: not in force: ")

    # seccomp: the filter's rules (as the report counts them), its size in
    # BPF instructions, and whether notification is on.
    (line,) = by_head["seccomp:"]
    m = re.match(r"seccomp: in force, (\d+) rules, (\d+) BPF instructions, notification (on|off)$", line)
    assert m, line
    assert int(m.group(1)) == layers["seccomp"]["rules"]
    assert int(m.group(2)) > int(m.group(1)) // 4 > 0
    assert (m.group(3) == "on") == layers["seccomp"]["notify"]

    # Each limit, with what holds it (the report's limits_enforced_by).
    limits = {l.split(":")[0][len("limit "):]: l for l in by_head["limit "]}
    assert set(limits) == {"memory_mb", "tasks", "cpu_seconds", "wall_seconds", "file_size_mb",
                           "open_files"}
    enforced = layers["limits_enforced_by"]
    assert limits["memory_mb"] == f"limit memory_mb: 256, by {enforced['memory_mb']}"
    assert limits["tasks"] == f"limit tasks: 32, by {enforced['tasks']}"
    assert limits["cpu_seconds"] == f"limit cpu_seconds: 5, by {enforced['cpu_seconds']}"
    assert limits["wall_seconds"] == "limit wall_seconds: 30, by the supervisor's timer"
    assert limits["open_files"].startswith("limit open_files: ")

    # The identity the program runs as.
    (line,) = by_head["identity:"]
    ident = layers["identity"]
    assert line.startswith(f"identity: uid {ident['uid']}, gid {ident['gid']} ("), line
    if os.geteuid() == 0:
        assert ident["uid"] == SANDBOX_UID
    (line,) = by_head["audit hook:"]
    assert line.startswith("audit hook: installed; ")


def test_without_verbose_no_layer_lines(sbx):
    res = run(sbx)
    assert res.rc == 0, res
    assert verbose_lines(res) == [], res.stderr
    assert res.own_lines() == [], res.stderr


def test_verbose_long_option_and_quiet(sbx):
    """--verbose is -v; -q keeps denial and summary lines out, not these."""
    res = run(sbx, "--verbose", "-q")
    assert res.rc == 0, res
    assert len(verbose_lines(res)) >= 7
