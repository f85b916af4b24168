"""sys.audit("os.fork") from Python, under a policy that logs os.fork,
then a raw fork() through ctypes: a genuine log record of os.fork would
explain the kernel's refusal of the fork and hide the bypass. The forged
event is refused, and the fork is reported as the bypass it is.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true},
             "events": [{"event": "os.fork", "action": "log"}]},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "sys.audit", "rule": "system", "action": "deny"},
                        {"layer": "seccomp", "rule": "process.spawn", "bypass": true}],
             "no_events": [{"event": "os.fork", "action": "log"}]}
}
"""
import ctypes
import os
import sys

try:
    sys.audit("os.fork")
except PermissionError as e:
    print("refused:", e)
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    open("out/spawned", "w").close()
    os._exit(0)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
