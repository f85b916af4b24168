"""exec_allow names /usr/bin/true; in each attempt a forked child starts a
thread that rewrites the path buffer between /usr/bin/true and the ELF
interpreter while the child's main thread calls execve() on it, with argv
asking the interpreter for its version. The supervisor reads the path once
and the kernel reads it again; Landlock must let the interpreter execute
for any dynamic program, so a won race would run it as a program.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"stdout_lacks": "stable release version"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "system",
                         "detail_contains": "another thread may change its memory"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
good = b"/usr/bin/true"
bad = b"/lib64/ld-linux-x86-64.so.2"
n = max(len(good), len(bad)) + 1
argv = (ctypes.c_char_p * 3)(b"ld.so", b"--version", None)


def attempt():
    buf = ctypes.create_string_buffer(good.ljust(n, b"\0"), n)
    addr = ctypes.addressof(buf)

    def flipper():
        while True:
            ctypes.memmove(addr, bad.ljust(n, b"\0"), n)
            ctypes.memmove(addr, good.ljust(n, b"\0"), n)

    threading.Thread(target=flipper, daemon=True).start()
    for _ in range(200):
        libc.execve(buf, argv, None)   # returns only when refused
    os._exit(0)


sys.stdout.flush()
deadline = time.monotonic() + 2
while time.monotonic() < deadline:
    pid = os.fork()
    if pid == 0:
        attempt()
    os.waitpid(pid, 0)
