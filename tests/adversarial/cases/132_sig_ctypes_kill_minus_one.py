"""kill(-1, SIGKILL) through libc (no audit event): seccomp refuses
kill(-1) (process.signal_others). A victim running as the sandbox's uid
outside the sandbox and the supervisor must survive.

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
r = libc.kill(-1, signal.SIGKILL)
time.sleep(0.2)
print("kill(-1):", r, os.strerror(ctypes.get_errno()) if r else "sent")
