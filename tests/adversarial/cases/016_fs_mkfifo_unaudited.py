"""os.mkfifo outside: CPython 3.11 raises no audit event for it, so only
the kernel can refuse it, and the report must show it as a bypass
(seccomp.md: "os.mkfifo with nothing writable ... reported as a bypass").

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/fifo"],
  "oracle": {"absent": "OUTSIDE/fifo"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "bypass": true, "syscall_contains": "mknod"}]}
}
"""
import os
import sys

try:
    os.mkfifo(sys.argv[1])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
