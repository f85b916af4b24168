"""Write a file in the writable tree, then os.replace it over a file outside.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "args": ["CWD/out/new.txt", "OUTSIDE/victim.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.rename", "rule": "filesystem.write"}]}
}
"""
import os
import sys

with open(sys.argv[1], "w") as f:
    f.write("pwned\n")
try:
    os.replace(sys.argv[1], sys.argv[2])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
