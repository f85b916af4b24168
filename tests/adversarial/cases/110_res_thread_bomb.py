"""Thread bomb: start sleeping threads forever (tasks 32, wall 3 s). The
sandbox must end by itself at the wall-clock limit.

{
  "policy": {"version": 1, "limits": {"tasks": 32, "wall_seconds": 3}},
  "args": ["TOKEN"],
  "unconfined": "skip: a thread bomb as root is not run outside the sandbox",
  "oracle": {"max_seconds": 8, "no_leftover": true},
  "expect": {"status": "timeout", "exit_code": null, "message_contains": "wall"}
}
"""
import threading
import time

started = 0
while True:
    try:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
        started += 1
    except RuntimeError:
        time.sleep(0.01)
