"""ptrace(PTRACE_ATTACH) a process outside the sandbox, then
PTRACE_KILL it (an attached tracer can also rewrite its memory).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["VICTIM"],
  "setup": {"victim": "root"},
  "oracle": {"alive": ["VICTIM"]},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "ptrace", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import sys
import time

PTRACE_KILL, PTRACE_ATTACH = 8, 16
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
pid = int(sys.argv[1])
r = libc.ptrace(PTRACE_ATTACH, pid, None, None)
if r != 0:
    print("attach refused:", os.strerror(ctypes.get_errno()))
else:
    time.sleep(0.1)
    libc.ptrace(PTRACE_KILL, pid, None, None)
    time.sleep(0.1)
    print("attached and killed")
