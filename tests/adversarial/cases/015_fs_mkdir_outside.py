"""Create a directory outside with os.mkdir.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/newdir"],
  "oracle": {"absent": "OUTSIDE/newdir"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.mkdir", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.mkdir(sys.argv[1])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
