"""SIGKILL the supervisor (sandboxpy itself: its pid appears in
supervisor.pid in the working directory once it runs), so that no report
is written and nothing is cleaned up.

{
  "policy": {"version": 1},
  "args": ["PIDFILE"],
  "oracle": {"alive": ["SUPERVISOR"]},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.kill", "rule": "process.signal_others", "action": "deny"}]}
}
"""
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
try:
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    print("signal sent")
except OSError as e:
    print("refused:", e)
