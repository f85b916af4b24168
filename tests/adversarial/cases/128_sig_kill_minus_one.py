"""kill(-1, SIGKILL): every process the caller may signal. The sandbox's
uid 64981 is shared by every concurrent sandbox; a victim running as that
uid outside this sandbox must survive, and so must the supervisor.

{
  "policy": {"version": 1},
  "setup": {"victim": "sandbox"},
  "unconfined": "skip: kill(-1) as root would kill every process on the machine",
  "oracle": {"alive": ["VICTIM", "SUPERVISOR"]},
  "expect": {"status": "ok",
             "events": [{"rule": "process.signal_others", "action": "deny"}]}
}
"""
import os
import signal
import time

try:
    os.kill(-1, signal.SIGKILL)
    time.sleep(0.2)
    print("signal sent")
except OSError as e:
    print("refused:", e)
