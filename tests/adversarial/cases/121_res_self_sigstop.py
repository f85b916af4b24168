"""Stop ourselves with SIGSTOP (a stopped process uses no CPU, so a CPU
limit never fires; an unattended grader would wait forever). The
wall-clock limit must still end the run.

{
  "policy": {"version": 1, "limits": {"wall_seconds": 2}},
  "oracle": {"max_seconds": 5},
  "expect": {"status": "timeout", "message_contains": "wall"}
}
"""
import os
import signal

os.kill(os.getpid(), signal.SIGSTOP)
print("resumed")
