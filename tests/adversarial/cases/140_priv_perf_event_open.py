"""perf_event_open on this process (a software clock event): a large
kernel attack surface and a side channel.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "perf_event_open", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK = 1, 0
attr = (ctypes.c_uint32 * 32)()
attr[0] = PERF_TYPE_SOFTWARE
attr[1] = 128                         # size (PERF_ATTR_SIZE_VER7)
attr[2] = PERF_COUNT_SW_CPU_CLOCK     # config (low half)
attr[10] = 1 | (1 << 5) | (1 << 6)    # disabled, exclude_kernel, exclude_hv
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = libc.syscall(298, ctypes.byref(attr), 0, -1, -1, 0)
print(f"ESCAPED: perf fd {fd}" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
