"""Keep the supervisor busy: 16 threads hammer it with kernel-refused
writes (libc mkdir outside: each one a seccomp notification it must read,
classify, record and answer) past the wall-clock limit. The limit must
still end the run on time, with a report.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "limits": {"wall_seconds": 2}},
  "args": ["OUTSIDE/d"],
  "oracle": {"max_seconds": 6, "absent": "OUTSIDE/d"},
  "expect": {"status": "timeout", "message_contains": "wall",
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import sys
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
path = sys.argv[1].encode()


def hammer():
    while True:
        if libc.mkdir(path, 0o755) == 0:
            libc.rmdir(path)


for _ in range(16):
    threading.Thread(target=hammer, daemon=True).start()
time.sleep(8)
