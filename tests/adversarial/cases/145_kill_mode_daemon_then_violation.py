"""Under on_violation "kill": start a daemon first (spawning is allowed),
then commit a violation and try to keep going. The first violation must
end the whole sandbox (status violation, exit 126), daemon included, and
the write after it must never happen.

{
  "policy": {"version": 1, "process": {"spawn": true}, "filesystem": {"write": ["./out"]}, "on_violation": "kill"},
  "args": ["OUTSIDE/x", "TOKEN"],
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": ["OUTSIDE/x", "CWD/out/after"], "no_leftover": true},
  "expect": {"status": "violation", "exit_code": null,
             "summary": {"killed_by": {"rule": "filesystem.write", "event": "open"}},
             "events": [{"layer": "audit", "rule": "filesystem.write", "action": "kill"}]}
}
"""
import os
import sys
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(0.2)
    os._exit(0)
time.sleep(0.2)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
except OSError as e:
    print("refused:", e)
time.sleep(0.5)
open("out/after", "w").close()
