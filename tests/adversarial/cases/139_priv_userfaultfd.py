"""userfaultfd: lets a program stall the kernel inside a copy from user
memory, the standard way to win kernel race conditions.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "userfaultfd", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = libc.syscall(323, os.O_CLOEXEC)
print(f"ESCAPED: userfaultfd {fd}" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
