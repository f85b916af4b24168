"""x32's mount (165 | 0x40000000), with bit 32 of the number set as well
(the kernel reads the low 32 bits), by raw syscall(): a refused call under
another ABI's number. A filter that kills only the exact x32 numbers it
knows, or compares the number's 64 bits, lets it through to the x32
table. seccomp.md: x32 numbers (all but -1) kill the process.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["CWD/mnt"],
  "setup": {"dirs": ["CWD/mnt"]},
  "unconfined": "skip: this kernel has no x32 ABI (unconfined the call is ENOSYS, nothing to prove); the filter must kill before any kernel looks",
  "oracle": {"not_mounted": "CWD/mnt", "stdout_lacks": "ESCAPED"},
  "expect": {"status": "signal", "signal": 31, "message_contains": "SIGSYS"}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                         ctypes.c_long, ctypes.c_char_p]
sys.stdout.flush()
r = libc.syscall((1 << 32) | 0x40000000 | 165, b"none", sys.argv[1].encode(), b"tmpfs", 0, b"size=1m")
print("ESCAPED: x32 mount returned" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()), r, flush=True)
