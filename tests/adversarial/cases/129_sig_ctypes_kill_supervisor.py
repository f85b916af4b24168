"""SIGKILL the supervisor through libc kill() (no audit event): the PID
namespace hides it and Landlock's signal scoping (ABI 6) refuses signals
to processes outside the sandbox's domain.

Contained without a record: the pid names no process in the sandbox's
PID namespace (ESRCH) and Landlock refuses scoped signals silently
(confinement.md, Namespaces and Landlock scoping).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["PIDFILE"],
  "oracle": {"alive": ["SUPERVISOR"]},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md: the supervisor is outside the PID namespace (ESRCH) and Landlock signal scoping refuses silently"}
}
"""
import ctypes
import os
import signal
import sys
import time

for _ in range(100):
    try:
        pid = int(open(sys.argv[1]).read())
        break
    except (OSError, ValueError):
        time.sleep(0.02)
libc = ctypes.CDLL(None, use_errno=True)
r = libc.kill(pid, signal.SIGKILL)
time.sleep(0.2)
print("kill:", r, os.strerror(ctypes.get_errno()) if r else "sent")
