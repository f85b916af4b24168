"""Truncate a file of the read-only working directory with os.truncate.

{
  "policy": {"version": 1},
  "args": ["CWD/data.txt"],
  "setup": {"files": {"CWD/data.txt": "precious data\n"}},
  "oracle": {"unchanged": "CWD/data.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.truncate", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.truncate(sys.argv[1], 0)
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
