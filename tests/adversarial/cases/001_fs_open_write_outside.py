"""Create a file outside the sandbox with the builtin open().

The working directory is read-only and OUTSIDE is named by no policy: the
audit hook refuses the open event (filesystem.write) before any syscall.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import sys

try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
