"""Flood the report with 10100 genuine denials (more than the 10000 logs
a report keeps), then do one native write outside: the bypass must still
be counted, and every denial is kept (issue 18: only logs are dropped).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "summary": {"bypass": 1, "denied": 10101, "events_dropped": 0}}
}
"""
import ctypes
import os
import sys

for i in range(10100):
    try:
        open(f"{sys.argv[1]}.{i}", "w")
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
