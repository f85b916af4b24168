"""SIGKILL a process outside the sandbox (a sleeping process the runner
owns, pid passed on the command line) with os.kill.

{
  "policy": {"version": 1},
  "args": ["VICTIM"],
  "setup": {"victim": "root"},
  "oracle": {"alive": ["VICTIM"]},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.kill", "rule": "process.signal_others", "action": "deny"}]}
}
"""
import os
import signal
import sys
import time

try:
    os.kill(int(sys.argv[1]), signal.SIGKILL)
    time.sleep(0.2)
    print("signal sent")
except OSError as e:
    print("refused:", e)
