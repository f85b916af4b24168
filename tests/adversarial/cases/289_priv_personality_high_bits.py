"""personality(READ_IMPLIES_EXEC | 2**32) by raw syscall number: the kernel
truncates the persona to 32 bits and every later mapping of readable
memory becomes executable; the filter allows only PER_LINUX and the
0xffffffff query, judged on the low 32 bits. The query afterwards is the
witness.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "personality", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

READ_IMPLIES_EXEC = 0x0400000
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long, ctypes.c_long]
r = libc.syscall(135, READ_IMPLIES_EXEC | (1 << 32))
print("personality(READ_IMPLIES_EXEC | 2**32):", r, os.strerror(ctypes.get_errno()) if r < 0 else "", flush=True)
now = libc.syscall(135, 0xFFFFFFFF)
print("persona now: %#x" % now)
if now >= 0 and now & READ_IMPLIES_EXEC:
    print("ESCAPED: READ_IMPLIES_EXEC set")
