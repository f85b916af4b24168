"""Sleep past the wall-clock limit (wall 2 s; sleeping uses no CPU).

{
  "policy": {"version": 1, "limits": {"wall_seconds": 2}},
  "oracle": {"stdout_lacks": "ESCAPED", "max_seconds": 4.5},
  "expect": {"status": "timeout", "message_contains": "wall"}
}
"""
import time

time.sleep(6)
print("ESCAPED: slept 6 s", flush=True)
