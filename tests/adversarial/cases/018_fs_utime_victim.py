"""Back-date a file outside with os.utime (forging evidence).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.utime", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.utime(sys.argv[1], (0, 0))
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
