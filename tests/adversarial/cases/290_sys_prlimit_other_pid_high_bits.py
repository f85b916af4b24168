"""prlimit64(VICTIM | 2**32, RLIMIT_NOFILE, NULL, &old) by raw syscall
number: pid_t is truncated by the kernel, so this reads (or with a new
limit, would set) another process's limits; the filter allows pid 0 only,
comparing all 64 bits. The victim is a process of the runner's outside.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "setup": {"victim": "root"},
  "args": ["VICTIM"],
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "prlimit64", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 5
old = (ctypes.c_uint64 * 2)()
r = libc.syscall(302, int(sys.argv[1]) | (1 << 32), 7, 0, ctypes.addressof(old))   # RLIMIT_NOFILE
if r == 0:
    print("ESCAPED: read the victim's RLIMIT_NOFILE:", old[0], old[1])
else:
    print("refused:", os.strerror(ctypes.get_errno()))
