"""Move a file from outside into the writable tree with os.rename (to then
own and rewrite it).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/victim.txt", "CWD/out/stolen.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt", "absent": "CWD/out/stolen.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.rename", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.rename(sys.argv[1], sys.argv[2])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
