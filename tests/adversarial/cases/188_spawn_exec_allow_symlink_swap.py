"""exec_allow names /usr/bin/true; the program executes it through a
symlink in its own write tree while another process (single-threaded
callers only: no thread shares the caller's memory) keeps replacing the
link with one to the ELF interpreter. The supervisor's check and the
kernel's walk would meet different links.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"stdout_lacks": "stable release version"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "system",
                         "detail_contains": "passes through a writable tree"}]}
}
"""
import ctypes
import os
import signal
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 3)(b"ld.so", b"--version", None)
link = b"out/l"
os.symlink("/usr/bin/true", "out/l")

swapper = os.fork()
if swapper == 0:
    while True:
        for target in ("/lib64/ld-linux-x86-64.so.2", "/usr/bin/true"):
            try:
                os.symlink(target, "out/l.new")
                os.replace("out/l.new", "out/l")
            except OSError:
                pass

sys.stdout.flush()
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    pid = os.fork()
    if pid == 0:
        for _ in range(100):
            libc.execve(link, argv, None)   # returns only when refused
        os._exit(0)
    os.waitpid(pid, 0)
os.kill(swapper, signal.SIGKILL)
os.waitpid(swapper, 0)
