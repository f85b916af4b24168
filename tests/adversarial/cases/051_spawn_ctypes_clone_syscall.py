"""Raw clone(SIGCHLD) syscall (56 on x86_64): a fork that names no libc
function.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "clone", "rule": "process.spawn", "bypass": true}]}
}
"""
import ctypes
import os
import signal

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
pid = libc.syscall(56, signal.SIGCHLD, 0, 0, 0, 0)
if pid == 0:
    open("out/spawned", "w").close()
    os._exit(0)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
