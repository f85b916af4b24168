"""Spread a memory balloon over four child processes (24 MB each, 96 MB
in all, under memory_mb 64): each stays under a per-process limit, the
sandbox as a whole does not. Unprivileged there is no memory cgroup, and
the supervisor's measurement of the whole tree must hold it.

{
  "policy": {"version": 1, "process": {"spawn": true},
             "limits": {"memory_mb": 64, "wall_seconds": 20}},
  "args": ["TOKEN"],
  "oracle": {"stdout_lacks": "ESCAPED", "no_leftover": true},
  "expect": {"status": "memory", "message_contains": "memory"}
}
"""
import os
import sys
import time

r, w = os.pipe()
kids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            block = bytearray(24 << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1
        except MemoryError:
            os._exit(1)
        os.write(w, b"+")
        time.sleep(3)       # hold it
        os.write(w, b"!")
        os._exit(0)
    kids.append(pid)
os.close(w)
got = b""
while True:
    chunk = os.read(r, 16)
    if not chunk:
        break
    got += chunk
lost = [pid for pid in kids if os.waitpid(pid, 0)[1] != 0]
if got.count(b"!") == 4:
    print(f"ESCAPED: 96 MB held by four children ({sys.argv[1]})", flush=True)
sys.exit(1 if lost else 0)   # a child killed for memory fails the program
