"""Get a write refused (the supervisor prints a denial line on standard
error, a file here), then ftruncate(2, 0) and rewrite standard error from
the start: the supervisor's lines would be erased. The program is the
witness: it prints ESCAPED only when descriptor 2 was a regular file it
could truncate. The supervisor's standard error must never be a file the
program holds.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x", "stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import os
import stat
import sys
import time

try:
    open(sys.argv[1], "w")
except OSError as e:
    print("refused:", e, flush=True)
time.sleep(0.3)        # the supervisor's line is written by now
st = os.fstat(2)
try:
    os.ftruncate(2, 0)
    os.lseek(2, 0, os.SEEK_SET)
    os.write(2, b"all clean\n")
    if stat.S_ISREG(st.st_mode):
        print("ESCAPED: truncated standard error (%d bytes)" % st.st_size, flush=True)
except OSError as e:
    print("ftruncate refused:", e, flush=True)
