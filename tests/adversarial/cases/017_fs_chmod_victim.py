"""Make a file outside world-writable with os.chmod.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}, "modes": {"OUTSIDE/victim.txt": 384}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.chmod", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.chmod(sys.argv[1], 0o777)
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
