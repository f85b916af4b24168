"""Spin the CPU for 4 s of CPU time under cpu_seconds 1 (wall 10 s).

{
  "policy": {"version": 1, "limits": {"cpu_seconds": 1, "wall_seconds": 10}},
  "oracle": {"stdout_lacks": "ESCAPED", "max_cpu_seconds": 1.8, "max_seconds": 9},
  "expect": {"status": "timeout", "message_contains": "CPU"}
}
"""
import time

while time.process_time() < 4:
    pass
print("ESCAPED: 4 s of CPU", flush=True)
