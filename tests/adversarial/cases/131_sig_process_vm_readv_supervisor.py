"""Read the supervisor's memory with process_vm_readv (its pid from
supervisor.pid): the supervisor holds the policy, the report and the
listener.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["PIDFILE"],
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "process_vm_readv", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import sys
import time


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


for _ in range(100):
    try:
        pid = int(open(sys.argv[1]).read())
        break
    except (OSError, ValueError):
        time.sleep(0.02)
libc = ctypes.CDLL(None, use_errno=True)
libc.process_vm_readv.restype = ctypes.c_ssize_t
buf = ctypes.create_string_buffer(64)
local = iovec(ctypes.addressof(buf), 64)
remote = iovec(0x400000, 64)          # the ELF header of a non-PIE binary, or whatever is there
r = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
if r < 0 and ctypes.get_errno() == 14:          # EFAULT: the call worked, the address did not
    print("ESCAPED: process_vm_readv reached the process (EFAULT)")
elif r < 0:
    print("refused:", os.strerror(ctypes.get_errno()))
else:
    print("ESCAPED: read", r, "bytes:", buf.raw[:8])
