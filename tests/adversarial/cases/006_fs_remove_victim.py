"""Delete a file outside with os.remove.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.remove", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.remove(sys.argv[1])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
