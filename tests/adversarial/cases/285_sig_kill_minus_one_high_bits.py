"""kill(-1 as 0x1ffffffff, SIGKILL) by raw syscall number: the kernel
truncates pid_t, so this is kill(-1), every process the user may signal;
the filter refuses pid -1 by its low 32 bits. A victim running as the
sandbox's uid outside the sandbox and the supervisor must survive.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "setup": {"victim": "sandbox"},
  "unconfined": "skip: kill(-1) as root would kill every process on the machine",
  "oracle": {"alive": ["VICTIM", "SUPERVISOR"]},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "kill", "rule": "process.signal_others", "bypass": true}]}
}
"""
import ctypes
import os
import signal
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 3
r = libc.syscall(62, 0x1FFFFFFFF, signal.SIGKILL)
time.sleep(0.2)
print("kill(0x1ffffffff):", r, os.strerror(ctypes.get_errno()) if r else "sent")
