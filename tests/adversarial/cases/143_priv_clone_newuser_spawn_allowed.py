"""With spawning allowed, clone(CLONE_NEWUSER|CLONE_NEWNS|SIGCHLD): a child
in new namespaces (seccomp.md: clone with any namespace flag is always
refused, spawning or not).

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true}},
  "args": ["TOKEN"],
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "clone", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import signal

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
pid = libc.syscall(56, CLONE_NEWUSER | CLONE_NEWNS | signal.SIGCHLD, 0, 0, 0, 0)
if pid == 0:
    os._exit(0)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED: child in a new user namespace")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
