"""Spread the CPU use over two child processes (3 s of CPU each, 1 s
allowed for the whole sandbox): a per-process limit alone lets each child
stay under it.

{
  "policy": {"version": 1, "process": {"spawn": true}, "limits": {"cpu_seconds": 1, "wall_seconds": 10}},
  "args": ["TOKEN"],
  "oracle": {"stdout_lacks": "ESCAPED", "max_cpu_seconds": 1.8, "max_seconds": 9, "no_leftover": true},
  "expect": {"status": "timeout", "message_contains": "CPU"}
}
"""
import os
import time

pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        while time.process_time() < 3:
            pass
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
print("ESCAPED: 6 s of CPU in children", flush=True)
