"""Create a file outside with os.open(O_CREAT|O_WRONLY).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import os
import sys

try:
    fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
