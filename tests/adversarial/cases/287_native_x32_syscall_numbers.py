"""x32's getpid (39 | 0x40000000) by raw syscall(), a call the policy
allows in the x86_64 table: on a kernel with the x32 ABI it reaches
another table, which the filter's rows were not written for. seccomp.md:
x32 numbers (all but -1) kill the process like another architecture.
Unconfined the call either runs (x32 kernels) or is ENOSYS.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "unconfined": "skip: this kernel has no x32 ABI (unconfined the calls are ENOSYS, nothing to prove); the filter must kill before any kernel looks",
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "signal", "signal": 31, "message_contains": "SIGSYS"}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 6
sys.stdout.flush()
r = libc.syscall(0x40000000 | 39, 0, 0, 0, 0, 0)      # x32 getpid: a call the policy allows
print("ESCAPED: x32 getpid returned", r, os.strerror(ctypes.get_errno()) if r < 0 else "", flush=True)
