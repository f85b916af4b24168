"""Landlock, namespaces, limits, cleanup, layer failures and --self-test,
checked from outside the sandbox: files that must not exist, a listener that
must not be reached, processes that must not survive, statuses and times of
runaway programs, and what the report says about each layer."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SANDBOX_UID, SANDBOXPY, CpuWatch

FAULTS = os.environ.get("SANDBOXPY_FAULTS",
                        os.path.join(os.path.dirname(SANDBOXPY), "tests", "sandboxpy-faults"))

CTYPES = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"


def pol(**sections):
    doc = {"version": 1}
    doc.update(sections)
    return doc


def kernel_events(res):
    return [e for e in res.report["events"] if e["layer"] != "audit"]


# ---------------------------------------------------------------------------
# Landlock: paths the hook never sees


def test_ctypes_open_outside_refused_and_reported(sbx):
    """A native write in a tree the sandbox may only read (so in its view):
    Landlock refuses it, the supervisor records it."""
    target = sbx.outside / "evil.txt"
    sbx.script(CTYPES + f"""
fd = libc.open({str(target).encode()!r}, os.O_WRONLY | os.O_CREAT, 0o644)
print("FD", fd, ctypes.get_errno(), flush=True)
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True},
                                        filesystem={"write": ["."], "read": [str(sbx.outside)]}))
    assert res.rc == 0, res
    assert "FD -1 13" in res.stdout, res
    assert not target.exists()
    ev = kernel_events(res)
    assert [(e["layer"], e["syscall"], e["rule"], e["bypass"]) for e in ev] == \
        [("landlock", "openat", "filesystem.write", True)], res
    assert str(target) in ev[0]["detail"]


def test_hardlink_of_outside_file_refused(sbx):
    """Linking a file from outside into the writable tree, then writing
    through the link: refused, the outside file unchanged."""
    victim = sbx.outside / "victim.txt"
    victim.write_text("original")
    sbx.script(CTYPES + f"""
r = libc.link({str(victim).encode()!r}, b"hl")
print("LINK", r, ctypes.get_errno(), flush=True)
try:
    open("hl", "w").write("changed")
except OSError as e:
    print("WRITE", e.errno, flush=True)
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True},
                                        filesystem={"write": ["."], "read": [str(sbx.outside)]}))
    assert res.rc == 0, res
    assert "LINK -1" in res.stdout, res
    assert victim.read_text() == "original"
    hl = sbx.cwd / "hl"
    # The write made a new file in the tree, not a second name for victim.
    assert not hl.exists() or hl.stat().st_ino != victim.stat().st_ino
    assert [e["syscall"] for e in kernel_events(res)] == ["link"], res
    assert kernel_events(res)[0]["bypass"] is True


def test_symlink_planted_in_cwd_then_native_write(sbx):
    """A symlink inside the writable tree pointing outside; native code
    opens it for writing: the supervisor resolves it, Landlock agrees."""
    target = sbx.outside / "through-link.txt"
    (sbx.cwd / "link").symlink_to(target)
    sbx.script(CTYPES + """
fd = libc.open(b"link", os.O_WRONLY | os.O_CREAT, 0o644)
print("FD", fd, ctypes.get_errno(), flush=True)
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True},
                                        filesystem={"write": ["."], "read": [str(sbx.outside)]}))
    assert res.rc == 0 and "FD -1 13" in res.stdout, res
    assert not target.exists()
    assert str(target) in kernel_events(res)[0]["detail"], res


def test_ctypes_read_of_secret_outside_gets_nothing(sbx):
    secret = sbx.outside / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    sbx.script(CTYPES + f"""
fd = libc.open({str(secret).encode()!r}, os.O_RDONLY)
print("FD", fd, ctypes.get_errno(), flush=True)
if fd >= 0:
    print(os.read(fd, 100))
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True}))
    assert res.rc == 0, res
    assert "TOP-SECRET-VALUE" not in res.stdout
    # Outside the sandbox's view the file does not exist (issue 17; it was
    # EACCES from Landlock before the view).
    assert "FD -1 2" in res.stdout, res


def test_writes_inside_writable_tree_work_natively(sbx):
    """The other side: native writes in the writable tree go through."""
    sbx.script(CTYPES + """
fd = libc.open(b"native.txt", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"native-ok"); os.close(fd)
os.mkdir("d"); os.rename("d", "e"); os.rmdir("e")
open("py.txt", "w").write("py-ok")
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True}, filesystem={"write": ["."]}))
    assert res.rc == 0, res
    assert (sbx.cwd / "native.txt").read_text() == "native-ok"
    assert (sbx.cwd / "py.txt").read_text() == "py-ok"
    assert res.report["summary"]["denied"] == 0, res


def test_ctypes_connect_to_unlisted_port_refused(sbx, listener):
    """Network rules name one port; native code connects to another (the
    test's listener): refused, reported, no connection made."""
    sbx.script(CTYPES + f"""
import socket, struct
fd = libc.socket(2, 1, 0)
sa = struct.pack("=H", 2) + struct.pack("!H", {listener.port}) + socket.inet_aton("127.0.0.1") + bytes(8)
print("CONNECT", libc.connect(fd, sa, 16), ctypes.get_errno(), flush=True)
""")
    other = listener.port + 1 if listener.port < 65535 else listener.port - 1
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True},
                                        network={"connect": [f"127.0.0.1:{other}"]}))
    assert res.rc == 0, res
    assert "CONNECT -1" in res.stdout, res
    assert listener.stop() == []
    ev = kernel_events(res)
    assert [(e["syscall"], e["rule"], e["bypass"]) for e in ev] == [("connect", "network.connect", True)]


def test_allowed_socket_calls_still_work_performed_by_the_supervisor(sbx, listener):
    """connect, bind, sendto, sendmsg (with SCM_RIGHTS) and UNIX sockets in
    the write tree, all performed by the supervisor on a private copy as
    the caller: the program sees what the kernel would have done."""
    sbx.script(f"""
import os, socket
c = socket.create_connection(("127.0.0.1", {listener.port}))
c.sendall(b"tcp:")
c.sendmsg([b"msg", b"!"])
c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"dg", u.getsockname())
s.sendmsg([b"d", b"g2"], [], 0, u.getsockname())
print("UDP", u.recv(9), u.recv(9))
path = os.path.join(os.getcwd(), "srv.sock")
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen()
print("NAME", srv.getsockname() == path)
k = socket.socket(socket.AF_UNIX)
k.connect("srv.sock")
peer, _ = srv.accept()
r, w = os.pipe()
socket.send_fds(k, [b"fd"], [w])
msg, fds, _, _ = socket.recv_fds(peer, 9, 1)
os.write(fds[0], b"via")
print("UNIX", msg, os.read(r, 3))
""")
    res = sbx.run("prog.py", policy=pol(network={"connect": ["127.0.0.1:*"], "bind": ["127.0.0.1:*"]},
                                        filesystem={"write": [str(sbx.cwd)]}))
    assert res.rc == 0, res
    assert "UDP b'dg' b'dg2'" in res.stdout, res
    assert "NAME True" in res.stdout, res
    assert "UNIX b'fd' b'via'" in res.stdout, res
    assert [data for _, data in listener.stop()] == [b"tcp:msg!"]
    assert res.report["summary"]["denied"] == 0, res


@pytest.mark.skipif(os.geteuid() != 0, reason="borrowed privilege needs a root supervisor")
def test_listed_low_port_bind_fails_as_the_sandbox_uid(sbx):
    """The policy lists 127.0.0.1:79; the supervisor binds it for the
    program with the program's credentials, so the kernel refuses it as it
    would the sandbox uid (EACCES), not as root."""
    sbx.script("""
import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 79))
    print("BOUND")
except OSError as e:
    print("ERRNO", e.errno)
""")
    res = sbx.run("prog.py", policy=pol(network={"bind": ["127.0.0.1:79"]}))
    assert res.rc == 0, res
    assert "ERRNO 13" in res.stdout, res


def test_long_unix_address_is_refused_and_the_report_written(sbx):
    """A 128-byte AF_UNIX address (18 bytes beyond sockaddr_un), through
    connect and through sendmsg on a socketpair, under a policy without
    network rules: the supervisor refuses both with EINVAL, records them,
    and writes its report (no stack overflow)."""
    sbx.script(CTYPES + """
import socket, struct
addr = struct.pack("=H", 1) + b"/" + b"A" * 125
fd = libc.socket(1, 1, 0)
print("CONNECT", libc.connect(fd, addr, 128), ctypes.get_errno(), flush=True)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
a, b = socket.socketpair()
data = ctypes.create_string_buffer(b"x")
m = msghdr(addr, 128, ctypes.pointer(iovec(ctypes.addressof(data), 1)), 1, None, 0, 0)
print("SENDMSG", libc.sendmsg(a.fileno(), ctypes.byref(m), 0), ctypes.get_errno(), flush=True)
""")
    res = sbx.run("prog.py", policy=pol(native={"ctypes": True}))
    assert res.rc == 0, res
    assert "CONNECT -1 22" in res.stdout and "SENDMSG -1 22" in res.stdout, res
    ev = kernel_events(res)
    assert [e["syscall"] for e in ev] == ["connect", "sendmsg"], res
    assert all("longer than sockaddr_un" in e["detail"] for e in ev), res


def test_sendmsg_control_messages_it_cannot_reproduce_are_refused(sbx):
    """SCM_CREDENTIALS would carry the supervisor's identity, not the
    program's: refused and recorded, never sent."""
    sbx.script("""
import os, socket, struct
a, b = socket.socketpair()
creds = struct.pack("iII", os.getpid(), os.getuid(), os.getgid())
try:
    a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, creds)])
    print("SENT")
except OSError as e:
    print("ERRNO", e.errno)
""")
    res = sbx.run("prog.py", policy=pol())
    assert res.rc == 0, res
    assert "ERRNO 1" in res.stdout, res
    ev = kernel_events(res)
    assert [e["syscall"] for e in ev] == ["sendmsg"] and "SCM_CREDENTIALS" in ev[0]["detail"], res


def test_report_lists_landlock_rights(sbx):
    res = sbx.run("-c", "pass", policy=pol(network={"connect": ["127.0.0.1:8000"]}))
    ll = res.report["layers"]["landlock"]
    assert ll["active"] is True and ll["abi"] >= 1, ll
    assert {"read_file", "write_file", "execute"} <= set(ll["fs_rights_handled"])
    if ll["abi"] >= 4:
        assert set(ll["net_rights_handled"]) == {"bind_tcp", "connect_tcp"}
    if ll["abi"] >= 6:
        assert set(ll["scoped"]) == {"abstract_unix_socket", "signal"}
    assert any(p.startswith("/usr/lib/python3") for p in ll["implicit_read"])


# ---------------------------------------------------------------------------
# Namespaces and identity


def test_program_is_not_pid_1_and_not_root(sbx):
    res = sbx.run("-c", "import os; print('IDS', os.getpid(), os.getuid(), os.getppid())",
                  policy=pol())
    assert res.rc == 0, res
    pid, uid, ppid = map(int, res.stdout.split("IDS ")[1].split())
    ns = res.report["layers"]["netns"]
    if "pid" in ns["namespaces"]:
        assert pid == 2 and ppid == 1
    if os.geteuid() == 0:
        assert uid != 0 and res.report["layers"]["identity"]["uid"] == uid


def test_program_keeps_python_signal_semantics(sbx):
    """Not an init: SIGTERM to itself ends it as under python3."""
    res = sbx.run("-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM); print('ALIVE')",
                  policy=pol())
    assert res.rc == 128 + signal.SIGTERM and "ALIVE" not in res.stdout, res
    assert res.report["status"] == "signal" and res.report["signal"] == signal.SIGTERM


def test_signal_to_supervisor_fails(sbx):
    code = """
import os, signal, sys
pid = int(sys.argv[1])
try:
    os.kill(pid, signal.SIGTERM)
    print("SENT")
except OSError as e:
    print("REFUSED", type(e).__name__)
"""
    sbx.script(code)
    cmd = [SANDBOXPY, "-C", str(sbx.cwd), "-r", str(sbx.report_path), "prog.py"]
    proc = subprocess.Popen(cmd + [str(os.getpid())], cwd=sbx.cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    # The sandbox cannot name its supervisor either: try that pid too.
    out, err = proc.communicate(timeout=60)
    assert "SENT" not in out and "REFUSED" in out, (out, err)
    proc2 = subprocess.Popen(["sh", "-c", f'exec {SANDBOXPY} -C {sbx.cwd} -r {sbx.report_path} '
                              f'prog.py $$'], cwd=sbx.cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    out2, err2 = proc2.communicate(timeout=60)
    assert proc2.returncode == 0 and "REFUSED" in out2, (out2, err2)
    assert json.loads(sbx.report_path.read_text())["status"] == "ok"


def test_no_network_namespace_is_empty(sbx):
    res = sbx.run("-c", "import socket; print(socket.if_nameindex())", policy=pol())
    ns = res.report["layers"]["netns"]
    assert ns["active"] is True and ns["network"] == "empty", ns
    assert "net" in ns["namespaces"]


# ---------------------------------------------------------------------------
# Limits: each runaway ends with its status, in time, leaving nothing


def sandbox_pids_alive(marker_dir):
    """Processes still writing heartbeats in marker_dir after the run."""
    before = {p.name: p.stat().st_mtime for p in marker_dir.glob("beat-*")}
    time.sleep(0.6)
    after = {p.name: p.stat().st_mtime for p in marker_dir.glob("beat-*")}
    return [n for n in after if after[n] != before.get(n)]


def test_fork_bomb_contained_and_cleaned_up(sbx):
    sbx.script("""
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
""")
    t0 = time.monotonic()
    res = sbx.run("prog.py", policy=pol(process={"spawn": True},
                                        limits={"tasks": 32, "wall_seconds": 3}), timeout=60)
    assert time.monotonic() - t0 < 3 + 3, res
    assert res.report["status"] == "timeout" and res.rc == 124, res
    assert "pids.max" in res.report["layers"]["limits_enforced_by"]["tasks"] or os.geteuid() != 0


def test_thread_bomb_contained(sbx):
    sbx.script("""
import threading, time
n = 0
try:
    while True:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        n += 1
except RuntimeError:
    print("STOPPED AT", n, flush=True)
""")
    res = sbx.run("prog.py", policy=pol(limits={"tasks": 40, "wall_seconds": 20}), timeout=60)
    assert res.rc == 0, res
    n = int(res.stdout.split("STOPPED AT ")[1].split()[0])
    assert n < 40, res


def test_memory_balloon_status_memory(sbx):
    sbx.script("x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n")
    t0 = time.monotonic()
    res = sbx.run("prog.py", policy=pol(limits={"memory_mb": 64, "wall_seconds": 20}))
    assert time.monotonic() - t0 < 10, res
    enforced = res.report["layers"]["limits_enforced_by"]["memory_mb"]
    if not enforced.startswith("cgroup"):
        pytest.skip(f"no memory cgroup here ({enforced})")
    assert res.report["status"] == "memory", res
    assert res.rc == 137 and "memory limit" in res.report["message"], res


def test_cpu_spin_in_child_process_counts(sbx):
    """Four processes spinning: the whole sandbox's CPU time ends it."""
    sbx.script("""
import os
for i in range(3):
    if os.fork() == 0:
        break
while True:
    pass
""")
    token = f"cpu-{os.getpid()}-{time.monotonic_ns()}"
    with CpuWatch(token) as watch:
        res = sbx.run("prog.py", token, policy=pol(process={"spawn": True},
                                                   limits={"cpu_seconds": 1, "wall_seconds": 30}))
    assert res.report["status"] == "timeout" and res.rc == 124, res
    assert "CPU" in res.report["message"], res
    if res.report["layers"]["limits_enforced_by"]["cpu_seconds"].startswith("cgroup"):
        assert "whole sandbox" in res.report["message"] or "together" in res.report["message"]
        # The four processes together, seen from outside: about 1 s of CPU,
        # where a limit per process would let them use 4 s.
        assert 0.8 <= watch.cpu < 2.0, watch.seen
        assert res.report["time"]["cpu_s"] >= 1.0, res.report["time"]


def test_sleep_past_wall_limit(sbx):
    t0 = time.monotonic()
    res = sbx.run("-c", "import time; time.sleep(30)", policy=pol(limits={"wall_seconds": 1}))
    assert res.rc == 124 and res.report["status"] == "timeout", res
    assert time.monotonic() - t0 < 2.5


def test_fd_exhaustion(sbx):
    sbx.script("""
fs = []
try:
    while True:
        fs.append(open("/dev/null"))
except OSError as e:
    print("EMFILE", e.errno, len(fs), flush=True)
""")
    res = sbx.run("prog.py", policy=pol(limits={"open_files": 40}))
    assert res.rc == 0 and "EMFILE 24" in res.stdout, res
    assert int(res.stdout.split()[-1]) < 40


def test_double_fork_setsid_daemon_does_not_survive(sbx):
    """A daemon (double fork + setsid) writing a heartbeat file: nothing of
    the run may still write after sandboxpy has exited."""
    sbx.script("""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for i in range(200):
            with open("beat-%d" % os.getpid(), "w") as f:
                f.write(str(i))
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
time.sleep(0.3)
print("PARENT DONE", flush=True)
""")
    res = sbx.run("prog.py", policy=pol(process={"spawn": True}, filesystem={"write": ["."]}))
    assert res.rc == 0 and "PARENT DONE" in res.stdout, res
    assert list(sbx.cwd.glob("beat-*")), "the daemon never ran: the test proves nothing"
    assert sandbox_pids_alive(sbx.cwd) == []


# ---------------------------------------------------------------------------
# A layer that cannot be set up: reported or fatal, never silent


def run_faulty(sbx, layer, *opts, code="open('ran', 'w').write('x')"):
    env = dict(os.environ, SANDBOXPY_FAULT=layer)
    if os.geteuid() == 0:
        os.chown(sbx.cwd, SANDBOX_UID, SANDBOX_UID)   # the write tree "." (conftest)
    cmd = [FAULTS, "-C", str(sbx.cwd), "-r", str(sbx.report_path),
           "--set", 'filesystem.write=["."]', *opts, "-c", code]
    p = subprocess.run(cmd, cwd=sbx.cwd, capture_output=True, text=True, env=env, timeout=60)
    return p, json.loads(sbx.report_path.read_text())


@pytest.mark.parametrize("layer", ["audit", "seccomp"])
def test_required_layer_failing_is_fatal(sbx, layer):
    p, rep = run_faulty(sbx, layer)
    assert p.returncode == 125, p
    assert not (sbx.cwd / "ran").exists()
    assert rep["status"] == "internal" and rep["exit_code"] is None, rep
    assert rep["layers"][layer]["active"] is False, rep


@pytest.mark.parametrize("layer,key", [("landlock", "landlock"), ("netns", "netns")])
def test_optional_layer_failing_is_reported(sbx, layer, key):
    p, rep = run_faulty(sbx, layer)
    assert p.returncode == 0, p
    assert (sbx.cwd / "ran").exists()
    assert rep["layers"][key]["active"] is False and rep["layers"][key]["reason"], rep
    assert "not in force" in p.stderr, p.stderr


@pytest.mark.parametrize("layer", ["landlock", "netns"])
def test_optional_layer_failing_with_require_is_fatal(sbx, layer):
    p, rep = run_faulty(sbx, layer, "--require", layer)
    assert p.returncode == 125, p
    assert not (sbx.cwd / "ran").exists()
    assert rep["status"] == "internal", rep


def test_fault_switch_is_not_in_the_product(sbx):
    env = dict(os.environ, SANDBOXPY_FAULT="landlock")
    p = subprocess.run([SANDBOXPY, "-C", str(sbx.cwd), "-r", str(sbx.report_path), "-c", "pass"],
                       cwd=sbx.cwd, capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0
    assert json.loads(sbx.report_path.read_text())["layers"]["landlock"]["active"] is True


# ---------------------------------------------------------------------------
# --self-test


def test_self_test_passes_and_names_layers():
    p = subprocess.run([SANDBOXPY, "--self-test"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p
    for layer in ("audit", "seccomp", "landlock", "netns", "caps", "memory"):
        assert any(l.startswith(layer) for l in p.stdout.splitlines()), p.stdout
    assert "self-test passed" in p.stdout
    # Started as root, each probe's write tree is given to the sandbox's
    # uid: a probe that cannot set up says nothing about its layer.
    assert "set-up did not finish" not in p.stdout, p.stdout


def test_self_test_fails_without_seccomp():
    env = dict(os.environ, SANDBOXPY_FAULT="seccomp")
    p = subprocess.run([FAULTS, "--self-test"], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 125, p
    assert "NOT ENFORCED" in p.stdout and "FAILED" in p.stdout, p.stdout


def test_dev_shm_is_private_when_spawning(sbx):
    """multiprocessing needs /dev/shm; the sandbox gets its own, so nothing
    it leaves there outlives the run or reaches the host's."""
    name = f"sandboxpy-test-{os.getpid()}-{time.monotonic_ns()}"
    sbx.script(f"""
import multiprocessing as mp
with mp.Pool(2) as p:
    print("POOL", p.map(abs, [-1, -2]), flush=True)
open("/dev/shm/{name}", "w").write("left behind")
""")
    res = sbx.run("prog.py", policy=pol(process={"spawn": True}))
    assert res.rc == 0 and "POOL [1, 2]" in res.stdout, res
    assert not Path("/dev/shm", name).exists()
    assert res.report["layers"]["netns"]["dev_shm"] == "a private tmpfs", res.report["layers"]


def test_script_directory_first_on_sys_path(sbx):
    """A submission split in two files: the script imports its neighbour,
    as under python3 (running.md); -c does not get the directory."""
    (sbx.cwd / "helper.py").write_text("VALUE = 'from-helper'\n")
    sbx.script("import helper, sys\nprint(helper.VALUE, sys.path[0], sys.flags.ignore_environment)\n")
    res = sbx.run("prog.py", policy=pol())
    assert res.rc == 0, res
    assert res.stdout.split() == ["from-helper", str(sbx.cwd), "1"], res.stdout
    res = sbx.run("-c", "import sys; print(sys.path[0])", policy=pol())
    assert res.stdout.strip() != str(sbx.cwd), res


def test_symlink_pointing_outside_can_be_removed_and_renamed(sbx):
    """unlink, rename and symlink act on the link itself: a link in the
    writable tree that points outside may be removed or renamed, and the
    target is untouched; writing through it stays refused."""
    victim = sbx.outside / "victim.txt"
    victim.write_text("original")
    (sbx.cwd / "out").mkdir()
    (sbx.cwd / "out" / "link").symlink_to(victim)
    sbx.script("""
import os
try:
    open("out/link", "w").write("changed")
except PermissionError:
    print("WRITE DENIED", flush=True)
os.rename("out/link", "out/link2")
os.remove("out/link2")
os.symlink("/etc/passwd", "out/l3")
print("DONE", sorted(os.listdir("out")), flush=True)
""")
    res = sbx.run("prog.py", policy=pol(filesystem={"write": ["./out"]}))
    assert res.rc == 0 and "WRITE DENIED" in res.stdout, res
    assert "DONE ['l3']" in res.stdout, res
    assert victim.read_text() == "original"


def test_program_starts_inside_its_cgroups(sbx):
    """The supervisor attaches the sandbox while the interpreter starts; the
    program's first instruction already runs in the run's cgroups."""
    sbx.script("""
print(open("/proc/self/cgroup").read())
""")
    res = sbx.run("prog.py", policy=pol(filesystem={"read": [".", "/proc"]}))
    assert res.rc == 0, res
    by = res.report["layers"]["limits_enforced_by"]
    want = [c for c, key in (("memory", "memory_mb"), ("pids", "tasks"), ("cpuacct", "cpu_seconds"))
            if by[key].startswith("cgroup")]
    if not want:
        pytest.skip(f"no cgroup here ({by})")
    entries = [l.split(":", 2) for l in res.stdout.splitlines() if l.count(":") >= 2]
    v1 = {c: path for _, ctrls, path in entries for c in ctrls.split(",") if c}
    if v1:
        for ctrl in want:
            assert "sandboxpy-" in v1.get(ctrl, ""), (ctrl, res.stdout)
    else:
        assert all("sandboxpy-" in path for _, _, path in entries), res.stdout


# ---------------------------------------------------------------------------
# the mount view (docs/confinement.md, "The mount view")

VIEW_PROG = """
import json, os, sys, tempfile
def flags(p):
    f = os.statvfs(p).f_flag
    return {"rdonly": bool(f & os.ST_RDONLY), "nosuid": bool(f & os.ST_NOSUID),
            "nodev": bool(f & os.ST_NODEV), "noexec": bool(f & os.ST_NOEXEC)}
tmp = tempfile.gettempdir()
open(os.path.join(sys.argv[1], "f"), "w").write("x")
open(os.path.join(tmp, "t"), "w").write("x")
print(json.dumps({"write": flags(sys.argv[1]), "tmp": flags(tmp), "cwd": flags("."),
                  "stdlib": flags(os.path.dirname(os.__file__)),
                  "tmp_dev": os.stat(tmp).st_dev, "tmp_name": tmp,
                  "owner": os.stat(os.path.join(sys.argv[1], "f")).st_uid}))
"""


def test_mount_view_flags_and_private_tmp(sbx):
    """Write trees and the tmp nosuid,nodev,noexec; the program's read trees
    nosuid,nodev,noexec; the standard library as it is; the tmp a tmpfs of
    its own that leaves nothing on the host; files the sandbox's own."""
    out = sbx.cwd / "out"
    out.mkdir()
    sbx.script(VIEW_PROG)
    res = sbx.run("prog.py", str(out), policy={"version": 1, "filesystem": {
        "write": [str(out)], "tmp": True}})
    assert res.rc == 0, res
    v = json.loads(res.stdout)
    for k in ("write", "tmp"):
        assert v[k] == {"rdonly": False, "nosuid": True, "nodev": True, "noexec": True}, v
    assert v["cwd"]["nosuid"] and v["cwd"]["nodev"] and v["cwd"]["noexec"], v
    assert not v["stdlib"]["noexec"], v
    assert v["tmp_dev"] != os.stat("/tmp").st_dev
    assert not os.path.exists(v["tmp_name"]), "the private tmp's directory outlived the run"
    if os.geteuid() == 0:
        assert v["owner"] == SANDBOX_UID and (out / "f").stat().st_uid == SANDBOX_UID
        # pytest's /tmp/pytest-of-root is root's, 0700, but it is not in
        # the view: the directories on the way are the view's own (issue
        # 17), so nothing needs an idmap.
        assert res.report["layers"]["identity"]["idmapped"] == [], res.report["layers"]["identity"]
    fs = res.report["layers"]["filesystem"]
    assert fs["active"] and fs["tmp"]["active"] and fs["mount_flags"]["active"], fs


def test_mount_view_read_trees_keep_exec_when_native_code_is_allowed(sbx):
    out = sbx.cwd / "out"
    out.mkdir()
    sbx.script(VIEW_PROG)
    res = sbx.run("prog.py", str(out), policy={"version": 1, "native": {"ctypes": True},
                                               "filesystem": {"write": [str(out)], "tmp": True}})
    assert res.rc == 0, res
    v = json.loads(res.stdout)
    assert not v["cwd"]["noexec"] and v["cwd"]["nosuid"], v
    assert v["write"]["noexec"] and v["tmp"]["noexec"], v


def test_mount_view_failing_is_fatal(sbx):
    p, rep = run_faulty(sbx, "mounts")
    assert p.returncode == 125, p
    assert not (sbx.cwd / "ran").exists()
    assert rep["status"] == "internal" and "mount view" in rep["message"], rep


def test_exec_allow_needs_a_caller_no_one_else_can_change(sbx):
    """Under exec_allow the kernel reads the path again after the
    supervisor's check, so a listed program starts only from a process no
    other thread or process can change (stable.c): from a single-threaded
    program it runs; from a program with a second thread (subprocess uses
    vfork, sharing the parent's memory) it is refused and recorded."""
    sbx.script("""
import subprocess, sys, threading, time
print("single", subprocess.run(["/usr/bin/true"]).returncode, flush=True)
threading.Thread(target=time.sleep, args=(1,), daemon=True).start()
try:
    subprocess.run(["/usr/bin/true"])
    print("threaded ran", flush=True)
except PermissionError:
    print("threaded refused", flush=True)
""")
    res = sbx.run("prog.py", policy=pol(process={"spawn": True, "exec_allow": ["/usr/bin/true"]}))
    assert res.rc == 0, res
    assert "single 0" in res.stdout and "threaded refused" in res.stdout, res
    ev = [e for e in kernel_events(res) if e["syscall"] == "execve"]
    assert len(ev) == 1 and ev[0]["rule"] == "system", res
    assert "another process shares its memory" in ev[0]["detail"], res
