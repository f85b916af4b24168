"""io_uring_setup: an io_uring runs opens, writes and connects in kernel
threads that no seccomp filter sees afterwards.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "io_uring_setup", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

params = (ctypes.c_uint8 * 120)()
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = libc.syscall(425, 4, ctypes.byref(params))
print(f"ESCAPED: io_uring fd {fd}" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
