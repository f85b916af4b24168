"""Stall the supervisor with one costly path (os.mkfifo with 1200 missing
components under a 400-deep working directory, which makes the supervisor
resolve the path for seconds: 8-15 s before issue 21's fix) while another
thread goes on past the wall limit of 2 s: the wall limit must not wait for
the supervisor's loop.

{
  "policy": {"version": 1, "filesystem": {"write": ["."]}, "limits": {"wall_seconds": 2}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "timeout", "message_contains": "wall"}
}
"""
import os
import threading
import time

t0 = time.monotonic()
for _ in range(400):
    os.mkdir("d")
    os.chdir("d")


def late():
    time.sleep(max(0.0, 4 - (time.monotonic() - t0)))
    print("ESCAPED: still running at %.1f s" % (time.monotonic() - t0), flush=True)
    os._exit(0)


threading.Thread(target=late, daemon=True).start()
try:
    os.mkfifo("a/" * 1200 + "x")
except OSError as e:
    print("mkfifo:", e, flush=True)
time.sleep(10)
